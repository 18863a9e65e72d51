// The one place a client touches the network: node:https (node:http for plain-http clusters)
// configured by @kubernetes/client-node's KubeConfig, so every kubeconfig auth method works
// (client certs, bearer tokens, token files, exec and auth-provider plugins, basic auth,
// impersonation, proxies). Credentials are applied per request, as client-node does, because
// exec and OIDC tokens rotate.
import * as http from 'node:http';
import * as https from 'node:https';
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClientError, errorFromResponse } from './errors.js';

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path (`/apis/g/v/...`), appended to the cluster's server URL. */
  readonly path: string;
  readonly query?: Query;
  /** Sent as JSON unless it is a string. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Sends requests to the current cluster of a KubeConfig. */
export interface Transport {
  /** A JSON request; resolves to the decoded 2xx body, rejects with ApiError or ClientError. */
  json<R>(spec: RequestSpec): Promise<R>;
  /**
   * A streaming GET (watch): resolves to the 200 response once headers arrive; a non-200
   * answer rejects with ApiError. Aborting `signal` destroys the response.
   */
  stream(spec: RequestSpec): Promise<http.IncomingMessage>;
  /** Drops pooled connections. Calls after close still work (a new pool is made). */
  close(): void;
}

/** TLS material from applyToHTTPSOptions that our pooled agent is made from. */
const tlsFields = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function fingerprint(opts: https.RequestOptions): string {
  const h = createHash('sha256');
  for (const field of tlsFields) {
    const v = (opts as Record<string, unknown>)[field];
    h.update(`${field}:`);
    if (v === undefined) h.update('-');
    else if (Buffer.isBuffer(v)) h.update(v);
    else h.update(JSON.stringify(v));
    h.update('\n');
  }
  return h.digest('hex');
}

export function encodeQuery(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export function createTransport(kubeConfig: KubeConfig): Transport {
  // One keep-alive agent, rebuilt when the TLS material changes (a rotated exec cert).
  // Proxy agents from client-node (cluster.proxyUrl) are used as it makes them, per request.
  let pooled: { key: string; agent: http.Agent } | undefined;

  function agentFor(isHttps: boolean, opts: https.RequestOptions, proxied: boolean): http.Agent | undefined {
    if (proxied) return opts.agent instanceof http.Agent ? opts.agent : undefined;
    const key = `${isHttps}:${fingerprint(opts)}`;
    if (pooled?.key !== key) {
      pooled?.agent.destroy();
      const agentOptions: https.AgentOptions = { keepAlive: true };
      for (const field of tlsFields) {
        const v = (opts as Record<string, unknown>)[field];
        if (v !== undefined) (agentOptions as Record<string, unknown>)[field] = v;
      }
      pooled = { key, agent: isHttps ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true }) };
    }
    return pooled.agent;
  }

  async function send(spec: RequestSpec, accept: string): Promise<http.IncomingMessage> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) {
      throw new ClientError('NoCluster', 'the kubeconfig has no current context with a cluster: set current-context');
    }
    const url = new URL(cluster.server.replace(/\/+$/, '') + spec.path + encodeQuery(spec.query));
    const isHttps = url.protocol === 'https:';
    const body =
      spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
    const headers: Record<string, string> = { Accept: accept, 'User-Agent': 'aa-gen-client' };
    if (body !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const opts: https.RequestOptions = { method: spec.method, headers };
    await kubeConfig.applyToHTTPSOptions(opts);
    opts.agent = agentFor(isHttps, opts, Boolean(cluster.proxyUrl));
    const request = (isHttps ? https.request : http.request)(url, { ...opts, signal: spec.signal });
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      request.on('response', resolve);
      request.on('error', (err) => {
        if ((err as { name?: string }).name === 'AbortError') reject(err);
        else reject(new ClientError('Transport', `${spec.method} ${url.origin}${spec.path}: ${err.message}`, { cause: err }));
      });
      request.end(body);
    });
  }

  async function readBody(res: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (err) {
      throw new ClientError('Transport', `reading the response failed: ${(err as Error).message}`, { cause: err });
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  return {
    async json<R>(spec: RequestSpec): Promise<R> {
      const res = await send(spec, 'application/json');
      const text = await readBody(res);
      const code = res.statusCode ?? 0;
      if (code < 200 || code > 299) throw errorFromResponse(code, text);
      try {
        return JSON.parse(text) as R;
      } catch {
        throw new ClientError('Decode', `${spec.method} ${spec.path}: the server answered ${code} with a body that is not JSON`);
      }
    },
    async stream(spec: RequestSpec): Promise<http.IncomingMessage> {
      const res = await send(spec, 'application/json');
      const code = res.statusCode ?? 0;
      if (code !== 200) throw errorFromResponse(code, await readBody(res));
      return res;
    },
    close() {
      pooled?.agent.destroy();
      pooled = undefined;
    },
  };
}
