// TEST DOUBLE of kube-apiserver: only what an aggregated API server asks of it, built from the
// documented contract (API-CONTRACT 8.5-8.7; authentication.k8s.io/v1 TokenReview,
// authorization.k8s.io/v1 SubjectAccessReview, the kube-system/extension-apiserver-authentication
// configmap). It is a real HTTPS server on loopback with its own CA; callers authenticate with
// the client certificate in the kubeconfig it writes (others get a 401 Status). It records
// every review it receives so tests can assert the exact bodies. It is not kube-apiserver: no
// RBAC, no storage.
//
// The configmap is served by GET, by the list endpoint with the field selector
// metadata.name=extension-apiserver-authentication, and by watch on that list (newline-delimited
// JSON events over a chunked response, API-CONTRACT watch semantics): every setConfigMap gets a
// new metadata.resourceVersion and sends ADDED / MODIFIED / DELETED to open watches; a watch from
// an older resourceVersion first replays the events after it, or, once the history was dropped
// (endWatches({ expired: true })), gets an ERROR event with a 410 Expired Status.
//
// For the in-cluster serving certificate (src/runtime/server/incluster.ts) it also keeps, in
// memory, Secrets (get, create with 409 AlreadyExists) and APIServices (get, JSON merge patch
// with `application/merge-patch+json` only), and logs every request line with its content type.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { issue, issueServing, makeCA, type Issued, type TestCA } from './pki.js';

export interface DoubleUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** One SubjectAccessReview rule; every given list must match. The first matching rule decides. */
export interface SarRule {
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resources?: readonly string[];
  readonly subresources?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly names?: readonly string[];
  /** Non-resource paths; a rule with paths matches only non-resource reviews. */
  readonly paths?: readonly string[];
  readonly decision: 'allow' | 'deny';
  readonly reason?: string;
}

export interface KubeApiserverDoubleOptions {
  /** Token -> user (authenticated), or `{ error }` (status.error set, not authenticated). */
  readonly tokens?: Readonly<Record<string, DoubleUser | { readonly error: string }>>;
  readonly sarRules?: readonly SarRule[];
  /** Reason given when no rule matches (neither allowed nor denied). */
  readonly noOpinionReason?: string;
  /** Data of the extension-apiserver-authentication configmap; undefined: 404. */
  readonly configMap?: Readonly<Record<string, string>>;
  /** APIService objects present at start (apiregistration.k8s.io/v1). */
  readonly apiServices?: readonly any[];
  /** Namespaces present at start (phase Active): served by GET, list and watch of /api/v1/namespaces. */
  readonly namespaces?: readonly string[];
}

export interface DoubleRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
}

export interface KubeApiserverDouble {
  readonly url: string;
  /** PEM of the double's CA (signs its serving and client certificates). */
  readonly ca: string;
  /** The kubeconfig it wrote: its URL, CA and a client certificate it accepts. */
  readonly kubeconfigPath: string;
  /** Every TokenReview / SubjectAccessReview body received, parsed, in order. */
  readonly tokenReviews: unknown[];
  readonly subjectAccessReviews: any[];
  /** Count of configmap reads (GETs and lists, not watches). */
  configMapReads(): number;
  /** Configmap watches open now. */
  openConfigMapWatches(): number;
  /** Ends every open configmap watch; `expired`: first sends a 410 ERROR and drops the history. */
  endConfigMapWatches(opts?: { readonly expired?: boolean }): void;
  /** While set, configmap watch requests answer this HTTP status (reads still work). */
  setWatchFailure(code: number | undefined): void;
  setTokens(tokens: NonNullable<KubeApiserverDoubleOptions['tokens']>): void;
  setSarRules(rules: readonly SarRule[]): void;
  setConfigMap(data: Readonly<Record<string, string>> | undefined): void;
  /** While set, every request answers this HTTP status with a Status body. */
  setFailure(code: number | undefined): void;
  /** Secrets by `<namespace>/<name>`, as stored (data base64). */
  readonly secrets: Map<string, any>;
  /** APIServices by name. */
  readonly apiServices: Map<string, any>;
  /** Every request received, in order. */
  readonly requests: DoubleRequest[];
  /** Creates, changes (phase `Active` or `Terminating`) or, with undefined, deletes a namespace; watches see it unless paused. */
  setNamespace(name: string, phase: 'Active' | 'Terminating' | undefined): void;
  /** While paused, namespace changes are not sent to open namespace watches (a lagging informer). */
  pauseNamespaceEvents(paused: boolean): void;
  /** Namespace watches open now. */
  openNamespaceWatches(): number;
  /** Ends every open namespace watch with a 410 Expired ERROR event (the client must re-list). */
  expireNamespaceWatches(): void;
  close(): Promise<void>;
}

export async function startKubeApiserverDouble(opts: KubeApiserverDoubleOptions = {}): Promise<KubeApiserverDouble> {
  const ca: TestCA = await makeCA('kube-apiserver-double-ca');
  const serving = await issueServing(ca);
  const client: Issued = await issue(ca, { cn: 'aggregated-apiserver', o: ['system:serviceaccounts'] });
  let tokens = opts.tokens ?? {};
  let rules = opts.sarRules ?? [];
  let configMap = opts.configMap;
  let failure: number | undefined;
  let cmReads = 0;
  const tokenReviews: unknown[] = [];
  const subjectAccessReviews: unknown[] = [];
  const secrets = new Map<string, any>();
  const apiServices = new Map<string, any>((opts.apiServices ?? []).map((a) => [a.metadata.name, structuredClone(a)]));
  const requests: DoubleRequest[] = [];
  let resourceVersion = 1;
  let cmResourceVersion = configMap ? ++resourceVersion : 0;
  let watchFailure: number | undefined;
  /** Configmap events after `historyFloor`, for watches that start from an older resourceVersion. */
  let history: Array<{ rv: number; type: string; object: unknown }> = [];
  let historyFloor = resourceVersion;
  const watches = new Set<ServerResponse>();
  const namespaces = new Map<string, any>();
  const namespaceWatches = new Set<ServerResponse>();
  let namespaceEventsPaused = false;
  const namespaceObject = (name: string, phase: string, rv: number) => ({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, resourceVersion: String(rv), labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase },
  });
  const setNamespace = (name: string, phase: 'Active' | 'Terminating' | undefined) => {
    const prev = namespaces.get(name);
    if (!prev && !phase) return;
    const rv = ++resourceVersion;
    const next = phase ? namespaceObject(name, phase, rv) : undefined;
    if (next) namespaces.set(name, next);
    else namespaces.delete(name);
    const event = { type: !prev ? 'ADDED' : next ? 'MODIFIED' : 'DELETED', object: next ?? { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } } };
    if (!namespaceEventsPaused) for (const w of namespaceWatches) sendEvent(w, event);
  };
  for (const n of opts.namespaces ?? []) setNamespace(n, 'Active');
  const configMapObject = (data: Readonly<Record<string, string>>, rv: number) => ({
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system', resourceVersion: String(rv) },
    data,
  });
  const sendEvent = (res: ServerResponse, event: unknown) => void res.write(`${JSON.stringify(event)}\n`);
  const setConfigMap = (next: Readonly<Record<string, string>> | undefined) => {
    const prev = configMap;
    configMap = next;
    if (!prev && !next) return;
    const rv = ++resourceVersion;
    cmResourceVersion = next ? rv : 0;
    const event = { type: !prev ? 'ADDED' : next ? 'MODIFIED' : 'DELETED', object: configMapObject((next ?? prev)!, rv) };
    history.push({ rv, ...event });
    for (const w of watches) sendEvent(w, event);
  };

  const server: Server = createServer({ cert: serving.cert, key: serving.key, ca: [ca.cert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void handle(req, res).catch((e) => status(res, 500, 'InternalError', String(e)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(req.socket as TLSSocket).authorized) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (failure) return status(res, failure, 'InternalError', `double failing with ${failure}`);
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push({ method: req.method ?? '', path: url.pathname, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}) });
    const body = req.method === 'POST' || req.method === 'PATCH' ? JSON.parse((await readBody(req)) || '{}') : undefined;
    if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
      tokenReviews.push(body);
      const entry = tokens[body?.spec?.token as string];
      const st =
        entry && 'username' in entry
          ? { authenticated: true, user: { username: entry.username, ...(entry.uid ? { uid: entry.uid } : {}), groups: entry.groups ?? [], ...(entry.extra ? { extra: entry.extra } : {}) } }
          : { authenticated: false, user: {}, ...(entry && 'error' in entry ? { error: entry.error } : {}) };
      return json(res, 201, { ...body, status: st });
    }
    if (req.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
      subjectAccessReviews.push(body);
      const rule = rules.find((r) => sarMatches(r, body?.spec ?? {}));
      const st = rule
        ? { allowed: rule.decision === 'allow', ...(rule.decision === 'deny' ? { denied: true } : {}), ...(rule.reason ? { reason: rule.reason } : {}) }
        : { allowed: false, ...(opts.noOpinionReason ? { reason: opts.noOpinionReason } : {}) };
      return json(res, 201, { ...body, status: st });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication') {
      cmReads++;
      if (!configMap) return status(res, 404, 'NotFound', 'configmaps "extension-apiserver-authentication" not found');
      return json(res, 200, configMapObject(configMap, cmResourceVersion));
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/namespaces/kube-system/configmaps') {
      if (url.searchParams.get('fieldSelector') !== 'metadata.name=extension-apiserver-authentication') {
        return status(res, 400, 'BadRequest', 'the double serves only the extension-apiserver-authentication configmap');
      }
      const watch = url.searchParams.get('watch');
      if (watch === '1' || watch === 'true') return watchConfigMap(url, res);
      cmReads++;
      return json(res, 200, {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(resourceVersion) },
        items: configMap ? [configMapObject(configMap, cmResourceVersion)] : [],
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/namespaces') {
      const watch = url.searchParams.get('watch');
      if (watch === '1' || watch === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        namespaceWatches.add(res);
        res.on('close', () => namespaceWatches.delete(res));
        return;
      }
      return json(res, 200, { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) }, items: [...namespaces.values()] });
    }
    const namespace = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && namespace) {
      const ns = namespaces.get(namespace[1]);
      return ns ? json(res, 200, ns) : status(res, 404, 'NotFound', `namespaces "${namespace[1]}" not found`, { name: namespace[1], kind: 'namespaces' });
    }
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(url.pathname);
    if (secret) {
      const [, ns, name] = secret;
      if (req.method === 'GET' && name) {
        const s = secrets.get(`${ns}/${name}`);
        return s ? json(res, 200, s) : status(res, 404, 'NotFound', `secrets "${name}" not found`, { name, kind: 'secrets' });
      }
      if (req.method === 'POST' && !name) {
        const n = body?.metadata?.name as string;
        if (secrets.has(`${ns}/${n}`)) return status(res, 409, 'AlreadyExists', `secrets "${n}" already exists`, { name: n, kind: 'secrets' });
        const stored = { ...body, metadata: { ...body.metadata, namespace: ns, resourceVersion: String(++resourceVersion), uid: `uid-${resourceVersion}` } };
        secrets.set(`${ns}/${n}`, stored);
        return json(res, 201, stored);
      }
    }
    const apiService = /^\/apis\/apiregistration\.k8s\.io\/v1\/apiservices\/([^/]+)$/.exec(url.pathname);
    if (apiService) {
      const name = apiService[1];
      const current = apiServices.get(name);
      if (!current) return status(res, 404, 'NotFound', `apiservices.apiregistration.k8s.io "${name}" not found`, { name, group: 'apiregistration.k8s.io', kind: 'apiservices' });
      if (req.method === 'GET') return json(res, 200, current);
      if (req.method === 'PATCH') {
        if (req.headers['content-type'] !== 'application/merge-patch+json') return status(res, 415, 'UnsupportedMediaType', 'the double takes merge patches only');
        const next = mergePatch(current, body);
        next.metadata.resourceVersion = String(++resourceVersion);
        apiServices.set(name, next);
        return json(res, 200, next);
      }
    }
    return status(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  function watchConfigMap(url: URL, res: ServerResponse): void {
    if (watchFailure) return status(res, watchFailure, watchFailure === 403 ? 'Forbidden' : 'InternalError', `watch refused with ${watchFailure}`);
    const from = url.searchParams.get('resourceVersion');
    // No Content-Length: node sends Transfer-Encoding: chunked, as kube-apiserver does.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    if (from && from !== '0' && Number(from) < historyFloor) {
      sendEvent(res, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${historyFloor})`, reason: 'Expired', code: 410 } });
      return void res.end();
    }
    if (!from || from === '0') {
      // Start at the most recent state: a synthetic ADDED for what exists.
      if (configMap) sendEvent(res, { type: 'ADDED', object: configMapObject(configMap, cmResourceVersion) });
    } else {
      for (const e of history) if (e.rv > Number(from)) sendEvent(res, { type: e.type, object: e.object });
    }
    watches.add(res);
    res.on('close', () => watches.delete(res));
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'kube-apiserver-double-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'double', cluster: { server: url, 'certificate-authority-data': b64(ca.cert) } }],
      users: [{ name: 'double', user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } }],
      contexts: [{ name: 'double', context: { cluster: 'double', user: 'double' } }],
      'current-context': 'double',
    }),
    { mode: 0o600 },
  );

  return {
    url,
    ca: ca.cert,
    kubeconfigPath,
    tokenReviews,
    subjectAccessReviews,
    configMapReads: () => cmReads,
    setTokens: (t) => void (tokens = t),
    setSarRules: (r) => void (rules = r),
    setConfigMap,
    openConfigMapWatches: () => watches.size,
    endConfigMapWatches(o = {}) {
      for (const w of watches) {
        if (o.expired) sendEvent(w, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } });
        w.end();
      }
      watches.clear();
      if (o.expired) {
        history = [];
        historyFloor = resourceVersion;
      }
    },
    setWatchFailure: (c) => void (watchFailure = c),
    setFailure: (c) => void (failure = c),
    secrets,
    apiServices,
    requests,
    setNamespace,
    pauseNamespaceEvents: (p) => void (namespaceEventsPaused = p),
    openNamespaceWatches: () => namespaceWatches.size,
    expireNamespaceWatches() {
      for (const w of namespaceWatches) {
        sendEvent(w, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } });
        w.end();
      }
      namespaceWatches.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sarMatches(r: SarRule, spec: any): boolean {
  const groups: string[] = spec.groups ?? [];
  if (r.users && !r.users.includes(spec.user)) return false;
  if (r.groups && !groups.some((g) => r.groups!.includes(g))) return false;
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (r.paths) return Boolean(nra) && r.paths.includes(nra.path) && (!r.verbs || r.verbs.includes(nra.verb));
  if (!ra) return !r.verbs && !r.resources && !r.namespaces && !r.names && !r.subresources;
  if (r.verbs && !r.verbs.includes(ra.verb)) return false;
  if (r.resources && !r.resources.includes(ra.resource)) return false;
  if (r.subresources && !r.subresources.includes(ra.subresource ?? '')) return false;
  if (r.namespaces && !r.namespaces.includes(ra.namespace ?? '')) return false;
  if (r.names && !r.names.includes(ra.name ?? '')) return false;
  return true;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, string>): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
