// The committed example loads, and its IR is exactly the hand-written fixture emitters test with.
import { describe, expect, test } from 'vitest';
import { loadSpec } from '../../src/spec/index.js';
import { wardleIR } from '../fixtures/ir/wardle.js';

describe('examples/wardle/aa-gen.yaml', () => {
  test('loads into the IR of test/fixtures/ir/wardle.ts', async () => {
    const result = await loadSpec('examples/wardle/aa-gen.yaml');
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    expect(result.ir).toEqual(wardleIR);
  });

  test('the IR is deep-frozen plain data', async () => {
    const result = await loadSpec('examples/wardle/aa-gen.yaml');
    if (!result.ok) throw new Error('wardle must load');
    expect(Object.isFrozen(result.ir.kinds[1].versions[0].schema.properties)).toBe(true);
    expect(JSON.parse(JSON.stringify(result.ir))).toEqual(result.ir);
  });

  test('a missing file is a problem, not an exception', async () => {
    const result = await loadSpec('examples/nope/aa-gen.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toMatchObject([{ code: 'read-error', file: 'examples/nope/aa-gen.yaml', line: 0 }]);
  });
});
