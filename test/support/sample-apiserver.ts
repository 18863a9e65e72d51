// Go's k8s.io/sample-apiserver (built by scripts/kube-binaries.mjs) delegated to a control plane
// of test/support/control-plane.ts, on loopback, with a serving certificate for the wardle Service
// name kube-aggregator checks: the reference aa-gen's wardle is compared with.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCertificate } from '../../src/runtime/server/certs.js';
import type { ControlPlane } from './control-plane.js';

export interface SampleApiserver {
  readonly port: number;
  /** The CA of its serving certificate (PEM), for the APIServices' caBundle. */
  readonly ca: string;
  output(): string;
  stop(): Promise<void>;
}

export interface SampleApiserverOptions {
  readonly binary: string;
  readonly controlPlane: ControlPlane;
  readonly port: number;
  /** Names of its serving certificate, e.g. `wardle-apiserver.wardle.svc`. */
  readonly serviceHosts: readonly string[];
  /** Its prefix in the control plane's etcd (default /sample-apiserver). */
  readonly etcdPrefix?: string;
}

export async function startSampleApiserver(o: SampleApiserverOptions): Promise<SampleApiserver> {
  const ca = await createCA('sample-apiserver-ca');
  const serving = await issueCertificate(ca, { commonName: o.serviceHosts[0] ?? 'localhost', serverNames: [...o.serviceHosts, 'localhost', '127.0.0.1'] });
  const file = (name: string, content: string): string => {
    const path = join(o.controlPlane.dir, `sample-apiserver-${name}`);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const kubeconfig = o.controlPlane.adminKubeconfig;
  const child: ChildProcess = spawn(
    o.binary,
    [
      `--secure-port=${o.port}`,
      '--bind-address=127.0.0.1',
      `--etcd-servers=${o.controlPlane.etcd.endpoint}`,
      `--etcd-prefix=${o.etcdPrefix ?? '/sample-apiserver'}`,
      `--tls-cert-file=${file('serving.crt', serving.cert)}`,
      `--tls-private-key-file=${file('serving.key', serving.key)}`,
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--v=1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const log = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout?.on('data', log);
  child.stderr?.on('data', log);
  const stop = (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        });

  // /readyz is on the always-allowed paths: ready once its informers have synced.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sample-apiserver exited with ${child.exitCode}:\n${out.slice(-4000)}`);
    try {
      const res = await fetchReadyz(o.port, ca.cert);
      if (res === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sample-apiserver was not ready on port ${o.port} within 60s:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { port: o.port, ca: ca.cert, output: () => out, stop };
}

function fetchReadyz(port: number, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`https://127.0.0.1:${port}/readyz`, { ca, servername: 'localhost', timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
