// The one HTTP client this module uses to talk to kube-apiserver (TokenReview,
// SubjectAccessReview, the extension-apiserver-authentication configmap). Credentials, CA and
// TLS settings come from a kubeconfig through @kubernetes/client-node's KubeConfig, which signs
// each request (applyToHTTPSOptions), so exec plugins and rotating service-account tokens work
// as they do for every other client-node user.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse {
  readonly status: number;
  readonly text: string;
  /** The parsed body when it is JSON, else undefined. */
  readonly body: unknown;
}

export interface KubeClient {
  /** The server URL from the kubeconfig's current cluster. */
  readonly server: string;
  /**
   * One request; resolves with any HTTP status, rejects on transport errors and timeouts.
   * `path` is absolute (`/apis/...`) and may carry a query.
   */
  request(method: string, path: string, body?: unknown, opts?: KubeRequestOptions): Promise<KubeResponse>;
  /**
   * A watch: one long GET of `path` (which carries `watch=1` and its other query parameters),
   * read as newline-delimited JSON events. Handlers are called until `onEnd`, exactly once,
   * unless `stop()` is called first (then nothing more is called).
   */
  watch(path: string, handlers: KubeWatchHandlers, opts?: KubeWatchOptions): KubeWatch;
}

/** One watch event (k8s.io/apimachinery pkg/apis/meta/v1 WatchEvent); ERROR carries a Status. */
export interface KubeWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: unknown;
}

export interface KubeWatchHandlers {
  onEvent(event: KubeWatchEvent): void;
  /**
   * The stream is over: no error when the server ended it cleanly (re-list or re-watch), a
   * KubeWatchError otherwise (refused with `response` set, or a transport failure).
   */
  onEnd(err?: KubeWatchError): void;
}

export interface KubeWatchOptions {
  /** Time to the response headers. Default 10 s. */
  readonly timeoutMs?: number;
  /** No bytes for this long ends the watch with an error (a dead connection). Default: none. */
  readonly idleTimeoutMs?: number;
}

export interface KubeWatch {
  stop(): void;
}

/** A watch that failed; `response` is set when the server refused it (non-2xx status). */
export class KubeWatchError extends Error {
  constructor(
    message: string,
    readonly response?: KubeResponse,
  ) {
    super(message);
    this.name = 'KubeWatchError';
  }
}

export interface KubeRequestOptions {
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Of the body; default `application/json` (a merge patch sends `application/merge-patch+json`). */
  readonly contentType?: string;
}

/** A kubeconfig that cannot be used; the message names the flag. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/** Loads `path` (as given to `flag`) and returns a client for its current context. */
export function kubeClientFromFile(path: string, flag: string): KubeClient {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    throw new KubeconfigError(`cannot load ${flag} ${path}: ${(e as Error).message}`);
  }
  return kubeClient(kc, `${flag} ${path}`);
}

/** Where a pod's service account credentials are mounted (client-go rest.InClusterConfig). */
export const serviceAccountTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * True when running in a pod with a service account, by client-go's rule (rest.InClusterConfig):
 * KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set and the token file exists.
 */
export function inClusterAvailable(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(serviceAccountTokenPath));
}

/** A client with the pod's service account (KubeConfig.loadFromCluster), the token re-read as it rotates. */
export function kubeClientFromCluster(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kubeClient(kc, 'the in-cluster service account config');
}

/** A client for `kc`'s current context; `source` names the kubeconfig in error messages. */
export function kubeClient(kc: KubeConfig, source = 'kubeconfig'): KubeClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new KubeconfigError(`${source} has no current cluster with a server URL`);
  const server = cluster.server.replace(/\/+$/, '');
  return {
    server,
    async request(method, path, body, opts = {}) {
      const url = new URL(server + path);
      const options: RequestOptions = { method, headers: { Accept: 'application/json' } };
      // Signs the request: CA, client certificate/key, bearer token or exec credential.
      await kc.applyToHTTPSOptions(options);
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      if (payload) {
        options.headers = { ...options.headers, 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': payload.length };
      }
      return send(url, options, payload, opts.timeoutMs ?? 10_000);
    },
    watch(path, handlers, opts = {}) {
      let stopped = false;
      let req: ClientRequest | undefined;
      const end = (err?: KubeWatchError) => {
        if (stopped) return;
        stopped = true;
        req?.destroy();
        handlers.onEnd(err);
      };
      void (async () => {
        const url = new URL(server + path);
        const options: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
        await kc.applyToHTTPSOptions(options);
        if (stopped) return;
        req = openWatch(url, options, (e) => stopped || handlers.onEvent(e), end, opts);
      })().catch((e: Error) => end(new KubeWatchError(`watch of ${server}${path} failed: ${e.message}`)));
      return {
        stop() {
          stopped = true;
          req?.destroy();
        },
      };
    },
  };
}

/** Sends the watch GET and feeds complete lines to `onEvent`; `end` is idempotent. */
function openWatch(
  url: URL,
  options: RequestOptions,
  onEvent: (e: KubeWatchEvent) => void,
  end: (err?: KubeWatchError) => void,
  opts: KubeWatchOptions,
): ClientRequest {
  const where = `watch of ${url.origin}${url.pathname}`;
  // A dedicated connection: a watch holds its socket for minutes, outside the keep-alive pool.
  const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, { ...options, agent: false }, (res) => {
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      readResponse(res).then(
        (response) => end(new KubeWatchError(`${where} refused: ${describeFailure(response)}`, response)),
        (e: Error) => end(new KubeWatchError(`${where}: ${e.message}`)),
      );
      return;
    }
    req.setTimeout(opts.idleTimeoutMs ?? 0);
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line) continue;
        let event: KubeWatchEvent;
        try {
          event = JSON.parse(line) as KubeWatchEvent;
        } catch {
          return end(new KubeWatchError(`${where}: not a JSON watch event: ${line.slice(0, 200)}`));
        }
        onEvent(event);
      }
    });
    res.on('end', () => end());
    res.on('error', (e) => end(new KubeWatchError(`${where}: ${e.message}`)));
    res.on('aborted', () => end(new KubeWatchError(`${where}: connection closed`)));
  });
  req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no data for too long`)));
  req.on('error', (e) => end(new KubeWatchError(`${where}: ${e.message}`)));
  req.on('close', () => end(new KubeWatchError(`${where}: connection closed`)));
  req.end();
  return req;
}

/**
 * One request. A GET whose connection is reset is sent once more, as client-go's rest.Request
 * retries a GET on "connection reset by peer" (request.go, IsConnectionReset): a kept-alive
 * connection the server closes just as it is reused fails that way.
 */
function send(url: URL, options: RequestOptions, payload: Buffer | undefined, timeoutMs: number, retried = false): Promise<KubeResponse> {
  return new Promise<KubeResponse>((resolve, reject) => {
    const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, (res) => {
      readResponse(res).then(resolve, reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request to ${url.origin} timed out after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(payload);
  }).catch((e: NodeJS.ErrnoException) => {
    if (retried || options.method !== 'GET' || e.code !== 'ECONNRESET') throw e;
    return send(url, options, payload, timeoutMs, true);
  });
}

/** The whole response: status, text, and the body parsed when it is JSON. */
function readResponse(res: IncomingMessage): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: res.statusCode ?? 0, text, body });
    });
    res.on('error', reject);
  });
}

/** `message` of a Status body, or the HTTP status, for error messages. */
export function describeFailure(res: KubeResponse): string {
  const b = res.body as { message?: unknown } | undefined;
  return typeof b?.message === 'string' ? `${res.status}: ${b.message}` : `HTTP ${res.status}`;
}
