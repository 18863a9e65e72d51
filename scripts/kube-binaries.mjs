#!/usr/bin/env node
// Builds the real Kubernetes components the tests use as judges (kube-apiserver with kube-aggregator,
// kube-controller-manager, and Go's sample-apiserver) from the module in test/kube/, once, into a
// cache outside the repo: ~/.cache/aa-gen/kube-<release>/<hash of go.mod and go.sum>/.
// Prints one `name=path` line per binary. A lock file makes concurrent callers (parallel vitest
// workers, the background build .ci/run starts) build once; the others wait for it.
// Exit codes: 0 built or cached, 2 no Go toolchain, 1 the build failed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const moduleDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'kube');
const BINARIES = {
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  'sample-apiserver': 'k8s.io/sample-apiserver',
};
const LOCK_WAIT_MS = 90 * 60_000; // longer than any cold build on 2 shared cores
const LOCK_STALE_MS = 60_000; // a lock file without a pid for this long was orphaned mid-write

const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
const goSum = readFileSync(join(moduleDir, 'go.sum'), 'utf8');
const release = /^\s*(?:require\s+)?k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod)?.[1];
if (!release) fail(1, 'test/kube/go.mod does not require k8s.io/kubernetes at a release vX.Y.Z');
const key = createHash('sha256').update(goMod).update('\0').update(goSum).digest('hex').slice(0, 12);
const cacheRoot = process.env.AA_GEN_KUBE_CACHE ?? join(homedir(), '.cache', 'aa-gen');
const outDir = join(cacheRoot, `kube-${release}`, key);
const doneMarker = join(outDir, '.complete');

if (!built()) {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    fail(2, 'no `go` toolchain on PATH: install Go 1.24+ to build the Kubernetes test binaries');
  }
  mkdirSync(dirname(outDir), { recursive: true });
  await withLock(join(dirname(outDir), `${key}.lock`), () => {
    if (!built()) build();
  });
}
for (const name of Object.keys(BINARIES)) console.log(`${name}=${join(outDir, name)}`);

function built() {
  return existsSync(doneMarker) && Object.keys(BINARIES).every((n) => existsSync(join(outDir, n)));
}

function build() {
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(release);
  // As hack/lib/version.sh stamps a release: /version then reports it (kubectl's dispatcher reads it).
  const stamp = {
    gitVersion: release,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const x = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
    Object.entries(stamp).map(([k, v]) => `-X ${pkg}.${k}=${v}`),
  );
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  console.error(`kube-binaries: building ${Object.keys(BINARIES).join(', ')} ${release} into ${outDir} (niced; a cold build takes tens of minutes)`);
  const r = spawnSync(
    'nice',
    ['-n', '19', 'go', 'build', '-trimpath', `-ldflags=-s -w ${x.join(' ')}`, '-o', tmp + '/', ...Object.values(BINARIES)],
    { cwd: moduleDir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' } },
  );
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    fail(1, `go build failed (exit ${r.status ?? r.signal})`);
  }
  // `go build -o dir/` names each program after its package's last element.
  for (const [name, pkg] of Object.entries(BINARIES)) {
    const produced = join(tmp, pkg.split('/').pop());
    if (produced !== join(tmp, name)) renameSync(produced, join(tmp, name));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(tmp, '.complete'), `${release} ${key} built in ${seconds}s\n`);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  console.error(`kube-binaries: built in ${seconds}s`);
}

/** Runs `fn` holding an exclusive lock file; waits for another holder, takes over a stale one. */
async function withLock(lockFile, fn) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'));
      writeFileSync(lockFile, String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (lockIsStale(lockFile)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) fail(1, `timed out waiting for the build holding ${lockFile}`);
      if (built()) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const unlock = () => rmSync(lockFile, { force: true });
  process.once('exit', unlock);
  try {
    fn();
  } finally {
    unlock();
  }
}

/** A lock whose process is gone, or that is older than a build could be, is stale. */
function lockIsStale(lockFile) {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid > 0) {
      try {
        process.kill(pid, 0);
        return false; // the builder is alive
      } catch {
        return true;
      }
    }
    return Date.now() - statSync(lockFile).mtimeMs > LOCK_STALE_MS; // being written right now, or orphaned
  } catch {
    return false; // just released
  }
}

function fail(code, message) {
  console.error(`kube-binaries: ${message}`);
  process.exit(code);
}
