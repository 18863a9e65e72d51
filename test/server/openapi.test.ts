// OpenAPI serving (API-CONTRACT section 2; kube-openapi pkg/handler3/handler.go): an index of
// our own group-versions with content hashes, hash-addressed documents that redirect when the
// hash is stale, and /openapi/v2 as JSON only when JSON is acceptable.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardleGroup } from './fixtures.js';
import { expectStatusShape, startTestServer, type TestServer } from './helpers.js';

const G = 'wardle.example.com';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(wardleGroup);
});
afterAll(() => t?.stop());

const sha512 = (s: string) => createHash('sha512').update(s).digest('hex').toUpperCase();

describe('GET /openapi/v3', () => {
  it('indexes only our group-versions, each with the upper-case SHA-512 of its JSON', async () => {
    const r = await t.fetch('/openapi/v3', { headers: { accept: 'application/json, */*' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const { paths } = r.json();
    expect(Object.keys(paths).sort()).toEqual([`apis/${G}/v1alpha1`, `apis/${G}/v1beta1`]);
    const hash = sha512(JSON.stringify(wardleGroup.openapi.v3[`apis/${G}/v1beta1`]));
    expect(paths[`apis/${G}/v1beta1`]).toEqual({ serverRelativeURL: `/openapi/v3/apis/${G}/v1beta1?hash=${hash}` });
  });
});

describe('GET /openapi/v3/apis/G/V', () => {
  it('serves the document at its hash with immutable caching headers', async () => {
    const { paths } = (await t.fetch('/openapi/v3')).json();
    const url = paths[`apis/${G}/v1beta1`].serverRelativeURL as string;
    const r = await t.fetch(url, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual(wardleGroup.openapi.v3[`apis/${G}/v1beta1`]);
    const hash = url.split('hash=')[1];
    expect(r.headers.etag).toBe(`"${hash}"`);
    expect(r.headers['cache-control']).toBe('public, immutable');
    expect(r.headers.vary).toBe('Accept');
    const expires = Date.parse(r.headers.expires as string);
    expect(expires - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
  });

  it('redirects a stale hash (301) to the current one', async () => {
    const r = await t.fetch(`/openapi/v3/apis/${G}/v1beta1?hash=ABC`);
    expect(r.status).toBe(301);
    const hash = sha512(JSON.stringify(wardleGroup.openapi.v3[`apis/${G}/v1beta1`]));
    expect(r.headers.location).toBe(`/openapi/v3/apis/${G}/v1beta1?hash=${hash}`);
  });

  it('serves without a hash, without the immutable headers', async () => {
    const r = await t.fetch(`/openapi/v3/apis/${G}/v1alpha1`);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBeUndefined();
  });

  it('answers 304 to If-None-Match', async () => {
    const first = await t.fetch(`/openapi/v3/apis/${G}/v1alpha1`);
    const r = await t.fetch(`/openapi/v3/apis/${G}/v1alpha1`, { headers: { 'if-none-match': first.headers.etag as string } });
    expect(r.status).toBe(304);
  });

  it('is 404 for group-versions that are not ours', async () => {
    const r = await t.fetch('/openapi/v3/apis/other.example.com/v1');
    expect(r.status).toBe(404);
    expectStatusShape(r.json(), 404, 'NotFound');
  });

  it('is 406 when only protobuf is acceptable', async () => {
    const r = await t.fetch(`/openapi/v3/apis/${G}/v1beta1`, { headers: { accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' } });
    expect(r.status).toBe(406);
    expectStatusShape(r.json(), 406, 'NotAcceptable');
  });
});

describe('GET /openapi/v2', () => {
  it('serves JSON to the aggregator (Accept: application/json)', async () => {
    const r = await t.fetch('/openapi/v2', { headers: { accept: 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual(wardleGroup.openapi.v2);
    expect(r.headers.etag).toMatch(/^"[0-9A-F]+"$/);
  });

  it('is 406 to client-go, which asks only for protobuf', async () => {
    const r = await t.fetch('/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(r.status).toBe(406);
    expectStatusShape(r.json(), 406, 'NotAcceptable');
  });
});
