// YAML features a spec may use (anchors, aliases, merge keys) and the ones it must not abuse
// (alias bombs), plus reporting every problem of a file in one pass.
import { describe, expect, test } from 'vitest';
import { formatProblem, loadSpecText } from '../../src/spec/index.js';

const shared = `group: demo.example.com
versions:
  - name: v1
    storage: true
  - name: v1beta1
kinds:
  - kind: Widget
    versions:
      v1:
        schema: &schema
          type: object
          properties:
            spec: &spec
              type: object
              properties:
                size: {type: integer}
      v1beta1:
        schema: *schema
  - kind: Gadget
    versions:
      v1:
        schema:
          type: object
          properties:
            spec:
              <<: *spec
              description: merged
`;

describe('anchors, aliases and merge keys', () => {
  test('one schema serves two versions', () => {
    const r = loadSpecText(shared, 'aa-gen.yaml');
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const widget = r.ir.kinds.find((k) => k.kind === 'Widget')!;
    expect(widget.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1']);
    expect(widget.versions[0].schema).toEqual(widget.versions[1].schema);
    const gadget = r.ir.kinds.find((k) => k.kind === 'Gadget')!;
    expect(gadget.versions[0].schema.properties?.spec).toEqual({
      type: 'object',
      description: 'merged',
      properties: { size: { type: 'integer' } },
    });
  });

  test('a problem inside an anchored schema points at the anchored node', () => {
    const r = loadSpecText(shared.replace('size: {type: integer}', 'size: {type: integr}'), 'aa-gen.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Reported once per use of the node (v1, v1beta1 via alias, Gadget via merge), all at 16:30.
    expect(new Set(r.problems.map((p) => `${p.line}:${p.column}:${p.code}`))).toEqual(new Set(['16:30:enum']));
  });

  test('an alias to an unknown anchor is a YAML error', () => {
    const r = loadSpecText('group: a.b\nversions: *nope\n', 'aa-gen.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ code: 'yaml-syntax', line: 2, column: 11 });
  });
});

describe('alias bombs', () => {
  test('a billion-laughs document is rejected fast, pointing at the first alias', () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const p = String.fromCharCode(96 + i);
      const c = String.fromCharCode(97 + i);
      rows.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    const started = performance.now();
    const r = loadSpecText(rows.join('\n') + '\n', 'bomb.yaml');
    const elapsed = performance.now() - started;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toMatchObject([{ code: 'alias-bomb', file: 'bomb.yaml', line: 2, column: 8 }]);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('all problems at once', () => {
  test('problems of every layer come back together, in reading order, formatted', () => {
    const r = loadSpecText(
      `group: Demo
versions:
  - name: v1
kinds:
  - kind: Widget
    scope: Everywhere
    versions:
      v2:
        schema: {type: string}
`,
      'specs/aa-gen.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem)).toEqual([
      'specs/aa-gen.yaml:1:8: error[dns-name]: group: "Demo" is not a valid API group (a DNS-1123 subdomain with at least one dot)\n  hint: use a domain you own, in lower case, e.g. wardle.example.com',
      'specs/aa-gen.yaml:3:3: error[storage-version-count]: no version has storage: true\n  hint: mark exactly one version storage: true: objects are stored in it and every other version converts through it',
      'specs/aa-gen.yaml:6:12: error[enum]: kinds[0].scope must be one of "Namespaced", "Cluster", not "Everywhere"\n  hint: use one of Namespaced, Cluster',
      'specs/aa-gen.yaml:8:7: error[unknown-version]: kind Widget uses version "v2", which is not a version of the group\n  hint: use one of v1, or add v2 to the top-level versions:',
      'specs/aa-gen.yaml:9:24: error[non-structural]: kinds[0].versions.v2.schema must have type: object at its root\n  hint: the schema describes the whole object; put fields under properties: (normally spec and status)',
    ]);
    for (const p of r.problems) expect(p.pointer).toMatch(/^(\/|$)/);
  });
});
