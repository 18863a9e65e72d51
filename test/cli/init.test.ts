// `aa-gen init <dir>`: a new project outside this repository that installs offline and
// typechecks. The install/tsc test needs every emitter and the runtime's runMain to exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { aaGen, repoRoot, snapshot, tempDir } from './helpers.js';

describe('aa-gen init', () => {
  test('creates the project with defaults and generates it', async () => {
    const cwd = tempDir();
    const r = await aaGen(cwd, ['init', 'widgets-api']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^aa-gen: created widgets-api\/aa-gen\.yaml, widgets-api\/src\/example\.test\.ts, widgets-api\/package\.json\n/);
    expect(r.stdout).toMatch(/^aa-gen: \d+ written, 0 unchanged, 0 removed$/m);
    expect(r.stdout).toContain('cd widgets-api\n  npm install\n  npm start\n');

    const dir = join(cwd, 'widgets-api');
    const files = snapshot(dir);
    for (const path of ['aa-gen.yaml', 'package.json', 'tsconfig.json', 'README.md', '.gitignore', 'src/main.ts', 'Dockerfile']) {
      expect(files, path).toHaveProperty([path]);
    }
    const spec = files['aa-gen.yaml']!;
    expect(spec.split('\n')[0]).toBe('# yaml-language-server: $schema=node_modules/aa-gen/schemas/aa-gen.schema.json');
    expect(spec).toMatch(/^name: widgets-api$/m);
    expect(spec).toMatch(/^group: widgets-api\.example\.com$/m);
    expect(spec).toMatch(/^ {2}- name: v1alpha1$/m);
    expect(spec).toMatch(/^ {2}- kind: Widget\n {4}scope: Namespaced$/m);

    const pkg = JSON.parse(files['package.json']!) as Record<string, any>;
    expect(pkg).toMatchObject({
      name: 'widgets-api',
      type: 'module',
      scripts: {
        build: 'tsc -p .',
        start: 'npm run build && node dist/main.js',
        test: 'npm run build && node --test dist/',
        typecheck: expect.any(String),
      },
      dependencies: { 'aa-gen': `file:${resolve(repoRoot)}` }, // running from this source checkout
      devDependencies: { typescript: '5.9.3', '@types/node': '^20' },
    });
    expect(files['src/main.ts']).toContain("import { runMain } from 'aa-gen/runtime';");
    expect(files['src/main.ts']).toContain("import { apiGroup } from './generated/registry.js';");
    expect(files['src/main.ts']).toContain('runMain(apiGroup, process.argv.slice(2))');
    expect(files['.gitignore']!.split('\n')).toEqual(expect.arrayContaining(['node_modules/', 'dist/', '.data/', 'certs/']));
    expect(files['Dockerfile']).toMatch(/^FROM node:20-slim/m);
    expect(files['Dockerfile']).toContain('EXPOSE 8443');
    expect(JSON.parse(files['tsconfig.json']!)).toMatchObject({
      compilerOptions: { strict: true, module: 'NodeNext', outDir: 'dist', rootDir: 'src' },
    });
    expect(files['README.md']).toContain('kubectl get widgets');

    // The new project is up to date as generated.
    expect(await aaGen(dir, ['generate', '--check'])).toMatchObject({ code: 0 });
  });

  test('flags choose the group, version, kind, scope and name', async () => {
    const cwd = tempDir();
    const r = await aaGen(cwd, ['init', 'p', '--group', 'shop.acme.io', '--version', 'v1', '--kind', 'Order', '--scope', 'Cluster', '--name', 'orders']);
    expect(r.code).toBe(0);
    const spec = readFileSync(join(cwd, 'p/aa-gen.yaml'), 'utf8');
    expect(spec).toMatch(/^name: orders$/m);
    expect(spec).toMatch(/^group: shop\.acme\.io$/m);
    expect(spec).toMatch(/^ {2}- kind: Order\n {4}scope: Cluster$/m);
    expect(spec).toMatch(/^ {6}v1:$/m);
    expect(JSON.parse(readFileSync(join(cwd, 'p/package.json'), 'utf8'))).toMatchObject({ name: 'orders' });
  });

  test('the name comes from the directory, made a DNS label', async () => {
    const cwd = tempDir();
    expect((await aaGen(cwd, ['init', 'My_Fancy API'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'My_Fancy API/aa-gen.yaml'), 'utf8')).toMatch(/^name: my-fancy-api\ngroup: my-fancy-api\.example\.com$/m);
  });

  test('refuses a directory that already has an aa-gen.yaml (exit 1), changing nothing', async () => {
    const cwd = tempDir();
    await aaGen(cwd, ['init', 'x']);
    const before = snapshot(join(cwd, 'x'));
    const r = await aaGen(cwd, ['init', 'x', '--kind', 'Other']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('x already has an aa-gen.yaml');
    expect(snapshot(join(cwd, 'x'))).toEqual(before);
  });

  test('an existing package.json is left alone, with a note on what it needs', async () => {
    const dir = tempDir();
    const mine = '{ "name": "mine" }\n';
    writeFileSync(join(dir, 'package.json'), mine);
    const r = await aaGen(dir, ['init', '.']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(mine);
    expect(r.stderr).toContain('package.json exists and was left as is');
    expect(existsSync(join(dir, 'aa-gen.yaml'))).toBe(true);
  });

  test(
    'the project installs offline, typechecks, and its example test passes against its own server, outside this repository',
    async () => {
      const cwd = tempDir('aa-gen-init-tsc-');
      expect(resolve(cwd).startsWith(resolve(repoRoot))).toBe(false);
      const r = await aaGen(cwd, ['init', 'demo-api']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const dir = join(cwd, 'demo-api');
      const sh = (cmd: string, args: string[]) => {
        const p = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
        return { status: p.status, output: `${p.stdout}\n${p.stderr}` };
      };
      const install = sh('npm', ['install', '--offline', '--no-audit', '--no-fund']);
      expect(install.output, 'npm install --offline').toMatch(/added \d+ package|up to date/);
      expect(install.status, install.output).toBe(0);
      const tsc = sh('npx', ['tsc', '--noEmit']);
      expect(tsc.status, tsc.output).toBe(0);
      // src/example.test.ts: the generated client against the project's own server (node:test).
      const test = sh('npm', ['test']);
      expect(test.status, test.output).toBe(0);
      expect(test.output).toMatch(/# pass [1-9]/);
      expect(test.output).toMatch(/# fail 0/);
    },
    600_000,
  );
});
