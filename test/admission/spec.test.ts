// The `admission:` section of aa-gen.yaml: every problem with its code, line and column, and
// the IR the loader builds (defaults applied once, in src/model/build.ts).
import { describe, expect, test } from 'vitest';
import { formatProblem, loadSpecText } from '../../src/spec/index.js';

const spec = (admission: string) => `group: wardle.example.com
versions:
  - name: v1
    storage: true
kinds:
  - kind: Flunder
    versions:
      v1: {schema: {type: object}}
  - kind: Fischer
    scope: Cluster
    versions:
      v1: {schema: {type: object}}
admission:
${admission}`;

const problems = (admission: string) => {
  const r = loadSpecText(spec(admission), 'aa-gen.yaml');
  if (r.ok) return [];
  return r.problems.map((p) => ({ code: p.code, line: p.line, column: p.column, text: formatProblem(p) }));
};

describe('admission spec problems (file:line:column)', () => {
  test.each([
    [
      'a name that is not UpperCamelCase',
      `  plugins:\n    - name: ban-flunder\n      type: validating\n`,
      [{ code: 'admission-plugin-name', line: 15, column: 13, text: expect.stringContaining('aa-gen.yaml:15:13: error[admission-plugin-name]: ') }],
    ],
    [
      'the same name twice, and two names with one file name',
      `  plugins:\n    - {name: BanFlunder, type: validating}\n    - {name: BanFlunder, type: mutating}\n    - {name: Banflunder, type: mutating}\n`,
      [
        { code: 'duplicate-admission-plugin', line: 16, column: 14, text: expect.stringContaining('admission plugin "BanFlunder" is defined twice (plugins[0] and plugins[1])') },
        { code: 'duplicate-admission-plugin', line: 17, column: 14, text: expect.stringContaining('admission plugin "Banflunder" has the file name of "BanFlunder" (src/admission/banflunder.ts)') },
      ],
    ],
    [
      'a kind that is not in the spec, with a suggestion',
      `  plugins:\n    - name: BanFlunder\n      type: validating\n      kinds: [Flunder, Flunders]\n`,
      [{ code: 'unknown-kind', line: 17, column: 24, text: expect.stringMatching(/names kind "Flunders", which is not a kind of the spec\n  hint: did you mean "Flunder"\?/) }],
    ],
    [
      'a bad type and a bad operation',
      `  plugins:\n    - name: BanFlunder\n      type: checking\n      operations: [CREATE, PATCH]\n`,
      [
        { code: 'enum', line: 16, column: 13, text: expect.any(String) },
        { code: 'enum', line: 17, column: 28, text: expect.any(String) },
      ],
    ],
    [
      'an unknown key and a missing type',
      `  plugins:\n    - name: BanFlunder\n      kind: [Flunder]\n`,
      [
        { code: 'missing-field', line: 15, column: 7, text: expect.any(String) },
        { code: 'unknown-key', line: 16, column: 7, text: expect.stringContaining('did you mean "kinds"?') },
      ],
    ],
    [
      'an operation listed twice',
      `  plugins:\n    - {name: BanFlunder, type: validating, operations: [CREATE, CREATE]}\n`,
      [{ code: 'duplicate-item', line: 15, column: 65, text: expect.any(String) }],
    ],
  ])('%s', (_name, admission, want) => {
    expect(problems(admission)).toEqual(want);
  });
});

describe('admission IR', () => {
  test('defaults: every kind (sorted), CREATE UPDATE DELETE, on by default; operations in canonical order', () => {
    const r = loadSpecText(
      spec(`  plugins:\n    - {name: Stamp, type: mutating}\n    - {name: Guard, type: validating, operations: [DELETE, CREATE], kinds: [Flunder], enabledByDefault: false, description: Guards.}\n`),
      'aa-gen.yaml',
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.ir.admissionPlugins).toEqual([
      { name: 'Stamp', type: 'mutating', operations: ['CREATE', 'UPDATE', 'DELETE'], kinds: ['Fischer', 'Flunder'], enabledByDefault: true, description: '' },
      { name: 'Guard', type: 'validating', operations: ['CREATE', 'DELETE'], kinds: ['Flunder'], enabledByDefault: false, description: 'Guards.' },
    ]);
  });

  test('no admission section: no plugins', () => {
    const r = loadSpecText(spec('  plugins: []\n').replace(/admission:\n.*\n$/, ''), 'aa-gen.yaml');
    expect(r.ok && r.ir.admissionPlugins).toEqual([]);
  });
});
