// Facts about the running aa-gen package: where it is, its version, and how a new project
// should depend on it. Found by walking up from this module to aa-gen's package.json, so it
// works from src/cli (tests, tsx) and dist/cli (the installed CLI) alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  /** Absolute directory of aa-gen's package.json. */
  readonly root: string;
  readonly version: string;
  /** True when running from a source checkout (the package root has src/cli). */
  readonly fromSource: boolean;
}

export function packageInfo(): PackageInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'aa-gen' && typeof pkg.version === 'string') {
        return { root: dir, version: pkg.version, fromSource: existsSync(join(dir, 'src', 'cli')) };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package.json of aa-gen above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * The dependency spec a new project uses for aa-gen: a `file:` link to this checkout when
 * running from source (so the project installs offline and tracks the checkout), otherwise the
 * running version's caret range from the registry.
 */
export function aaGenDependencySpec(info: PackageInfo): string {
  return info.fromSource ? `file:${info.root}` : `^${info.version}`;
}
