// The aggregation lab: what a cluster gives an aggregated API server, as doubles over real TLS
// (kube-apiserver double, kube-aggregator's front-proxy PKI, a client CA with the seed's
// `development` / system:masters certificate), files for the flags, and the clients the tests
// use: `send` (node https, fresh connection per request) and real `curl`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { promisify } from 'node:util';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI, type ProxiedIdentity } from '../doubles/front-proxy.js';
import { send, type SendOptions, type SentResponse } from '../doubles/https.js';
import { startKubeApiserverDouble, type KubeApiserverDouble, type KubeApiserverDoubleOptions } from '../doubles/kube-apiserver.js';
import { issue, makeCA, type Issued, type TestCA } from '../doubles/pki.js';
import { TempDir } from '../auth/helpers.js';

// These tests describe a machine outside any cluster: a test runner that happens to run in a
// pod must not hand its service account to the servers it starts (kube-client.ts
// inClusterAvailable). Each test file runs in its own process.
delete process.env.KUBERNETES_SERVICE_HOST;
delete process.env.KUBERNETES_SERVICE_PORT;

export const group = 'wardle.example.com';
export const flunders = `/apis/${group}/v1beta1/namespaces/default/flunders`;
export const servingSecret = 'wardle/wardle-apiserver-serving-cert';
export const servingHosts = 'wardle-apiserver,wardle-apiserver.wardle,wardle-apiserver.wardle.svc,127.0.0.1';

export interface Lab {
  readonly dir: TempDir;
  readonly kube: KubeApiserverDouble;
  /** kube-aggregator's request-header CA and its front-proxy-client certificate. */
  readonly fp: FrontProxyPKI;
  /** --client-ca-file. */
  readonly clientCA: TestCA;
  /** CN=development, O=system:masters, signed by the client CA (the seed's lab). */
  readonly development: Issued & { readonly certFile: string; readonly keyFile: string };
  /** CN=front-proxy-client from a CA nobody trusts. */
  readonly otherCAClient: Issued;
  /** CN=intruder signed by the request-header CA: not in the allowed names. */
  readonly intruder: Issued;
  readonly files: { readonly frontProxyCA: string; readonly clientCA: string };
  /** The configmap kube-apiserver writes, for these CAs (API-CONTRACT 8.5). */
  readonly configMap: Record<string, string>;
  close(): Promise<void>;
}

export async function makeLab(kubeOpts: KubeApiserverDoubleOptions = {}): Promise<Lab> {
  const dir = new TempDir();
  const fp = await makeFrontProxyPKI();
  const clientCA = await makeCA('client-ca');
  const dev = await issue(clientCA, { cn: 'development', o: ['system:masters'] });
  const otherCAClient = await issue(await makeCA('front-proxy-ca'), { cn: 'front-proxy-client' });
  const intruder = await issue(fp.ca, { cn: 'intruder' });
  const configMap = {
    'client-ca-file': clientCA.cert,
    'requestheader-client-ca-file': fp.ca.cert,
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
  };
  const kube = await startKubeApiserverDouble({
    apiServices: ['v1beta1', 'v1alpha1'].map((v) => ({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${v}.${group}`, annotations: { 'aa-gen.dev/ca-bundle-from': servingSecret } },
      spec: { group, version: v, groupPriorityMinimum: 1000, versionPriority: 100, service: { namespace: 'wardle', name: 'wardle-apiserver', port: 443 } },
    })),
    ...kubeOpts,
  });
  return {
    dir,
    kube,
    fp,
    clientCA,
    development: { ...dev, certFile: dir.file('development.crt', dev.cert), keyFile: dir.file('development.key', dev.key) },
    otherCAClient,
    intruder,
    files: { frontProxyCA: dir.file('front-proxy-ca.crt', fp.ca.cert), clientCA: dir.file('client-ca.crt', clientCA.cert) },
    configMap,
    async close() {
      await kube.close();
      dir.remove();
    },
  };
}

/** ca.crt of the serving Secret the server made in the double. */
export function servingCA(kube: KubeApiserverDouble): string {
  const secret = kube.secrets.get(servingSecret);
  if (!secret) throw new Error(`the server did not create secret ${servingSecret}`);
  return Buffer.from(secret.data['ca.crt'], 'base64').toString('utf8');
}

/** Requests to one server, trusting `ca` for its serving certificate. */
export function clientFor(url: string, ca: string) {
  return {
    get: (path: string, o: SendOptions = {}): Promise<SentResponse> => send(url + path, { ca, ...o }),
    as: (id: ProxiedIdentity, path: string, o: SendOptions & { client?: Issued } = {}): Promise<SentResponse> =>
      proxiedRequest(url + path, id, { ca, ...o }),
  };
}

/** Real curl with a client certificate: status code and body. */
export async function curl(url: string, o: { cert: string; key: string; cacert: string }): Promise<{ status: number; body: string }> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '--cert', o.cert, '--key', o.key, '--cacert', o.cacert, '-w', '\n%{http_code}', url], {
    timeout: 30_000,
  });
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

/** The serving certificate presented for `servername`, verified against `ca` (kube-aggregator's dial). */
export function servingCertificateFor(port: number, servername: string, ca: string): Promise<{ authorized: boolean; error?: string; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      const error = socket.authorizationError ? String(socket.authorizationError) : undefined;
      // checkServerIdentity is what rejectUnauthorized would apply after the chain check.
      const cert = socket.getPeerCertificate();
      const identity = checkServerIdentity(servername, cert)?.message;
      socket.end();
      resolve({ authorized: socket.authorized && !identity, error: error ?? identity, cert });
    });
    socket.on('error', reject);
  });
}

/** Every audit event written so far. */
export function auditEvents(path: string): any[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The server's output once it matches `re` (lines after "Serving ..." may lag a little). */
export async function outputMatching(server: { output(): string }, re: RegExp, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(server.output()) && Date.now() < deadline) await sleep(20);
  return server.output();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The Status kube sends for a request no authenticator recognised. */
export const unauthorizedStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
