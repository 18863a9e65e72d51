// Bad input never throws: whatever the text, loadSpecText returns problems or an IR.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { loadSpecText } from '../../src/spec/index.js';

const wardle = readFileSync('examples/wardle/aa-gen.yaml', 'utf8');
const lines = wardle.split('\n');

function check(text: string): void {
  const r = loadSpecText(text, 'aa-gen.yaml');
  if (!r.ok) {
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) {
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.column).toBeGreaterThanOrEqual(1);
    }
  }
}

describe('loadSpecText never throws', () => {
  test('on arbitrary data serialized as YAML', () => {
    fc.assert(fc.property(fc.anything(), (v) => check(stringify(v) ?? '')), { numRuns: 150 });
  });

  test('on the wardle spec with lines removed, duplicated or re-indented', () => {
    const edit = fc.record({
      at: fc.nat({ max: lines.length - 1 }),
      op: fc.constantFrom('drop', 'dup', 'indent', 'dedent'),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = [...lines];
        for (const { at, op } of edits) {
          if (op === 'drop') copy.splice(at, 1);
          else if (op === 'dup') copy.splice(at, 0, copy[at] ?? '');
          else if (op === 'indent') copy[at] = '  ' + (copy[at] ?? '');
          else copy[at] = (copy[at] ?? '').replace(/^ {2}/, '');
        }
        check(copy.join('\n'));
      }),
      { numRuns: 150 },
    );
  });

  test('on a spec whose values are all the wrong shape', () => {
    for (const v of ['null', '[]', '{}', '1', '"x"', '[1, {a: b}]', '{kind: 1}']) {
      check(`name: ${v}\ngroup: ${v}\nversions: ${v}\ndeploy: ${v}\nkinds: [{kind: ${v}, versions: {v1: {schema: ${v}}}, subresources: ${v}, printerColumns: ${v}, selectableFields: ${v}, shortNames: ${v}}]\n`);
    }
  });
});
