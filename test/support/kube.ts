// The real Kubernetes binaries (kube-apiserver with kube-aggregator, kube-controller-manager,
// sample-apiserver) that scripts/kube-binaries.mjs builds from test/kube/ into a cache outside
// the repo. Tests that need them skip loudly without Go, except under CI=true, where they run
// (and fail when Go is missing). The script holds a file lock, so parallel vitest workers and the
// background build .ci/run starts share one build.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './example-server.js';

export interface KubeBinaries {
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly sampleApiserver: string;
}

/** A cold build on 2 busy cores takes tens of minutes (test/kube/README.md); a cached one is instant. */
export const kubeBuildTimeoutMs = 60 * 60_000;

/** True when the tests needing the Kubernetes binaries should run; warns loudly otherwise. */
export function kubeTestsEnabled(what: string): boolean {
  if (process.env.CI === 'true') return true;
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) return true;
  console.warn(
    `\n!!! SKIPPING ${what}: no \`go\` on PATH to build kube-apiserver, kube-controller-manager and sample-apiserver (test/kube/README.md).\n`,
  );
  return false;
}

let pending: Promise<KubeBinaries> | undefined;

/** Builds (or finds in the cache) the binaries; once per test process. */
export function kubeBinaries(): Promise<KubeBinaries> {
  pending ??= new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts/kube-binaries.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), kubeBuildTimeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const paths = Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('=', 2) as [string, string]));
      const bins = { kubeApiserver: paths['kube-apiserver'], kubeControllerManager: paths['kube-controller-manager'], sampleApiserver: paths['sample-apiserver'] };
      if (code !== 0 || !bins.kubeApiserver || !bins.kubeControllerManager || !bins.sampleApiserver) {
        reject(new Error(`scripts/kube-binaries.mjs exited with ${code}:\n${err}`));
      } else {
        resolve(bins as KubeBinaries);
      }
    });
  });
  return pending;
}
