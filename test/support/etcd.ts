// A real etcd for tests: one `etcd` process on free loopback ports with a temp data dir.
// When `etcd` is not on PATH, tests that need it skip with a loud warning, except under
// CI=true, where they must run and therefore fail.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdHandle {
  /** Client URL, e.g. http://127.0.0.1:40123. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** Stop the process and delete its data dir. */
  stop(): Promise<void>;
  /** Stop and start again on the same ports and data dir (data is kept). */
  restart(): Promise<void>;
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

export async function startEtcd(): Promise<EtcdHandle> {
  if (!etcdAvailable()) throw new Error('etcd is not on PATH: install etcd 3.4+ (Debian: etcd-server)');
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-etcd-'));
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const endpoint = `http://127.0.0.1:${clientPort}`;
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
      if (await healthy(endpoint)) return;
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
    async stop() {
      await halt();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return false;
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
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
