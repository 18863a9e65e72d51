// /scale takes autoscaling/v1 Scale, whose spec.replicas is an int32: anything Go's decoder would
// not put in an int32 is a 400 (sigs.k8s.io/json decode.go: "cannot unmarshal number 2147483648
// into Go struct field ScaleSpec.spec.replicas of type int32"), a 422 in a patch result
// (handlers/patch.go), and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
  expect((await call(s, 'POST', widgets, widget('sc', { replicas: 2 }))).status).toBe(201);
});
afterAll(async () => s?.stop());

const scale = (replicas: unknown) => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'sc', namespace: 'default' }, spec: { replicas } });
const bad: Array<[unknown, string]> = [
  [2 ** 31, 'number 2147483648'],
  [-(2 ** 31) - 1, 'number -2147483649'],
  [1e20, 'number 100000000000000000000'],
  [1.5, 'number 1.5'],
  ['3', 'string'],
  [true, 'bool'],
];

describe('Scale spec.replicas is an int32', () => {
  it.each(bad)('PUT replicas %s is 400', async (replicas, what) => {
    const r = await call(s, 'PUT', `${widgets}/sc/scale`, scale(replicas));
    expectStatusShape(r.body, 400, 'BadRequest');
    expect(r.body.message).toBe(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${what} into Go struct field ScaleSpec.spec.replicas of type int32`);
  });

  it.each(bad)('merge and json patches to replicas %s are 422', async (replicas, what) => {
    for (const [type, body] of [
      [patchTypes.merge, { spec: { replicas } }],
      [patchTypes.json, [{ op: 'replace', path: '/spec/replicas', value: replicas }]],
    ] as const) {
      const r = await call(s, 'PATCH', `${widgets}/sc/scale`, body, type);
      expectStatusShape(r.body, 422, 'Invalid');
      expect(r.body.message.endsWith(`: json: cannot unmarshal ${what} into Go struct field ScaleSpec.spec.replicas of type int32`)).toBe(true);
    }
  });

  it('the largest int32 is taken; the widget kept its replicas through the refusals', async () => {
    expect((await call(s, 'GET', `${widgets}/sc`)).body.spec.replicas).toBe(2);
    const r = await call(s, 'PUT', `${widgets}/sc/scale`, scale(2 ** 31 - 1));
    expect(r.status).toBe(200);
    expect(r.body.spec.replicas).toBe(2 ** 31 - 1);
  });
});
