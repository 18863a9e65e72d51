// dryRun (3.12), fieldValidation (3.13) and Warning headers (9.8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t.close());

const json = { 'content-type': 'application/json' };

describe('dryRun=All', () => {
  it('create answers what would be stored and persists nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?dryRun=All&dryRun=All`, headers: json, payload: widget('dry') });
    expect(res.statusCode).toBe(201);
    expect(res.json().metadata.name).toBe('dry');
    expect((await t.app.inject({ method: 'GET', url: `${ns}/dry` })).statusCode).toBe(404);
  });

  it('delete with dryRun in the body (kubectl delete --dry-run=server) keeps the object', async () => {
    await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('keep') });
    const res = await t.app.inject({ method: 'DELETE', url: `${ns}/keep`, headers: json, payload: { propagationPolicy: 'Background', dryRun: ['All'] } });
    expect(res.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `${ns}/keep` })).statusCode).toBe(200);
  });

  it('patch with dryRun changes nothing', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: `${ns}/keep?dryRun=All`, headers: { 'content-type': 'application/merge-patch+json' }, payload: '{"spec":{"size":42}}' });
    expect(res.statusCode).toBe(200);
    expect(res.json().spec.size).toBe(42);
    expect((await t.app.inject({ method: 'GET', url: `${ns}/keep` })).json().spec.size).toBe(3);
  });
});

describe('fieldValidation', () => {
  it('Strict: unknown fields are 400 with the strict decoding message', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldValidation=Strict`, headers: json, payload: widget('s1', { size: 1, bogus: 1 }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toBe('BadRequest');
    expect(res.json().message).toContain('unknown field "spec.bogus"');
  });

  it('Warn: succeeds with a Warning: 299 header per problem', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldValidation=Warn`, headers: json, payload: widget('s2', { size: 1, bogus: 1 }) });
    expect(res.statusCode).toBe(201);
    expect([res.headers['warning']].flat()).toEqual(['299 - "unknown field \\"spec.bogus\\""']);
    expect(res.json().spec.bogus).toBeUndefined();
  });

  it('absent means Warn (kube-apiserver default)', async () => {
    const res = await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('s3', { size: 1, bogus: 1 }) });
    expect(res.statusCode).toBe(201);
    expect(res.headers['warning']).toBeTruthy();
  });

  it('Ignore: drops unknown fields silently', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldValidation=Ignore`, headers: json, payload: widget('s4', { size: 1, bogus: 1 }) });
    expect(res.statusCode).toBe(201);
    expect(res.headers['warning']).toBeUndefined();
  });

  it('Strict applies to patches too (kubectl apply --server-side with a bogus field)', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `${ns}/s4?fieldManager=kubectl&fieldValidation=Strict`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      payload: JSON.stringify(widget('s4', { size: 1, bogus: 1 })),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('unknown field "spec.bogus"');
  });
});
