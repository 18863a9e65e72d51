// YAML alias expansion is bounded by the share of the decoded document it makes up, as
// go.yaml.in/yaml/v2 decode.go allowedAliasRatio does for kube's sigs.k8s.io/yaml (the fix of
// CVE-2019-11253), for object bodies and apply patches alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
});
afterAll(async () => s?.stop());

/**
 * `anchors` lists of 20 scalars, each aliased `uses` times: every anchor stays under a
 * count-based alias limit, but together they expand the body about 30-fold.
 */
function manyAnchors(name: string, anchors: number, uses: number): string {
  const lines = ['apiVersion: demo.example.com/v1', 'kind: Widget', `metadata: {name: ${name}}`, 'spec:', '  size: 1', '  config:', '    defs:'];
  const item = 'v'.repeat(14);
  for (let i = 0; i < anchors; i++) lines.push(`    - &a${i} [${Array(20).fill(item).join(', ')}]`);
  lines.push('    uses:');
  for (let i = 0; i < anchors; i++) lines.push(`    - [${Array(uses).fill(`*a${i}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

describe('YAML aliases (go-yaml allowedAliasRatio)', () => {
  it('a body whose aliases expand it ~30-fold is 400 "excessive aliasing", quickly', async () => {
    const body = manyAnchors('bomb', 350, 99);
    expect(body.length).toBeLessThan(400_000);
    const started = performance.now();
    const r = await call(s, 'POST', widgets, body, 'application/yaml');
    expect(performance.now() - started).toBeLessThan(5000);
    expectStatusShape(r.body, 400, 'BadRequest');
    expect(r.body.message).toContain('yaml: document contains excessive aliasing');
    expect((await call(s, 'GET', `${widgets}/bomb`)).status).toBe(404);
  });

  it('the same through an apply patch', async () => {
    const r = await call(s, 'PATCH', `${widgets}/bomb?fieldManager=t`, manyAnchors('bomb', 350, 99), patchTypes.apply);
    expectStatusShape(r.body, 400, 'BadRequest');
    expect(r.body.message).toBe('error decoding patch: yaml: document contains excessive aliasing');
  });

  it('one long string aliased many times is refused by its bytes, not its node count', async () => {
    const body = `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: long}\nspec:\n  size: 1\n  config:\n    s: &s ${'x'.repeat(100_000)}\n    l: [${Array(600).fill('*s').join(', ')}]\n${Array(500).fill(0).map((_, i) => `    k${i}: v`).join('\n')}\n`;
    const r = await call(s, 'POST', widgets, body, 'application/yaml');
    expectStatusShape(r.body, 400, 'BadRequest');
    expect(r.body.message).toContain('yaml: document contains excessive aliasing');
  });

  it('ordinary aliasing is accepted, also past a count-based limit (150 uses of one anchor)', async () => {
    const body = `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: fine}\nspec:\n  size: 1\n  config:\n    base: &b {a: 1, b: two}\n    uses: [${Array(150).fill('*b').join(', ')}]\n`;
    const r = await call(s, 'POST', widgets, body, 'application/yaml');
    expect(r.status).toBe(201);
    expect(r.body.spec.config.uses).toHaveLength(150);
    expect(r.body.spec.config.uses[149]).toEqual({ a: 1, b: 'two' });
  });

  it('an alias of its own anchor, or of no anchor, is 400', async () => {
    for (const config of ['&a [*a]', '*nowhere']) {
      const body = `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: self}\nspec:\n  size: 1\n  config: {x: ${config}}\n`;
      const r = await call(s, 'POST', widgets, body, 'application/yaml');
      expectStatusShape(r.body, 400, 'BadRequest');
    }
  });
});
