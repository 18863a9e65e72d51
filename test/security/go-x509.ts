// Go's crypto/x509 as the judge of client certificate chains: test/security/x509ref/main.go run
// with `go run` (standard library only, no module download). Without `go` the comparison is
// skipped loudly, except under CI=true (test/support/binaries.ts).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '../support/binaries.js';

export interface GoVerdict {
  readonly ok: boolean;
  readonly error?: string;
  /** leaf.Subject.CommonName as Go reads it. */
  readonly commonName: string;
  /** How long Verify took in Go. */
  readonly millis: number;
}

export interface GoCase {
  /** PEM of the trusted pool. */
  readonly roots: string;
  /** PEM, leaf first, then what the client presents. */
  readonly chain: string;
}

const program = join(dirname(fileURLToPath(import.meta.url)), 'x509ref', 'main.go');

export function haveGo(what: string): boolean {
  return requireBinary('go', what);
}

/** Go's verdict on every case, in order. */
export function goVerdicts(cases: readonly GoCase[]): Promise<GoVerdict[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['run', program], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`go run x509ref exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as GoVerdict[]);
    });
    child.stdin.end(JSON.stringify(cases));
  });
}
