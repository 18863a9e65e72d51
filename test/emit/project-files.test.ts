// The project files around the generated code that build the server image: the Dockerfile,
// .dockerignore, .gitignore, hack/pack-local-deps.mjs and vendor/README.md, with their owners.
// (test/deploy/dockerfile-build.test.ts builds and runs the image they describe.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectEmitter } from '../../src/emit/project.js';
import { wardleIR } from '../fixtures/ir/wardle.js';

const files = new Map([...projectEmitter.emit(wardleIR)].map((f) => [f.path, f]));
const content = (path: string) => files.get(path)?.content ?? '';

describe('image files of a project', () => {
  it('are emitted with their owners: the user edits the Dockerfile and ignores, aa-gen keeps the pack step', () => {
    const owners = Object.fromEntries(['Dockerfile', '.dockerignore', '.gitignore', 'hack/pack-local-deps.mjs', 'vendor/README.md'].map((p) => [p, files.get(p)?.owner]));
    expect(owners).toEqual({
      Dockerfile: 'user',
      '.dockerignore': 'user',
      '.gitignore': 'user',
      'hack/pack-local-deps.mjs': 'generated',
      'vendor/README.md': 'generated',
    });
  });

  it('the Dockerfile installs once in a build stage and runs node dist/main.js as non-root on 8443', () => {
    const dockerfile = content('Dockerfile');
    expect(dockerfile).toContain(`docker build -t ${wardleIR.deploy.image} .`);
    expect(dockerfile).toContain('COPY vendor/ ./vendor/');
    expect(dockerfile.match(/npm ci/g)).toHaveLength(1);
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(dockerfile).toContain('COPY --from=build /app/node_modules ./node_modules');
    for (const line of ['ENV NODE_ENV=production', 'USER node', 'EXPOSE 8443', 'ENTRYPOINT ["node", "dist/main.js"]']) {
      expect(dockerfile).toContain(line);
    }
  });

  it('.dockerignore leaves out what the image builds itself and the local data', () => {
    const lines = content('.dockerignore').split('\n');
    expect(lines).toEqual(expect.arrayContaining(['node_modules/', 'dist/', '.data/']));
    expect(lines.some((l) => l.startsWith('vendor') || l.startsWith('src'))).toBe(false);
  });

  it('.gitignore ignores what pack-local-deps writes to vendor/, but not vendor/README.md', () => {
    const repo = mkdtempSync(join(tmpdir(), 'aa-gen-gitignore-'));
    try {
      spawnSync('git', ['init', '-q'], { cwd: repo });
      writeFileSync(join(repo, '.gitignore'), content('.gitignore'));
      const ignored = (path: string) => spawnSync('git', ['check-ignore', '-q', path], { cwd: repo }).status === 0;
      expect(['vendor/aa-gen-0.1.0.tgz', 'vendor/package.json', 'vendor/package-lock.json', 'node_modules/x', '.data/db'].filter((p) => !ignored(p))).toEqual([]);
      expect(ignored('vendor/README.md')).toBe(false);
      expect(ignored('hack/pack-local-deps.mjs')).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('the README says the commands that build the image', () => {
    expect(content('README.md')).toContain(`node hack/pack-local-deps.mjs\ndocker build -t ${wardleIR.deploy.image} .`);
    expect(content('hack/pack-local-deps.mjs')).toContain(`next: docker build -t ${wardleIR.deploy.image} .`);
  });
});
