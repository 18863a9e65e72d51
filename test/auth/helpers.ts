// Shared setup for the auth tests: temp files and AuthConfig from flags, as the server will
// build them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeAuthOptions, type AuthConfig, type RawAuthFlags } from '../../src/runtime/auth/options.js';

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'aa-gen-auth-'));
  file(name: string, content: string): string {
    const p = join(this.path, name);
    writeFileSync(p, content);
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** The AuthConfig the flags give; throws with the errors when they are invalid. */
export function configFrom(flags: RawAuthFlags): AuthConfig {
  const r = completeAuthOptions(flags);
  if (!r.value) throw new Error(r.errors.join('\n'));
  return r.value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Quiet log that remembers what was warned. */
export function memoryLog(): { warn(m: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => void lines.push(m) };
}
