// A list or watch that authorization read as one name (requestinfo.go takes it from a
// `metadata.name=` field selector) serves that name only: k8s.io/apiserver
// pkg/endpoints/handlers/get.go listOpts answers 400 "fieldSelector metadata.name doesn't match
// requested name" otherwise. The server's chain derives both readings from one parse, so they
// agree; this holds the handler to its half of the contract when they would not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestAttributes } from '../../src/runtime/auth/authz/attributes.js';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  // The name authorization read, given here by a test header instead of the chain.
  t = await startApp({
    onRequest: (request) => {
      const name = request.headers['x-authorized-name'];
      if (typeof name === 'string') request.requestInfo = { ...requestAttributes(request.method, request.url), name };
    },
  });
  for (const name of ['a', 'b']) {
    const r = await t.app.inject({ method: 'POST', url: ns, payload: widget(name) });
    expect(r.statusCode).toBe(201);
  }
});
afterAll(() => t?.close());

const get = (url: string, authorizedAs: string) => t.app.inject({ method: 'GET', url, headers: { 'x-authorized-name': authorizedAs } });
const mismatch = { kind: 'Status', reason: 'BadRequest', code: 400, message: "fieldSelector metadata.name doesn't match requested name" };

describe('list and watch authorized as one name (handlers/get.go listOpts)', () => {
  it('serves the authorized name', async () => {
    const r = await get(`${ns}?fieldSelector=metadata.name%3Da`, 'a');
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((o: any) => o.metadata.name)).toEqual(['a']);
  });

  it('a list selecting another name, or no name, is 400 and lists nothing', async () => {
    for (const url of [`${ns}?fieldSelector=metadata.name%3Db`, `${ns}?fieldSelector=metadata.name!%3Da`, ns]) {
      const r = await get(url, 'a');
      expect([url, r.statusCode]).toEqual([url, 400]);
      expect(r.json()).toMatchObject(mismatch);
    }
  });

  it('so is a watch', async () => {
    const r = await get(`${ns}?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Db`, 'a');
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject(mismatch);
  });
});
