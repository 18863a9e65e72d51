// `/metrics` in the Prometheus text format, with the request metrics kube-apiserver exports
// (k8s.io/apiserver pkg/endpoints/metrics/metrics.go: names, labels, buckets and the verb and
// scope rules) plus prom-client's process and Node.js metrics. Each server has its own.
// The path is authorized like any non-resource URL (`get` on nonResourceURL /metrics), as
// Prometheus scraping kube-apiserver needs.
//
// The request metrics are kept here rather than in prom-client metrics: prom-client hashes the
// label set on every update, four updates per request, which cost a GET ~15% of its
// throughput. Here a request finds its series once per request line (a bounded cache) and
// updates plain numbers; the text is built at scrape time.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { KindDefinition } from '../api.js';
import { requestAttributes, type RequestAttributes } from '../auth/authz/index.js';

const durationBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const sizeBuckets = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/** One label set of verb, dry_run, group, version, resource, subresource, scope, component. */
class Series {
  readonly byCode = new Map<number, number>();
  readonly duration = new Histogram(durationBuckets);
  /** GET and LIST only, as upstream. */
  readonly size: Histogram | undefined;
  longRunning = 0;

  constructor(
    readonly labels: string,
    /** The same without dry_run (response sizes and long-running requests have none). */
    readonly labelsNoDryRun: string,
    readonly watch: boolean,
    readonly mutating: boolean,
    sized: boolean,
  ) {
    this.size = sized ? new Histogram(sizeBuckets) : undefined;
  }

  count(code: number): void {
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
  }
}

class Histogram {
  readonly counts: number[];
  sum = 0;
  n = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(v: number): void {
    this.sum += v;
    this.n++;
    const i = this.bounds.findIndex((b) => v <= b);
    if (i >= 0) this.counts[i]!++;
  }

  lines(name: string, labels: string, out: string[]): void {
    let cumulative = 0;
    this.bounds.forEach((b, i) => {
      cumulative += this.counts[i]!;
      out.push(`${name}_bucket{${labels},le="${b}"} ${cumulative}`);
    });
    out.push(`${name}_bucket{${labels},le="+Inf"} ${this.n}`, `${name}_sum{${labels}} ${this.sum}`, `${name}_count{${labels}} ${this.n}`);
  }
}

export interface ServerMetrics {
  /** The whole exposition text. */
  text(): Promise<string>;
}

/**
 * `kinds`: the served kinds. Like upstream, which instruments each route it installs with the
 * route's own group, version, resource and subresource (endpoints/installer.go), labels come from
 * the route that matched and the kinds it serves, never from the URL alone: a request for
 * anything else is counted under one label set without path or resource, so that random URLs
 * (authenticated or not) cannot grow the number of series.
 */
export function installMetrics(app: FastifyInstance, kinds: readonly KindDefinition[]): ServerMetrics {
  const served = servedResources(kinds);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const all = new Map<string, Series>(); // by label text: every series ever counted
  const byRequestLine = new Map<string, Series>(); // a cache in front of it
  const inflight = { readOnly: 0, mutating: 0 };

  const seriesOf = (request: FastifyRequest): Series => {
    const apply = request.method === 'PATCH' && request.headers['content-type']?.startsWith('application/apply-patch') === true;
    const target = metricsTarget(request);
    // Only what the labels depend on: request targets may be up to 1 MiB, and selectors are
    // not parsed here (this runs before authentication).
    const key = `${request.method} ${apply ? 'apply ' : ''}${target.dryRun ? 'dry ' : ''}${target.route ?? ''} ${target.resourceURL ?? ''}`;
    let s = byRequestLine.get(key);
    if (s) return s;
    const { labels: l, mutating } = labelsOf(request.method, target, apply, served);
    const labels = labelText(l);
    s = all.get(labels);
    if (!s) {
      const { dry_run: _dryRun, ...rest } = l;
      s = new Series(labels, labelText(rest), l.verb === 'WATCH', mutating, l.verb === 'GET' || l.verb === 'LIST');
      all.set(labels, s);
    }
    if (byRequestLine.size >= 4096) byRequestLine.clear();
    byRequestLine.set(key, s);
    return s;
  };

  const started = new WeakMap<FastifyRequest, Series>();
  app.addHook('onRequest', (request, reply, done) => {
    const s = seriesOf(request);
    if (s.watch) {
      // Watches end outside fastify's hooks (the reply is hijacked): count them when the response ends.
      s.longRunning++;
      reply.raw.once('close', () => {
        s.longRunning--;
        s.count(reply.raw.statusCode);
      });
    } else {
      inflight[s.mutating ? 'mutating' : 'readOnly']++;
      started.set(request, s);
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const s = started.get(request);
    if (s) {
      inflight[s.mutating ? 'mutating' : 'readOnly']--;
      s.count(reply.statusCode);
      s.duration.observe(reply.elapsedTime / 1000);
      s.size?.observe(Number(reply.getHeader('content-length')) || 0);
    }
    done();
  });

  const text = async (): Promise<string> => {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('apiserver_request_total', 'counter', 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
    for (const s of all.values()) for (const [code, n] of s.byCode) out.push(`apiserver_request_total{${s.labels},code="${code}"} ${n}`);
    head('apiserver_request_duration_seconds', 'histogram', 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.');
    for (const s of all.values()) if (s.duration.n > 0) s.duration.lines('apiserver_request_duration_seconds', s.labels, out);
    head('apiserver_response_sizes', 'histogram', 'Response size distribution in bytes for each group, version, verb, resource, subresource, scope and component.');
    for (const s of all.values()) if (s.size && s.size.n > 0) s.size.lines('apiserver_response_sizes', s.labelsNoDryRun, out);
    head('apiserver_longrunning_requests', 'gauge', 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.');
    for (const s of all.values()) if (s.watch) out.push(`apiserver_longrunning_requests{${s.labelsNoDryRun}} ${s.longRunning}`);
    head('apiserver_current_inflight_requests', 'gauge', 'Number of requests in flight, by kind (readOnly or mutating).');
    out.push(`apiserver_current_inflight_requests{request_kind="mutating"} ${inflight.mutating}`);
    out.push(`apiserver_current_inflight_requests{request_kind="readOnly"} ${inflight.readOnly}`);
    return `${out.join('\n')}\n${await registry.metrics()}`;
  };

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return text();
  });
  return { text };
}

interface RequestLabels {
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

/** `k="v",...` in the exposition format (backslash, quote and newline escaped). */
function labelText(labels: Partial<RequestLabels>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

/** `<group>/<version>` -> plural -> the subresources its kind serves (with '' for the resource itself). */
type ServedResources = ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;

function servedResources(kinds: readonly KindDefinition[]): ServedResources {
  const served = new Map<string, Map<string, Set<string>>>();
  for (const k of kinds) {
    const subresources = new Set(['', ...(k.subresources.status ? ['status'] : []), ...(k.subresources.scale ? ['scale'] : [])]);
    for (const v of k.versions) {
      if (!v.served) continue;
      const gv = `${k.group}/${v.version}`;
      if (!served.has(gv)) served.set(gv, new Map());
      served.get(gv)!.set(k.plural, subresources);
    }
  }
  return served;
}

/** What the labels of one request are computed from. */
interface MetricsTarget {
  /** The pattern of the route that matched; undefined: none (404). */
  readonly route?: string;
  /** `<group>/<version>` of a resource route. */
  readonly groupVersion?: string;
  /** For a resource route: the path and its first `watch` value, without the rest of the query. */
  readonly resourceURL?: string;
  readonly dryRun: boolean;
}

function metricsTarget(request: FastifyRequest): MetricsTarget {
  const route = request.routeOptions.url;
  const query = request.query as Record<string, unknown> | undefined;
  const dryRun = query?.['dryRun'] !== undefined;
  const groupVersion = route?.includes(':plural') ? /^\/apis\/([^/:]+\/[^/:]+)\//.exec(route)?.[1] : undefined;
  if (groupVersion === undefined) return { route, dryRun };
  // A resource route's parameters are at most maxParamLength each, so this stays short.
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const w = query?.['watch'];
  const watch = Array.isArray(w) ? w[0] : w;
  // Only 0 and false (any case) are not a watch: a longer value is one, whatever it says.
  const watchValue = typeof watch === 'string' && watch.length > 5 ? 'true' : watch;
  const resourceURL = typeof watchValue === 'string' ? `${path}?watch=${encodeURIComponent(watchValue)}` : path;
  return { route, groupVersion, resourceURL, dryRun };
}

/** The labels of metrics.go: the route's verb, upper case, with its WATCH and APPLY rules, and the scope rule. */
function labelsOf(method: string, t: MetricsTarget, apply: boolean, served: ServedResources): { labels: RequestLabels; mutating: boolean } {
  const component = 'apiserver';
  const dry_run = t.dryRun ? 'All' : '';
  const a = t.resourceURL !== undefined ? requestAttributes(method, t.resourceURL) : undefined;
  const gv = t.groupVersion;
  const known =
    a !== undefined && gv !== undefined && a.isResourceRequest && `${a.apiGroup}/${a.apiVersion}` === gv && served.get(gv)?.get(a.resource)?.has(a.subresource) === true;
  if (!a || !known) {
    // A non-resource route is labelled by its pattern (/openapi/v3/*); anything else, by nothing.
    // Non-resource verbs are the lower-case method: only GET is read-only (maxinflight.go).
    const subresource = t.route === undefined || gv !== undefined ? '' : t.route;
    const labels = { verb: method, dry_run, group: '', version: '', resource: '', subresource, scope: '', component };
    return { labels, mutating: method !== 'GET' };
  }
  const labels = {
    verb: verbOf(method, a, apply),
    dry_run,
    group: a.apiGroup,
    version: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    scope: a.name !== '' || a.verb === 'create' ? 'resource' : a.namespace !== '' ? 'namespace' : 'cluster',
    component,
  };
  return { labels, mutating: mutating(a) };
}

function verbOf(method: string, a: RequestAttributes, apply: boolean): string {
  switch (a.verb) {
    case 'list':
    case 'watch':
    case 'deletecollection':
      return a.verb.toUpperCase();
    case 'patch':
      return apply ? 'APPLY' : 'PATCH';
    default:
      return method; // GET, POST, PUT, DELETE
  }
}

function mutating(a: RequestAttributes): boolean {
  return a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch';
}
