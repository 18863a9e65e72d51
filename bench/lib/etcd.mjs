// A real etcd for benchmarks: one `etcd` process on free loopback ports with a temp data dir
// (the logic of test/support/etcd.ts, in plain JS so bench scripts need no compiler).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './common.mjs';

export function etcdAvailable() {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts etcd and resolves once /health says true. `stop()` kills it and deletes its data. */
export async function startEtcd() {
  if (!etcdAvailable()) throw new Error('etcd is not on PATH: install etcd 3.4+ (Debian: apt-get install etcd-server)');
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-bench-etcd-'));
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(
    'etcd',
    [
      '--name', 'bench',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bench=${peer}`,
      '--initial-cluster-state', 'new',
      '--log-level', 'error',
      '--logger', 'zap',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  proc.stdout.on('data', (d) => (output = (output + d).slice(-4000)));
  proc.stderr.on('data', (d) => (output = (output + d).slice(-4000)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}:\n${output}`);
    if (await healthy(endpoint)) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`etcd did not become healthy at ${endpoint} within 15s:\n${output}`);
    }
    await sleep(50);
  }
  return {
    endpoint,
    dataDir,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          proc.kill('SIGTERM');
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function healthy(endpoint) {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && (await res.json()).health === 'true';
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = srv.address().port;
      srv.close(() => resolve(port));
    });
  });
}
