// Tests that need an outside binary (etcd, kubectl) skip with a loud message when it is
// missing, except under CI=true, where a missing binary is a failure.
import { spawnSync } from 'node:child_process';

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** True when tests needing `name` should run; warns loudly or throws (CI) otherwise. */
export function requireBinary(name: string, what: string): boolean {
  if (hasBinary(name)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${name} is not on PATH, and CI=true requires ${what} to run`);
  }
  console.warn(`\n*** SKIPPING ${what}: \`${name}\` is not on PATH (install it; CI installs it) ***\n`);
  return false;
}
