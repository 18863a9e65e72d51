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

export function installMetrics(app: FastifyInstance): ServerMetrics {
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

  const started = new WeakMap<FastifyRequest, { labels: RequestLabels; kind: string }>();
  app.addHook('onRequest', (request, reply, done) => {
    const attrs = requestAttributes(request.method, request.url);
    const labels = labelsOf(request, attrs);
    const { dry_run: _dryRun, ...gaugeLabels } = labels;
    if (labels.verb === 'WATCH') {
      // Watches end outside fastify's hooks (the reply is hijacked): count them when the socket's response ends.
      longRunning.inc(gaugeLabels);
      reply.raw.once('close', () => {
        longRunning.dec(gaugeLabels);
        total.inc({ ...labels, code: String(reply.raw.statusCode) });
      });
    } else {
      const kind = mutating(attrs) ? 'mutating' : 'readOnly';
      inflight.inc({ request_kind: kind });
      started.set(request, { labels, kind });
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const s = started.get(request);
    if (s) {
      inflight.dec({ request_kind: s.kind });
      total.inc({ ...s.labels, code: String(reply.statusCode) });
      duration.observe(s.labels, reply.elapsedTime / 1000);
      if (s.labels.verb === 'GET' || s.labels.verb === 'LIST') {
        const { dry_run: _dryRun, ...sizeLabels } = s.labels;
        sizes.observe(sizeLabels, Number(reply.getHeader('content-length')) || 0);
      }
    }
    done();
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return { registry };
}

/** The labels of metrics.go: the route's verb, upper case, with its WATCH and APPLY rules, and the scope rule. */
function labelsOf(request: FastifyRequest, a: RequestAttributes): RequestLabels {
  const query = request.query as Record<string, unknown> | undefined;
  const dryRun = query?.['dryRun'] !== undefined ? 'All' : '';
  if (!a.isResourceRequest) {
    return { verb: request.method, dry_run: dryRun, group: '', version: '', resource: '', subresource: a.path, scope: '', component };
  }
  return {
    verb: verbOf(request, a),
    dry_run: dryRun,
    group: a.apiGroup,
    version: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    scope: a.name !== '' || a.verb === 'create' ? 'resource' : a.namespace !== '' ? 'namespace' : 'cluster',
    component,
  };
}

function verbOf(request: FastifyRequest, a: RequestAttributes): string {
  switch (a.verb) {
    case 'list':
    case 'watch':
    case 'deletecollection':
      return a.verb.toUpperCase();
    case 'patch':
      return request.headers['content-type']?.startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    default:
      return request.method; // GET, POST, PUT, DELETE
  }
}

function mutating(a: RequestAttributes): boolean {
  return a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch';
}
