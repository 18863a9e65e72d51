// Formatting in memory with fixed options, so output is the same on every machine and --check
// compares exactly what generate would write.
import { describe, expect, test } from 'vitest';
import { renderFile, renderFiles } from '../../src/write/index.js';

describe('formatting', () => {
  test('TypeScript is formatted with the fixed prettier options (single quotes, semicolons, trailing commas)', async () => {
    const file = await renderFile({
      path: 'a.ts',
      content: 'export const x = {a: "one", b: [1,2,3]}\nexport function f(a:number){return a}',
      owner: 'user',
    });
    expect(file.content).toBe("export const x = { a: 'one', b: [1, 2, 3] };\nexport function f(a: number) {\n  return a;\n}\n");
  });

  test('YAML and Markdown are formatted too', async () => {
    const yaml = await renderFile({ path: 'd.yaml', content: 'a:   1\nb:\n    - x\n', owner: 'user' });
    expect(yaml.content).toBe('a: 1\nb:\n  - x\n');
    const md = await renderFile({ path: 'r.md', content: '# T\n* one\n* two\n', owner: 'user' });
    expect(md.content).toBe('# T\n\n- one\n- two\n');
  });

  test('CRLF becomes LF and the file ends with exactly one newline', async () => {
    const sh = await renderFile({ path: 'Dockerfile', content: 'FROM x\r\nRUN y\r\n\r\n\r\n', owner: 'user' });
    expect(sh.content).toBe('FROM x\nRUN y\n');
    const none = await renderFile({ path: '.gitignore', content: 'dist/', owner: 'user' });
    expect(none.content).toBe('dist/\n');
  });

  test('unparseable emitted TypeScript is an emitter bug, named with its path', async () => {
    await expect(renderFile({ path: 'src/generated/bad.ts', content: 'export const = ;', owner: 'generated' })).rejects.toMatchObject({
      code: 'AAGEN_EMIT_CONTRACT',
      message: expect.stringContaining('src/generated/bad.ts'),
    });
  });

  test('rendering is deterministic and sorted by path', async () => {
    const files = [
      { path: 'z.ts', content: 'export const z=1', owner: 'generated' as const },
      { path: 'a.yaml', content: 'a: 1', owner: 'generated' as const },
    ];
    const one = await renderFiles(files);
    const two = await renderFiles([...files].reverse());
    expect(one.map((f) => f.path)).toEqual(['a.yaml', 'z.ts']);
    expect(two).toEqual(one);
  });

  test('two files with one path is an emitter bug', async () => {
    const f = { path: 'a.ts', content: '', owner: 'generated' as const };
    await expect(renderFiles([f, f])).rejects.toMatchObject({ code: 'AAGEN_EMIT_CONTRACT' });
  });
});
