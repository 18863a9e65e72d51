// The committed generated output of every example is current: `aa-gen generate --check` in each
// examples/* folder, as a user's CI would run it (the equivalent of hack/verify-codegen.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/example-server.js';

const examples = readdirSync(join(repoRoot, 'examples')).filter((name) =>
  existsSync(join(repoRoot, 'examples', name, 'aa-gen.yaml')),
);

describe('examples are in sync with their specs', () => {
  it('there are examples to check', () => {
    expect(examples).toEqual(expect.arrayContaining(['demo', 'wardle']));
  });

  for (const name of examples) {
    it(`examples/${name}: aa-gen generate --check`, () => {
      const r = spawnSync(process.execPath, [join(repoRoot, 'bin/aa-gen.js'), 'generate', '--check'], {
        cwd: join(repoRoot, 'examples', name),
        encoding: 'utf8',
      });
      expect(r.stdout + r.stderr).toContain('aa-gen: up to date');
      expect(r.status).toBe(0);
    });
  }
});
