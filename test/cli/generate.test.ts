// `aa-gen generate` end to end on a copy of examples/wardle/aa-gen.yaml, in-process.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { aaGen, generatedPaths, HEADER, snapshot, wardleProject } from './helpers.js';

const summary = /^aa-gen: (\d+) written, (\d+) unchanged, (\d+) removed$/m;

describe('aa-gen generate', () => {
  test('writes the project next to the spec, then a second run changes nothing', async () => {
    const dir = wardleProject();
    const first = await aaGen(dir, ['generate']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [, written, unchanged, removed] = first.stdout.match(summary)!;
    expect([Number(unchanged), Number(removed)]).toEqual([0, 0]);
    const files = snapshot(dir);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['README.md', 'src/main.ts', 'tsconfig.json', '.gitignore', 'Dockerfile']));
    expect(Object.keys(files)).toHaveLength(Number(written) + 1); // + aa-gen.yaml

    const second = await aaGen(dir, ['generate']);
    expect(second.stdout).toBe(`aa-gen: 0 written, ${written} unchanged, 0 removed\n`);
    expect(snapshot(dir)).toEqual(files);
  });

  test('output is byte-identical across runs and working directories', async () => {
    const a = wardleProject();
    const b = wardleProject();
    expect((await aaGen(a, ['generate'])).code).toBe(0);
    mkdirSync(join(b, 'elsewhere'));
    expect((await aaGen(join(b, 'elsewhere'), ['generate', '--config', '../aa-gen.yaml'])).code).toBe(0);
    rmSync(join(b, 'elsewhere'), { recursive: true });
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  test("the user's prettier and editor config do not change the output", async () => {
    const plain = wardleProject();
    const styled = wardleProject();
    writeFileSync(join(styled, '.prettierrc'), '{ "semi": false, "useTabs": true, "singleQuote": false }\n');
    writeFileSync(join(styled, '.editorconfig'), 'root = true\n[*]\nindent_style = tab\nend_of_line = crlf\n');
    await aaGen(plain, ['generate']);
    await aaGen(styled, ['generate']);
    const { '.prettierrc': _p, '.editorconfig': _e, ...rest } = snapshot(styled);
    expect(rest).toEqual(snapshot(plain));
  });

  test('--check: up to date exits 0; a hand-edited generated file prints a diff and exits 1, writing nothing', async () => {
    const dir = wardleProject();
    await aaGen(dir, ['generate']);
    expect(await aaGen(dir, ['generate', '--check'])).toEqual({ code: 0, stdout: 'aa-gen: up to date\n', stderr: '' });

    const target = generatedPaths(snapshot(dir)).find((p) => p.endsWith('.ts'));
    if (target === undefined) throw new Error('the emitters produced no generated file to edit');
    writeFileSync(join(dir, target), `// ${HEADER}\nedited by hand\n`);
    const before = snapshot(dir);
    const r = await aaGen(dir, ['generate', '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`--- a/${target}\n+++ b/${target}\n`);
    expect(r.stdout).toContain('-edited by hand\n');
    expect(r.stdout).toMatch(/aa-gen: 1 file out of date .*\n$/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('--check reports missing and orphaned files', async () => {
    const dir = wardleProject();
    await aaGen(dir, ['generate']);
    rmSync(join(dir, 'README.md'));
    writeFileSync(join(dir, 'src/orphan.ts'), `// ${HEADER}\nexport {};\n`);
    const r = await aaGen(dir, ['generate', '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--- /dev/null\n+++ b/README.md\n');
    expect(r.stdout).toContain('--- a/src/orphan.ts\n+++ /dev/null\n');
    expect(r.stdout).toMatch(/aa-gen: 2 files out of date/);
  });

  test('--dry-run lists what it would do, writes nothing, exits 0', async () => {
    const dir = wardleProject();
    const r = await aaGen(dir, ['generate', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('would create README.md (yours: created once, never overwritten)\n');
    expect(r.stdout).toMatch(/aa-gen: dry run: \d+ to write, 0 unchanged, 0 to remove\n$/);
    expect(Object.keys(snapshot(dir))).toEqual(['aa-gen.yaml']);
  });

  test('a generated file the spec no longer produces is removed', async () => {
    const dir = wardleProject();
    await aaGen(dir, ['generate']);
    mkdirSync(join(dir, 'src/generated/gone'), { recursive: true });
    writeFileSync(join(dir, 'src/generated/gone/kind.ts'), `// ${HEADER}\nexport {};\n`);
    const r = await aaGen(dir, ['generate']);
    expect(r.stdout).toMatch(/, 1 removed\n$/);
    expect(Object.keys(snapshot(dir)).some((p) => p.startsWith('src/generated/gone'))).toBe(false);
  });

  test('a generated path taken by a file without the header: conflict, exit 1, nothing written', async () => {
    const dir = wardleProject();
    await aaGen(dir, ['generate']);
    const target = generatedPaths(snapshot(dir))[0];
    if (target === undefined) throw new Error('the emitters produced no generated file');
    writeFileSync(join(dir, target), 'my own file\n');
    renameSync(join(dir, 'README.md'), join(dir, 'README.old'));
    const before = snapshot(dir);
    const r = await aaGen(dir, ['generate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${target}: exists without the`);
    expect(r.stderr).toContain('nothing was written');
    expect(snapshot(dir)).toEqual(before); // README.md not recreated either
  });
});
