// `/metrics` in the Prometheus text format, with the request metrics kube-apiserver exports
// (k8s.io/apiserver pkg/endpoints/metrics/metrics.go: names, labels, buckets and the verb and
// scope rules) plus prom-client's process and Node.js metrics. Each server has its own registry.
// The path is authorized like any non-resource URL (`get` on nonResourceURL /metrics), as
// Prometheus scraping kube-apiserver needs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { requestAttributes, type RequestAttributes } from '../auth/authz/index.js';

const component = 'apiserver';
const requestLabels = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
type RequestLabels = Record<(typeof requestLabels)[number], string>;

export interface ServerMetrics {
  readonly registry: Registry;
}

/**
 * `resources`: the served plurals. Like upstream, which instruments only routes it serves, a
 * request for anything else is counted without its path or resource, so that random URLs
 * cannot grow the number of series.
 */
export function installMetrics(app: FastifyInstance, resources: ReadonlySet<string>): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const total = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...requestLabels, 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: requestLabels,
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
    registers: [registry],
  });
  const sizes = new Histogram({
    name: 'apiserver_response_sizes',
    help: 'Response size distribution in bytes for each group, version, verb, resource, subresource, scope and component.',
    labelNames: requestLabels.filter((l) => l !== 'dry_run'),
    buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10],
    registers: [registry],
  });
  const longRunning = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    labelNames: requestLabels.filter((l) => l !== 'dry_run'),
    registers: [registry],
  });
  const inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Number of requests in flight, by kind (readOnly or mutating).',
    labelNames: ['request_kind'],
    registers: [registry],
  });

  // The series of a request depend only on its method, URL and whether it is an apply patch:
  // they are looked up once per such request line and kept (bounded), so a request costs a map
  // lookup and child updates rather than a URL parse and a label hash per metric.
  const series = new Map<string, Series>();
  const seriesOf = (request: FastifyRequest): Series => {
    const apply = request.method === 'PATCH' && request.headers['content-type']?.startsWith('application/apply-patch') === true;
    const key = `${request.method} ${apply ? 'apply ' : ''}${request.url}`;
    let s = series.get(key);
    if (!s) {
      if (series.size >= 4096) series.clear();
      const attrs = requestAttributes(request.method, request.url);
      const labels = labelsOf(request, attrs, apply, resources);
      const { dry_run: _dryRun, ...gaugeLabels } = labels;
      const byCode = new Map<number, { inc(): void }>();
      s = {
        watch: labels.verb === 'WATCH',
        inflight: inflight.labels({ request_kind: mutating(attrs) ? 'mutating' : 'readOnly' }),
        longRunning: longRunning.labels(gaugeLabels),
        duration: duration.labels(labels),
        size: labels.verb === 'GET' || labels.verb === 'LIST' ? sizes.labels(gaugeLabels) : undefined,
        total(code) {
          let c = byCode.get(code);
          if (!c) byCode.set(code, (c = total.labels({ ...labels, code: String(code) })));
          return c;
        },
      };
      series.set(key, s);
    }
    return s;
  };

  const started = new WeakMap<FastifyRequest, Series>();
  app.addHook('onRequest', (request, reply, done) => {
    const s = seriesOf(request);
    if (s.watch) {
      // Watches end outside fastify's hooks (the reply is hijacked): count them when the response ends.
      s.longRunning.inc();
      reply.raw.once('close', () => {
        s.longRunning.dec();
        s.total(reply.raw.statusCode).inc();
      });
    } else {
      s.inflight.inc();
      started.set(request, s);
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const s = started.get(request);
    if (s) {
      s.inflight.dec();
      s.total(reply.statusCode).inc();
      s.duration.observe(reply.elapsedTime / 1000);
      s.size?.observe(Number(reply.getHeader('content-length')) || 0);
    }
    done();
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return { registry };
}

/** The metric children one kind of request updates. */
interface Series {
  readonly watch: boolean;
  readonly inflight: { inc(): void; dec(): void };
  readonly longRunning: { inc(): void; dec(): void };
  readonly duration: { observe(v: number): void };
  readonly size: { observe(v: number): void } | undefined;
  total(code: number): { inc(): void };
}

/** The labels of metrics.go: the route's verb, upper case, with its WATCH and APPLY rules, and the scope rule. */
function labelsOf(request: FastifyRequest, a: RequestAttributes, apply: boolean, resources: ReadonlySet<string>): RequestLabels {
  const query = request.query as Record<string, unknown> | undefined;
  const dryRun = query?.['dryRun'] !== undefined ? 'All' : '';
  if (!a.isResourceRequest || !resources.has(a.resource)) {
    // A route with a wildcard (/openapi/v3/*) is labelled by its pattern; no route, by nothing.
    const route = request.routeOptions.url;
    const path = route === undefined || a.isResourceRequest ? '' : /[*:]/.test(route) ? route : a.path;
    return { verb: request.method, dry_run: dryRun, group: '', version: '', resource: '', subresource: path, scope: '', component };
  }
  return {
    verb: verbOf(request, a, apply),
    dry_run: dryRun,
    group: a.apiGroup,
    version: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    scope: a.name !== '' || a.verb === 'create' ? 'resource' : a.namespace !== '' ? 'namespace' : 'cluster',
    component,
  };
}

function verbOf(request: FastifyRequest, a: RequestAttributes, apply: boolean): string {
  switch (a.verb) {
    case 'list':
    case 'watch':
    case 'deletecollection':
      return a.verb.toUpperCase();
    case 'patch':
      return apply ? 'APPLY' : 'PATCH';
    default:
      return request.method; // GET, POST, PUT, DELETE
  }
}

function mutating(a: RequestAttributes): boolean {
  return a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch';
}
