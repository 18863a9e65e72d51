// Test helpers for the writer: temp project roots and snapshots of a tree on disk.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempRoot(prefix = 'aa-gen-write-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file under dir (relative POSIX path -> content), sorted; nothing skipped. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(a).isDirectory()) walk(a, r);
      else out[r] = readFileSync(a, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}
