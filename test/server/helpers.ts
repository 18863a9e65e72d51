// Test helpers: start a real server on loopback (port 0, temp data dir) and talk HTTPS to it
// with real client certificates.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiGroupDefinition } from '../../src/runtime/api.js';
import { send as sendHttps, type SentResponse } from '../doubles/https.js';
import { completeOptions, parseOptions, type CompleteExtras } from '../../src/runtime/server/options.js';
import { createServer, type RunningServer } from '../../src/runtime/server/server.js';

export interface Credentials {
  readonly cert?: string;
  readonly key?: string;
}

export interface TestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  /** PEM of our CA (verifies the serving certificate). */
  readonly ca: string;
  readonly admin: Required<Credentials>;
  /** A request as admin unless `creds` says otherwise. */
  fetch(path: string, opts?: RequestOptions): Promise<Response>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Client credentials; default: the admin's. Pass `{}` for none. */
  readonly creds?: Credentials;
}

export type Response = SentResponse;

export function tempDir(prefix = 'aa-gen-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(
  group: ApiGroupDefinition,
  opts: { args?: readonly string[]; dataDir?: string; keepDataDir?: boolean; extras?: CompleteExtras } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const parsed = parseOptions(['--secure-port=0', `--data-dir=${dataDir}`, '--storage-backend=memory', ...(opts.args ?? [])]);
  if (!parsed.value) throw new Error(parsed.errors.join('\n'));
  const server = await createServer(group, completeOptions(parsed.value, { logLevel: 'silent', shutdownDrainTimeoutMs: 5000, ...opts.extras }));
  const certDir = join(dataDir, 'certs');
  const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  const admin = { cert: readFileSync(join(certDir, 'admin.crt'), 'utf8'), key: readFileSync(join(certDir, 'admin.key'), 'utf8') };
  return {
    server,
    dataDir,
    ca,
    admin,
    fetch: (path, o = {}) => send(server.url + path, { ...o, creds: o.creds ?? admin }, ca),
    async stop() {
      await server.close();
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One HTTPS request on a fresh connection (no agent: each request presents its own cert). */
export function send(url: string, opts: RequestOptions, ca: string): Promise<Response> {
  return sendHttps(url, { method: opts.method, headers: opts.headers, body: opts.body, ca, cert: opts.creds?.cert, key: opts.creds?.key });
}

/** The metav1.Status shape every error must have. */
export function expectStatusShape(body: any, code: number, reason: string): void {
  if (
    body?.kind !== 'Status' ||
    body.apiVersion !== 'v1' ||
    body.status !== 'Failure' ||
    body.code !== code ||
    body.reason !== reason ||
    typeof body.message !== 'string'
  ) {
    throw new Error(`expected a ${code} ${reason} Status, got ${JSON.stringify(body)}`);
  }
}

/**
 * Real kubectl, run asynchronously: the server under test lives in this process, so a
 * blocking spawnSync would stall it (test/support/kubectl.ts is for out-of-process servers).
 */
export function kubectlAsync(kubeconfig: string, cacheDir: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
