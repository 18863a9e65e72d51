// Shared setup for the auth tests: temp files and AuthConfig from flags, as the server will
// build them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeAuthOptions, type AuthConfig, type RawAuthFlags } from '../../src/runtime/auth/options.js';
import type { FrontProxyPKI } from '../doubles/front-proxy.js';
import type { TestCA } from '../doubles/pki.js';

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

/** The extension-apiserver-authentication configmap's data for a front proxy and a client CA. */
export function configMapData(fp: FrontProxyPKI, clientCA: TestCA, allowed = 'front-proxy-client'): Record<string, string> {
  return {
    'client-ca-file': clientCA.cert,
    'requestheader-client-ca-file': fp.ca.cert,
    'requestheader-allowed-names': JSON.stringify([allowed]),
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
  };
}

/** True once `check` holds, false if it has not within `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(25);
  }
  return false;
}
