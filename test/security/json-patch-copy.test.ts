// JSON patch `copy` is bounded by the bytes it adds (k8s.io/apiserver pkg/server/config.go
// JSONPatchMaxCopyBytes = 3 MiB, evanphx/json-patch AccumulatedCopySizeLimit; the error goes
// out as pkg/endpoints/handlers/patch.go answers a patch that does not apply: a 422).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
  expect((await call(s, 'POST', widgets, widget('w', { config: { a: 'x'.repeat(64) } }))).status).toBe(201);
});
afterAll(async () => s?.stop());

/** Each copy doubles spec.config: 64 bytes to 2^ops * 64, far beyond any heap. */
function doublingCopies(ops: number): unknown[] {
  const patch: unknown[] = [];
  for (let i = 0; i < ops; i++) patch.push({ op: 'copy', from: '/spec/config', path: `/spec/config/${i}` });
  return patch;
}

describe('JSON patch copy size (JSONPatchMaxCopyBytes)', () => {
  it('a 2 KB patch of doubling copies is refused quickly, with bounded memory, as 422', async () => {
    const patch = doublingCopies(32);
    expect(JSON.stringify(patch).length).toBeLessThan(2000);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const r = await call(s, 'PATCH', `${widgets}/w`, patch, patchTypes.json);
    const ms = performance.now() - started;
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expectStatusShape(r.body, 422, 'Invalid');
    expect(r.body.message).toBe('the server rejected our request due to an error in our request');
    expect(r.body.details.causes[0].message).toMatch(
      /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/,
    );
    expect(ms).toBeLessThan(5000);
    expect(heapGrowth).toBeLessThan(256 * 1024 * 1024);
    // Nothing was written.
    const got = await call(s, 'GET', `${widgets}/w`);
    expect(Object.keys(got.body.spec.config)).toEqual(['a']);
  });

  it('copies adding less than the limit apply', async () => {
    const r = await call(s, 'PATCH', `${widgets}/w`, doublingCopies(3), patchTypes.json);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.spec.config)).toEqual(["0", "1", "2", "a"]);
  });

  it('more than 10000 operations is 413 (handlers/patch.go maxJSONPatchOperations)', async () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Widget' }));
    const r = await call(s, 'PATCH', `${widgets}/w`, ops, patchTypes.json);
    expectStatusShape(r.body, 413, 'RequestEntityTooLarge');
    expect(r.body.message).toBe('Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  });
});
