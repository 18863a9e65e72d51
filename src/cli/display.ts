// Paths as users should read them in messages: relative to the working directory when inside
// it, absolute otherwise (a `../../tmp/x` is harder to read than `/tmp/x`).
import { isAbsolute, relative } from 'node:path';

export function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}
