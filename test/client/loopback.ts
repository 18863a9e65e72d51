// Test support: a scripted HTTP server on loopback that stands in for an apiserver where the
// real one cannot be steered into a state (an HTTP 410 on a watch, a connection reset
// mid-event). It is a double built from the documented wire contract (API-CONTRACT 4), named
// as such; tests of normal behaviour run against the real demo server (integration.test.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface Loopback {
  readonly url: string;
  readonly kubeConfig: KubeConfig;
  /** Requests received, as `METHOD path?query`. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** A plain-http double; the kubeconfig sets insecure-skip-tls-verify, which client-node requires for http. */
export async function startLoopback(handler: Handler): Promise<Loopback> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfigClass();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'loopback', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'loopback', cluster: 'loopback', user: 'u' }],
    currentContext: 'loopback',
  });
  return {
    url,
    kubeConfig,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const eventLine = (type: string, name: string, rv: string, namespace = 'default') =>
  JSON.stringify({
    type,
    object: { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name, namespace, resourceVersion: rv }, spec: { size: 1 } },
  }) + '\n';

export const statusBody = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
