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

  // filters/warning.go and apimachinery util/net NewWarningHeader: field names are the client's.
  it('Warn: unknown field names outside latin1 go out as UTF-8, quoted as Go quotes them, never a 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${ns}?fieldValidation=Warn`,
      headers: json,
      payload: JSON.stringify({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 's2b' }, spec: { size: 1, 'josé€': 1, 'bad\u0001': 1, 'lone\ud800': 1 } }),
    });
    expect(res.statusCode).toBe(201);
    const values = [res.headers['warning']].flat().map((v) => Buffer.from(String(v), 'latin1').toString('utf8'));
    // Go's %q of the field name: \x01 escaped, printable runes as they are, a lone surrogate as U+FFFD.
    expect(values).toEqual(['299 - "unknown field \\"spec.bad\\\\x01\\""', '299 - "unknown field \\"spec.josé€\\""', '299 - "unknown field \\"spec.lone\ufffd\\""']);
  });

  it('Warn: past 4096 runes of warnings, each is cut to 256 runes (filters/warning.go truncation)', async () => {
    const spec: Record<string, number> = { size: 1 };
    for (let i = 0; i < 20; i++) spec[`${String(i).padStart(2, '0')}${'x'.repeat(400)}`] = 1;
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldValidation=Warn`, headers: json, payload: widget('s2c', spec) });
    expect(res.statusCode).toBe(201);
    const values = [res.headers['warning']].flat().map(String);
    expect(values.length).toBeGreaterThan(10);
    for (const v of values) expect(v.length).toBe('299 - ""'.length + 256 + 1); // the 256 runes hold one quote, escaped
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
