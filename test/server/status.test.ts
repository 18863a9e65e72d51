// Every error is a metav1.Status (API-CONTRACT 7.1), fastify's own included: unknown paths,
// bodies over 3 MiB, unknown content types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyGroup } from './fixtures.js';
import { expectStatusShape, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(emptyGroup);
});
afterAll(() => t?.stop());

describe('Status errors', () => {
  it('unknown paths are 404 "the server could not find the requested resource"', async () => {
    const r = await t.fetch('/no/such/thing');
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  });

  it('unknown methods on known paths are a Status', async () => {
    const r = await t.fetch('/version', { method: 'DELETE' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.json().kind).toBe('Status');
  });

  it('bodies over 3 MiB are 413 RequestEntityTooLarge', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) });
    const r = await t.fetch('/apis/empty.example.com/v1/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(r.status).toBe(413);
    expectStatusShape(r.json(), 413, 'RequestEntityTooLarge');
    expect(r.json().message).toBe('Request entity too large: limit is 3145728');
  });

  it('malformed percent-encoding in the URL is a 400 Status', async () => {
    const r = await t.fetch('/apis/%E0%A4%A');
    expect(r.status).toBe(400);
    expectStatusShape(r.json(), 400, 'BadRequest');
  });
});
