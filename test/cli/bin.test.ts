// bin/aa-gen.js: a thin launcher over dist/cli/main.js that turns main()'s result into the
// process exit code. Needs `npm run build` first (scripts/test.mjs builds before the tests).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, tempDir } from './helpers.js';

const bin = join(repoRoot, 'bin/aa-gen.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: tempDir(), encoding: 'utf8' });

describe('bin/aa-gen.js', () => {
  beforeAll(() => {
    if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  });

  test('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const p = run(['--version']);
    expect(p.stdout).toBe(`${version}\n`);
    expect(p.status).toBe(0);
  });

  test('a usage error exits 2', () => {
    const p = run(['no-such-command']);
    expect(p.stderr).toContain("unknown command 'no-such-command'");
    expect(p.status).toBe(2);
  });

  test('a missing spec exits 1', () => {
    const p = run(['generate']);
    expect(p.stderr).toContain('aa-gen: no spec at aa-gen.yaml');
    expect(p.status).toBe(1);
  });
});
