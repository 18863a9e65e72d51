// Nesting depth: bodies deeper than the decoder's limit are 400 (kube's JSON decoder stops at
// sigs.k8s.io/json scanner.go maxNestingDepth with "exceeded max depth"), and an object at
// exactly the limit can be created, read (JSON, YAML, Table), updated and patched with every
// patch type: nothing can be stored that the server cannot process afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxJsonDepth } from '../../src/runtime/util/json-input.js';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
});
afterAll(async () => s?.stop());

/** Nested objects `levels` deep ({"a":{"a":...}} has 2 levels), ending in 1. */
function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

/** A Widget whose whole body nests `depth` objects deep: the body and spec count 2. */
function deepWidget(name: string, depth: number): Record<string, unknown> {
  return widget(name, { config: nested(depth - 2) });
}

/** The nesting depth of decoded JSON. */
function depthOf(v: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

describe(`nesting depth (limit ${maxJsonDepth})`, () => {
  it('one level over the limit is 400 "exceeded max depth", as JSON and as YAML', async () => {
    const r = await call(s, 'POST', widgets, deepWidget('over', maxJsonDepth + 1));
    expectStatusShape(r.body, 400, 'BadRequest');
    expect(r.body.message).toBe("the body of the request could not be decoded: invalid character '{' exceeded max depth");
    const yaml = await call(s, 'POST', widgets, JSON.stringify(deepWidget('over', maxJsonDepth + 1)), 'application/yaml');
    expectStatusShape(yaml.body, 400, 'BadRequest');
    // Far over it, too (the decoders do not recurse), in JSON and in YAML flow and block style.
    const far = 100_000;
    const farJson = `{"apiVersion":"demo.example.com/v1","kind":"Widget","metadata":{"name":"far"},"spec":{"size":1,"config":${'{"a":'.repeat(far)}1${'}'.repeat(far)}}}`;
    expectStatusShape((await call(s, 'POST', widgets, farJson)).body, 400, 'BadRequest');
    expectStatusShape((await call(s, 'POST', widgets, farJson, 'application/yaml')).body, 400, 'BadRequest');
    const farBlock = `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: far}\nspec:\n  size: 1\n  config:\n${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i + 3)}a:`).join('\n')} 1\n`;
    expectStatusShape((await call(s, 'POST', widgets, farBlock, 'application/yaml')).body, 400, 'BadRequest');
    const farSeq = `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: far}\nspec:\n  size: 1\n  config:\n    a: ${'- '.repeat(far)}1\n`;
    expectStatusShape((await call(s, 'POST', widgets, farSeq, 'application/yaml')).body, 400, 'BadRequest');
  });

  it('at the limit: create, get as JSON, YAML and Table, list, update', async () => {
    const created = await call(s, 'POST', widgets, deepWidget('deep', maxJsonDepth));
    expect(created.status).toBe(201);
    expect(depthOf(created.body)).toBe(maxJsonDepth);
    const got = await call(s, 'GET', `${widgets}/deep`);
    expect(got.status).toBe(200);
    expect(depthOf(got.body)).toBe(maxJsonDepth);
    const yaml = await call(s, 'GET', `${widgets}/deep`, undefined, 'application/json', 'application/yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.text).toContain('kind: Widget');
    const table = await call(s, 'GET', `${widgets}/deep`, undefined, 'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.status).toBe(200);
    const list = await call(s, 'GET', widgets, undefined, 'application/json', 'application/yaml');
    expect(list.status).toBe(200);
    const beta = await call(s, 'GET', '/apis/demo.example.com/v1beta1/namespaces/default/widgets/deep');
    expect(beta.status).toBe(200);
    const put = await call(s, 'PUT', `${widgets}/deep`, { ...got.body, metadata: { ...got.body.metadata, labels: { x: 'y' } } });
    expect(put.status).toBe(200);
    expect(put.body.metadata.labels).toEqual({ x: 'y' });
  });

  it('at the limit: every patch type applies', async () => {
    const cases: Array<[string, unknown]> = [
      [patchTypes.merge, { metadata: { labels: { p: 'merge' } } }],
      [patchTypes.json, [{ op: 'add', path: '/metadata/labels/p', value: 'json' }]],
      [patchTypes.strategic, { metadata: { labels: { p: 'strategic' } } }],
      [patchTypes.apply, JSON.stringify(deepWidget('deep', maxJsonDepth))],
    ];
    for (const [type, body] of cases) {
      const query = type === patchTypes.apply ? '?fieldManager=t&force=true' : '?fieldManager=t';
      const r = await call(s, 'PATCH', `${widgets}/deep${query}`, body, type);
      expect([type, r.status, r.body?.message]).toEqual([type, 200, undefined]);
    }
    // Applied, its managedFields nest deeper than the object: still served and written back as read.
    const json = await call(s, 'GET', `${widgets}/deep`);
    expect(json.body.metadata.managedFields[0].operation).toBe('Apply');
    expect((await call(s, 'PUT', `${widgets}/deep`, json.body)).status).toBe(200);
    const yaml = await call(s, 'GET', `${widgets}/deep`, undefined, 'application/json', 'application/yaml');
    expect(yaml.status).toBe(200);
    expect((await call(s, 'PUT', `${widgets}/deep`, yaml.text, 'application/yaml')).status).toBe(200);
  });

  it('a patch that makes the object deeper than the limit is refused with a 4xx, and the object stays usable', async () => {
    const path = `/spec/config${'/a'.repeat(maxJsonDepth - 3)}`;
    const cases: Array<[string, unknown]> = [
      [patchTypes.json, [{ op: 'replace', path, value: { b: { c: 1 } } }]],
      [patchTypes.json, [{ op: 'copy', from: '/spec/config', path: '/spec/config/a/b' }]],
    ];
    for (const [type, body] of cases) {
      const r = await call(s, 'PATCH', `${widgets}/deep`, body, type);
      expect([type, r.status, r.body?.reason]).toEqual([type, 422, 'Invalid']);
      expect(r.body.message).toMatch(/^ "" is invalid: patch: Invalid value: ".*": invalid character '\{' exceeded max depth$/s);
    }
    const after = await call(s, 'PATCH', `${widgets}/deep`, { metadata: { labels: { still: 'patchable' } } }, patchTypes.merge);
    expect(after.status).toBe(200);
    const del = await call(s, 'DELETE', `${widgets}/deep`);
    expect(del.status).toBe(200);
  });
});
