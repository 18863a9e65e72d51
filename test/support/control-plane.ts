// A real Kubernetes control plane on loopback for end-to-end tests: etcd, kube-apiserver (which
// contains kube-aggregator) with the front-proxy flags, RBAC and Node authorization, a static
// token file and service account keys, and, when asked, kube-controller-manager. No kubelet,
// no pods: an aggregated server runs as a local process, reached through a Service of type
// ExternalName `localhost` (k8s.io/apiserver/pkg/util/proxy/proxy.go ResolveCluster dials
// `<externalName>:<APIService port>`).
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCertificate, type CertKeyPair } from '../../src/runtime/server/certs.js';
import { freePort, startEtcd, type EtcdHandle } from './etcd.js';
import type { KubeBinaries } from './kube.js';

/** A user of the static token file (--token-auth-file). */
export interface TokenUser {
  readonly token: string;
  readonly name: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
}

export interface ControlPlaneOptions {
  readonly binaries: KubeBinaries;
  readonly users?: readonly TokenUser[];
  /** Also run kube-controller-manager (namespace deletion, garbage collection, service account tokens). */
  readonly controllerManager?: boolean;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> of kube-apiserver. */
  readonly url: string;
  readonly dir: string;
  /** The CA of kube-apiserver's serving certificate and of its client certificates (--client-ca-file). */
  readonly ca: CertKeyPair;
  /** The front-proxy CA (--requestheader-client-ca-file); the new one after `restartApiserver({ rotateFrontProxy: 'switch-cert' })`. */
  readonly frontProxyCA: CertKeyPair;
  /** After `add-ca`: the CA the next `switch-cert` moves to. */
  readonly nextFrontProxyCA: CertKeyPair | undefined;
  /** The aggregator's proxy client certificate (--proxy-client-cert-file), issued by `frontProxyCA`. */
  readonly proxyClient: CertKeyPair;
  /** kubeconfig of `admin` in system:masters, a client certificate. */
  readonly adminKubeconfig: string;
  /** That client certificate, for raw requests. */
  readonly admin: CertKeyPair;
  readonly etcd: EtcdHandle;
  /** Writes a kubeconfig that authenticates with a bearer token. */
  kubeconfigForToken(name: string, token: string): string;
  /**
   * Stops kube-apiserver and starts it again on the same port, etcd and data. A front-proxy
   * rotation goes in two restarts, as one rotates a CA: `add-ca` trusts a new CA next to the
   * old one (the proxy certificate unchanged), `switch-cert` then serves a proxy certificate of
   * the new CA and trusts only it. kube-apiserver writes what it trusts into
   * extension-apiserver-authentication.
   */
  restartApiserver(opts?: { rotateFrontProxy?: 'add-ca' | 'switch-cert' }): Promise<void>;
  /** The last output of kube-apiserver (and kube-controller-manager), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The names the aggregator's proxy client certificate carries and kube-apiserver allows. */
export const frontProxyClientName = 'front-proxy-client';

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-gen-kube-'));
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const procs: ChildProcess[] = [];
  let out = '';
  let etcd: EtcdHandle | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all(procs.reverse().map(stopProcess));
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    etcd = await startEtcd();
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;

    const ca = await createCA('kube-test-ca');
    let frontProxyCA = await createCA('kube-test-front-proxy-ca');
    const serving = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      serverNames: ['127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', '10.0.0.1'],
    });
    const admin = await issueCertificate(ca, { commonName: 'admin', organizations: ['system:masters'], client: true });
    let proxyClient = await issueCertificate(frontProxyCA, { commonName: frontProxyClientName, client: true });
    const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    const kubeconfig = (name: string, user: Record<string, string>): string =>
      file(
        `${name}.kubeconfig`,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'test', cluster: { server: url, 'certificate-authority-data': b64(ca.cert) } }],
          users: [{ name, user }],
          contexts: [{ name, context: { cluster: 'test', user: name } }],
          'current-context': name,
        }),
      );
    const adminKubeconfig = kubeconfig('admin', { 'client-certificate-data': b64(admin.cert), 'client-key-data': b64(admin.key) });
    // token,user,uid[,"group1,group2"]: an empty fourth field would be one group named "" (tokenfile.go).
    const tokens = (opts.users ?? []).map((u) => csv([u.token, u.name, u.uid ?? u.name, ...(u.groups?.length ? [u.groups.join(',')] : [])])).join('\n');

    const apiserverArgs = [
      `--etcd-servers=${etcd.endpoint}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--tls-cert-file=${file('apiserver.crt', serving.cert)}`,
      `--tls-private-key-file=${file('apiserver.key', serving.key)}`,
      `--client-ca-file=${file('ca.crt', ca.cert)}`,
      `--token-auth-file=${file('tokens.csv', tokens + '\n')}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-key-file=${file('sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }).toString())}`,
      `--service-account-signing-key-file=${file('sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.0.0.0/24',
      // Endpoints cannot hold a loopback address: do not publish this server in default/kubernetes.
      '--endpoint-reconciler-type=none',
      `--requestheader-client-ca-file=${file('front-proxy-ca.crt', frontProxyCA.cert)}`,
      `--requestheader-allowed-names=${frontProxyClientName}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${file('front-proxy-client.crt', proxyClient.cert)}`,
      `--proxy-client-key-file=${file('front-proxy-client.key', proxyClient.key)}`,
      '--enable-aggregator-routing=false',
      '--profiling=false',
      '--v=1',
    ];
    const log = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
    procs.push(launch(opts.binaries.kubeApiserver, apiserverArgs, log));
    await waitReady(url, ca.cert, admin, procs[0]!, () => out, 180_000);

    let nextFrontProxyCA: CertKeyPair | undefined;
    const restartApiserver = async (o: { rotateFrontProxy?: 'add-ca' | 'switch-cert' } = {}): Promise<void> => {
      await stopProcess(procs[0]!);
      if (o.rotateFrontProxy === 'add-ca') {
        nextFrontProxyCA = await createCA('kube-test-front-proxy-ca-rotated');
        file('front-proxy-ca.crt', frontProxyCA.cert + nextFrontProxyCA.cert);
      } else if (o.rotateFrontProxy === 'switch-cert') {
        if (!nextFrontProxyCA) throw new Error("restartApiserver: 'switch-cert' needs an 'add-ca' restart first");
        frontProxyCA = nextFrontProxyCA;
        proxyClient = await issueCertificate(frontProxyCA, { commonName: frontProxyClientName, client: true });
        file('front-proxy-ca.crt', frontProxyCA.cert);
        file('front-proxy-client.crt', proxyClient.cert);
        file('front-proxy-client.key', proxyClient.key);
      }
      procs[0] = launch(opts.binaries.kubeApiserver, apiserverArgs, log);
      await waitReady(url, ca.cert, admin, procs[0], () => out, 180_000);
    };

    if (opts.controllerManager) {
      procs.push(
        launch(
          opts.binaries.kubeControllerManager,
          [
            `--kubeconfig=${adminKubeconfig}`,
            '--leader-elect=false',
            '--secure-port=0',
            '--controllers=namespace,garbagecollector,serviceaccount-token,serviceaccount',
            `--service-account-private-key-file=${join(dir, 'sa.key')}`,
            `--root-ca-file=${join(dir, 'ca.crt')}`,
            '--use-service-account-credentials=false',
            '--v=1',
          ],
          log,
        ),
      );
    }

    return {
      url,
      dir,
      ca,
      get frontProxyCA() {
        return frontProxyCA;
      },
      get nextFrontProxyCA() {
        return nextFrontProxyCA;
      },
      get proxyClient() {
        return proxyClient;
      },
      restartApiserver,
      adminKubeconfig,
      admin,
      etcd,
      kubeconfigForToken: (name, token) => kubeconfig(name, { token }),
      output: () => out,
      stop,
    };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- control plane output ---\n${out}`);
  }
}

function launch(binary: string, args: readonly string[], log: (d: Buffer) => void): ChildProcess {
  const p = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout?.on('data', log);
  p.stderr?.on('data', log);
  return p;
}

/** Polls /readyz with the admin certificate: every post-start hook (RBAC bootstrap, the authentication configmap) has run. */
async function waitReady(url: string, ca: string, client: CertKeyPair, proc: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`kube-apiserver exited with ${proc.exitCode}`);
    if ((await get(`${url}/readyz`, ca, client)) === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`kube-apiserver was not ready at ${url} within ${timeoutMs / 1000}s:\n${output().slice(-4000)}`);
}

function get(url: string, ca: string, client: CertKeyPair): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { ca, cert: client.cert, key: client.key, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const csv = (fields: readonly string[]): string => fields.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
