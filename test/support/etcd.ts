// A real etcd for tests: one `etcd` process on free loopback ports with a temp data dir.
// When `etcd` is not on PATH, tests that need it skip with a loud warning, except under
// CI=true, where they must run and therefore fail.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCertificate } from '../../src/runtime/server/certs.js';

export interface EtcdHandle {
  /** Client URL, e.g. http://127.0.0.1:40123. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** Stop the process and delete its data dir. */
  stop(): Promise<void>;
  /** Stop and start again on the same ports and data dir (data is kept). */
  restart(): Promise<void>;
  /** With `tls`: the CA etcd's certificate chains to and a client certificate it accepts (PEM and files). */
  readonly tls?: EtcdClientTls;
}

export interface EtcdClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface EtcdStartOptions {
  /** Serve clients over https:// only, and require a client certificate of our CA (--client-cert-auth). */
  readonly tls?: boolean;
  /** More etcd flags. */
  readonly args?: readonly string[];
}

let availability: boolean | undefined;

/** True when an `etcd` binary runs here. */
export function etcdAvailable(): boolean {
  if (availability === undefined) {
    const r = spawnSync('etcd', ['--version'], { stdio: 'ignore' });
    availability = r.status === 0;
  }
  return availability;
}

/**
 * Whether tests needing etcd should be skipped: only when etcd is missing outside CI, and then
 * with a loud warning naming `what`. Under CI=true a missing etcd is not skipped (tests fail).
 */
export function skipWithoutEtcd(what: string): boolean {
  if (etcdAvailable()) return false;
  if (process.env.CI === 'true') return false;
  console.warn(
    `\n!!! SKIPPING ${what}: no \`etcd\` binary on PATH. Install etcd 3.4+ (Debian: apt-get install etcd-server) to run them.\n`,
  );
  return true;
}

export async function startEtcd(opts: EtcdStartOptions = {}): Promise<EtcdHandle> {
  if (!etcdAvailable()) throw new Error('etcd is not on PATH: install etcd 3.4+ (Debian: etcd-server)');
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-etcd-'));
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const endpoint = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const tlsDir = opts.tls ? mkdtempSync(join(tmpdir(), 'aa-gen-etcd-tls-')) : undefined;
  const tls = tlsDir ? await writeTls(tlsDir) : undefined;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`,
    '--initial-cluster-state', 'new',
    '--log-level', 'error',
    '--logger', 'zap',
    ...(tls ? ['--cert-file', tls.server.certFile, '--key-file', tls.server.keyFile, '--trusted-ca-file', tls.client.caFile, '--client-cert-auth'] : []),
    ...(opts.args ?? []),
  ];
  let proc: ChildProcess | undefined;
  let output = '';

  async function launch(): Promise<void> {
    output = '';
    const p = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    p.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (p.exitCode !== null) throw new Error(`etcd exited with ${p.exitCode}:\n${output}`);
      if (await healthy(endpoint, tls?.client)) return;
      await sleep(50);
    }
    p.kill('SIGKILL');
    throw new Error(`etcd did not become healthy at ${endpoint} within 15s:\n${output}`);
  }

  async function halt(): Promise<void> {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
      p.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      p.kill('SIGTERM');
    });
  }

  await launch();
  return {
    endpoint,
    dataDir,
    tls: tls?.client,
    async stop() {
      await halt();
      rmSync(dataDir, { recursive: true, force: true });
      if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

/** A CA, etcd's serving certificate for 127.0.0.1 and a client certificate, as files in `dir`. */
async function writeTls(dir: string): Promise<{ server: { certFile: string; keyFile: string }; client: EtcdClientTls }> {
  const ca = await createCA('etcd-test-ca');
  const server = await issueCertificate(ca, { commonName: 'etcd', serverNames: ['127.0.0.1', 'localhost'] });
  const client = await issueCertificate(ca, { commonName: 'aa-gen', client: true });
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  return {
    server: { certFile: file('server.crt', server.cert), keyFile: file('server.key', server.key) },
    client: { ...client, ca: ca.cert, caFile: file('ca.crt', ca.cert), certFile: file('client.crt', client.cert), keyFile: file('client.key', client.key) },
  };
}

async function healthy(endpoint: string, tls?: EtcdClientTls): Promise<boolean> {
  if (tls) {
    return new Promise((resolve) => {
      const req = request(`${endpoint}/health`, { ca: tls.ca, cert: tls.cert, key: tls.key, timeout: 1000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return false;
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
