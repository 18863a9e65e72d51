// Files an emitter marks `formatted: true` skip prettier in the writer. The guarantee that stays:
// they are laid out exactly as prettier (with the writer's options) would lay them out, so
// skipping it changes no byte. These tests hold the OpenAPI data printer to prettier itself, on
// the fixture projects, on a large spec and on random JSON.
import fc from 'fast-check';
import * as prettier from 'prettier';
import { describe, expect, test } from 'vitest';
import { dataModule, openapiEmitter, printDataLiteral } from '../../src/emit/openapi.js';
import { indentBlocks, validationEmitter } from '../../src/emit/validation.js';
import { loadSpecText } from '../../src/spec/index.js';
import { GENERATED_MARKER, renderFile, renderFiles } from '../../src/write/index.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { largeSpec } from '../spec/bench-spec.js';

/** The writer's options (src/write/render.ts). */
const options = {
  parser: 'typescript',
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  proseWrap: 'preserve',
  endOfLine: 'lf',
} as const;

/** Evaluates a printed literal (plain JavaScript) back to data. */
const evaluate = (literal: string): unknown => new Function(`return (${literal});`)();

describe('formatted files in the writer', () => {
  test('a formatted file gets the header and LF + one newline, but is not reformatted', async () => {
    const file = await renderFile({ path: 'src/generated/x.ts', content: 'export const x = {a:"1"}\r\n\r\n', owner: 'generated', formatted: true });
    expect(file.content).toBe(`// ${GENERATED_MARKER}\n\nexport const x = {a:"1"}\n`);
    const again = await renderFile({ ...file, formatted: true });
    expect(again.content).toBe(file.content); // idempotent: --check compares the same bytes
  });

  test('many files render (a few at a time), sorted, and the first emitter error fails the whole render', async () => {
    const files = Array.from({ length: 30 }, (_, i) => ({ path: `f${String(i).padStart(2, '0')}.ts`, content: `export const v${i}=${i}`, owner: 'generated' as const }));
    const rendered = await renderFiles([...files].reverse());
    expect(rendered.map((f) => f.path)).toEqual(files.map((f) => f.path));
    expect(rendered[7]!.content).toBe(`// ${GENERATED_MARKER}\n\nexport const v7 = 7;\n`);
    const broken = [...files, { path: 'm.ts', content: 'export const = ;', owner: 'generated' as const }];
    await expect(renderFiles(broken)).rejects.toMatchObject({ code: 'AAGEN_EMIT_CONTRACT', message: expect.stringContaining('m.ts') });
  });
});

describe('OpenAPI modules are printed as prettier prints them', () => {
  const cases: [string, () => Parameters<typeof openapiEmitter.emit>[0]][] = [
    ['wardle', () => wardleIR],
    ['widgets', () => widgetsIR],
    [
      'largeSpec(3)',
      () => {
        const spec = loadSpecText(largeSpec(3), 'aa-gen.yaml');
        if (!spec.ok) throw new Error('largeSpec is invalid');
        return spec.ir;
      },
    ],
  ];
  test.each(cases)('%s: prettier changes no byte of the rendered v2 and v3 modules', async (_name, ir) => {
    const files = openapiEmitter.emit(ir());
    expect(files.map((f) => f.formatted)).toEqual([true, true]);
    for (const file of files) {
      const rendered = await renderFile(file);
      expect(rendered.content.startsWith(`// ${GENERATED_MARKER}\n\n`)).toBe(true);
      expect(await prettier.format(rendered.content, options)).toBe(rendered.content);
    }
  });

  test('the module holds the document unchanged', () => {
    const doc = { b: [1, 'two', null, true], a: { 'x-y': {}, z: [] }, skipped: undefined, n: -0.5 };
    const text = dataModule('/** d */', 'd: Record<string, unknown>', doc);
    expect(text.startsWith('/** d */\nexport const d: Record<string, unknown> = {\n')).toBe(true);
    expect(text.endsWith('};\n')).toBe(true);
    expect(evaluate(printDataLiteral(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

describe('printDataLiteral against prettier on random JSON', () => {
  // Keys and strings that exercise quoting and widths: identifiers, paths, dashes, quotes,
  // escapes, non-ASCII, and long runs near the print width.
  const text = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a', 'type', 'default', 'x-kubernetes-list-type', '/apis/g/v1/things/{name}', '200', 'a b', '$ref', '_x', '9a') },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom(`it's`, `say "hi"`, `it's "x" 'y'`, 'back\\slash', 'tab\tnl\nnul\u0000', 'caf\u00e9 \u2028 \ud83d\ude00', '\u00fc') },
    { weight: 2, arbitrary: fc.integer({ min: 60, max: 110 }).map((n) => 'w'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 70, max: 100 }).map((n) => 'k-'.repeat(n >> 1)) },
  );
  const number = fc.oneof(fc.integer({ min: -100000, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e21, -1e-7, 0.5, -0));
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      number,
      text,
      fc.array(tie('json'), { maxLength: 6 }),
      fc.array(number, { minLength: 2, maxLength: 40 }),
      fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }), { maxLength: 3 }),
      fc.dictionary(text, tie('json'), { maxKeys: 5 }),
    ),
  }));
  const deepKey = fc.array(text, { minLength: 0, maxLength: 30 });

  test('every layout rule at the print-width boundary (keys 1 - 98 wide, each kind of value)', async () => {
    const values: unknown[] = [null, -5, 5, true, {}, [], { a: 1 }, [1, 2], ['a', 'b'], [[1, 2], [3, 4]], [{}], 'it\'s "q" \'r\''];
    for (let n = 0; n < 100; n += 7) values.push('s'.repeat(n));
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const doc: Record<string, Record<string, unknown>> = {};
    for (const width of [1, 3, 4, 5, 6, 20, 80, 88, 90, 92, 93, 94, 95, 96, 97, 98]) {
      const group: Record<string, unknown> = (doc[`w${width}`] = {});
      values.forEach((v, i) => {
        group[letters[i] + 'k'.repeat(width - 1)] = v; // a bare key `width` columns wide
        group[`-${letters[i]}${'q'.repeat(Math.max(0, width - 4))}`] = v; // a quoted one
      });
    }
    const nested = { one: doc, two: { three: doc } };
    const literal = printDataLiteral(nested, 'export const x: Record<string, unknown> = '.length);
    const module = `export const x: Record<string, unknown> = ${literal};\n`;
    expect(await prettier.format(module, options)).toBe(module);
    expect(evaluate(literal)).toEqual(nested);
  });

  test('prettier leaves the printed module unchanged, and it evaluates to the same data', async () => {
    await fc.assert(
      fc.asyncProperty(json, deepKey, async (value, nesting) => {
        // Nest the value under some keys so it sits at many columns, as deep schemas do.
        const doc = nesting.reduceRight<unknown>((inner, key) => ({ [key]: inner }), { v: value });
        const literal = printDataLiteral(doc, 'export const x: Record<string, unknown> = '.length);
        const module = `export const x: Record<string, unknown> = ${literal};\n`;
        expect(await prettier.format(module, options)).toBe(module);
        expect(evaluate(literal)).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
      { numRuns: 400 },
    );
  });
});

describe('ajv modules are indented by construction', () => {
  const trimmed = (code: string) => code.split('\n').map((l) => l.trim());

  test.each([
    ['wardle', wardleIR],
    ['widgets', widgetsIR],
  ])('%s: validation.ajv.ts is marked formatted, indented, and rendering keeps it as emitted', async (_name, ir) => {
    const ajvFiles = validationEmitter.emit(ir).filter((f) => f.path.endsWith('.ajv.ts'));
    expect(ajvFiles.length).toBeGreaterThan(0);
    for (const file of ajvFiles) {
      expect(file.formatted).toBe(true);
      // A validator's body is one level in, its blocks deeper, its closing brace at the margin.
      expect(file.content).toMatch(/=data\}=\{\}\)\{\n {2}let vErrors = null;\n/);
      expect(file.content).toMatch(/\n {4}if\(vErrors === null\)\{\n {6}vErrors = \[err\d+\];\n {4}\}\n {4}else \{\n/);
      expect(file.content).toMatch(/\n {2}return errors === 0;\n\}\n/);
      expect(file.content).not.toContain('"aa-gen/runtime"'); // the import is written in the project's quotes
      const rendered = await renderFile(file);
      expect(rendered.content).toBe(`// ${GENERATED_MARKER}\n\n${file.content}`);
    }
  });

  test('only whitespace at line starts and ends changes; blocks nest two spaces a level', () => {
    const code = ['function f(a, {b=""}={}){', 'if(a === "}{"){', 'g({x:1,', "y:'])'});", '}', 'else {', 'return [', '1];', '}', '}'].join('\n');
    const out = indentBlocks(code);
    expect(trimmed(out)).toEqual(trimmed(code));
    expect(out).toBe(
      ['function f(a, {b=""}={}){', '  if(a === "}{"){', '    g({x:1,', "      y:'])'});", '  }', '  else {', '    return [', '      1];', '  }', '}'].join('\n'),
    );
  });

  test.each([
    ['a template literal', 'const a = `x\n{`;\nf();'],
    ['a string left open at the end of a line', 'const a = "x\\\ny{";'],
    ['brackets that do not balance', 'if (a) {\nf();'],
    ['a closer with nothing open', '}\nf();'],
  ])('code with %s is returned unchanged', (_what, code) => {
    expect(indentBlocks(code)).toBe(code);
  });
});
