// hack/pack-local-deps.mjs, the step before `docker build` for projects with `file:`
// dependencies: packs them into vendor/ with the image's package.json and lock, refuses to pack
// a linked package whose entry points are not built, and clears its output when there is
// nothing to pack. Runs the committed copy in examples/wardle (examples-in-sync keeps it the
// generated one) in throwaway projects with a local package, so no registry is involved.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../support/example-server.js';

const scratch = mkdtempSync(join(tmpdir(), 'aa-gen-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let projects = 0;
function project(files: Record<string, string>): string {
  const dir = join(scratch, `p${projects++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(join(dir, 'hack'), { recursive: true });
  copyFileSync(join(repoRoot, 'examples/wardle/hack/pack-local-deps.mjs'), join(dir, 'hack/pack-local-deps.mjs'));
  return dir;
}

const packageJson = (deps: Record<string, string>) => JSON.stringify({ name: 'demo', version: '0.1.0', type: 'module', dependencies: deps }, null, 2);
const pack = (dir: string) =>
  spawnSync(process.execPath, [join(dir, 'hack/pack-local-deps.mjs')], { cwd: scratch, encoding: 'utf8', env: { ...process.env, npm_config_prefer_offline: 'true' } });

it('packs a linked directory into vendor/ and writes the image package.json and lock', () => {
  const dir = project({
    'package.json': packageJson({ lib: 'file:../lib-src' }),
    'vendor/README.md': 'kept\n',
  });
  const lib = join(dirname(dir), 'lib-src');
  mkdirSync(join(lib, 'dist'), { recursive: true });
  writeFileSync(join(lib, 'package.json'), JSON.stringify({ name: 'lib', version: '1.2.3', exports: { '.': './dist/index.js' } }));
  writeFileSync(join(lib, 'dist/index.js'), 'export const x = 1;\n');

  const r = pack(dir);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('lib (file:../lib-src) -> vendor/lib-1.2.3.tgz');
  expect(readdirSync(join(dir, 'vendor')).sort()).toEqual(['README.md', 'lib-1.2.3.tgz', 'package-lock.json', 'package.json']);
  const image = JSON.parse(readFileSync(join(dir, 'vendor/package.json'), 'utf8'));
  expect(image).toEqual({ ...JSON.parse(packageJson({})), dependencies: { lib: 'file:vendor/lib-1.2.3.tgz' } });
  const lock = JSON.parse(readFileSync(join(dir, 'vendor/package-lock.json'), 'utf8'));
  expect(lock.packages['node_modules/lib']).toMatchObject({ version: '1.2.3', resolved: 'file:vendor/lib-1.2.3.tgz' });
  // The project's own manifest is untouched.
  expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(packageJson({ lib: 'file:../lib-src' }));
});

it('refuses a linked package whose entry points are not built, naming them', () => {
  const dir = project({ 'package.json': packageJson({ lib: 'file:./lib' }), 'lib/package.json': JSON.stringify({ name: 'lib', version: '1.0.0', main: 'dist/index.js' }) });
  const r = pack(dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/lib \(file:\.\/lib\) lacks dist\/index\.js, which its package\.json names: build it first/);
  expect(existsSync(join(dir, 'vendor/lib-1.0.0.tgz'))).toBe(false);
  expect(existsSync(join(dir, 'vendor/package.json'))).toBe(false);
});

it('with registry dependencies only, removes earlier output and leaves the rest', () => {
  const dir = project({
    'package.json': packageJson({ 'aa-gen': '^0.1.0' }),
    'vendor/README.md': 'kept\n',
    'vendor/package.json': '{}',
    'vendor/package-lock.json': '{}',
    'vendor/aa-gen-0.0.9.tgz': '',
  });
  const r = pack(dir);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('no file: dependencies');
  expect(readdirSync(join(dir, 'vendor'))).toEqual(['README.md']);
});
