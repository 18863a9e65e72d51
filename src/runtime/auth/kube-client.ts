// The one HTTP client this module uses to talk to kube-apiserver (TokenReview,
// SubjectAccessReview, the extension-apiserver-authentication configmap). Credentials, CA and
// TLS settings come from a kubeconfig through @kubernetes/client-node's KubeConfig, which signs
// each request (applyToHTTPSOptions), so exec plugins and rotating service-account tokens work
// as they do for every other client-node user.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
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
  };
}

function send(url: URL, options: RequestOptions, payload: Buffer | undefined, timeoutMs: number): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request to ${url.origin} timed out after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** `message` of a Status body, or the HTTP status, for error messages. */
export function describeFailure(res: KubeResponse): string {
  const b = res.body as { message?: unknown } | undefined;
  return typeof b?.message === 'string' ? `${res.status}: ${b.message}` : `HTTP ${res.status}`;
}
