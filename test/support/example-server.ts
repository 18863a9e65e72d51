// Runs a generated example project's server (built with tsc) as a child process, the way a
// user runs it, and waits for it to print where it serves.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly kubeconfig: string;
  readonly output: () => string;
  readonly pid: number;
  /** The exit code once the process has exited on its own or been stopped; null while it runs. */
  readonly exitCode: () => number | null;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

const built = new Set<string>();

/** Compiles examples/<name> once per test process. */
export function buildExample(name: string): string {
  const dir = join(repoRoot, 'examples', name);
  if (!built.has(dir)) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`tsc -p examples/${name} failed:\n${r.stdout}${r.stderr}`);
    built.add(dir);
  }
  return dir;
}

export interface StartOptions {
  readonly args?: readonly string[];
  /** Reuse a data dir (restart tests); a fresh temp dir otherwise. */
  readonly dataDir?: string;
}

export async function startExample(name: string, opts: StartOptions = {}): Promise<RunningServer> {
  const dir = buildExample(name);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `aa-gen-${name}-`));
  const child = spawn(
    process.execPath,
    [join(dir, 'dist/main.js'), '--secure-port', '0', '--data-dir', dataDir, ...(opts.args ?? [])],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30s:\n${out}`)), 30_000);
    const check = () => {
      const m = /https:\/\/[^\s/]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving:\n${out}`));
    });
  });
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    dataDir,
    kubeconfig: join(dataDir, 'admin.kubeconfig'),
    output: () => out,
    pid: child.pid!,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      done(code);
    });
    child.kill('SIGTERM');
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
