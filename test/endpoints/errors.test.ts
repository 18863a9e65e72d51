// Status bodies for every failure (API-CONTRACT 3.6-3.8, 5.1, 7.1-7.2, 9.9-9.10), with kube's messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
  await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('w1') });
});
afterAll(async () => t.close());

const json = { 'content-type': 'application/json' };

function expectStatus(res: { statusCode: number; json(): unknown }, code: number, reason: string, message?: string | RegExp) {
  expect(res.statusCode).toBe(code);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code });
  if (typeof message === 'string') expect(body['message']).toBe(message);
  else if (message) expect(body['message']).toMatch(message);
  return body;
}

describe('errors as Status', () => {
  it('404 NotFound for a missing object', async () => {
    const body = expectStatus(await t.app.inject({ method: 'GET', url: `${ns}/nope` }), 404, 'NotFound', 'widgets.demo.example.com "nope" not found');
    expect(body['details']).toEqual({ name: 'nope', group: 'demo.example.com', kind: 'widgets' });
  });

  it('404 for unknown resources, subresources and versions', async () => {
    expectStatus(await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/namespaces/default/things' }), 404, 'NotFound');
    expectStatus(await t.app.inject({ method: 'GET', url: `${ns}/w1/logs` }), 404, 'NotFound');
    expectStatus(await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v9/namespaces/default/widgets' }), 404, 'NotFound');
    expectStatus(await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/widgets/w1' }), 404, 'NotFound');
  });

  it('409 AlreadyExists', async () => {
    expectStatus(await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('w1') }), 409, 'AlreadyExists', 'widgets.demo.example.com "w1" already exists');
  });

  it('409 Conflict on a stale resourceVersion (PUT)', async () => {
    const cur = (await t.app.inject({ method: 'GET', url: `${ns}/w1` })).json();
    const ok = await t.app.inject({ method: 'PUT', url: `${ns}/w1`, headers: json, payload: { ...cur, spec: { size: 5 } } });
    expect(ok.statusCode).toBe(200);
    expectStatus(
      await t.app.inject({ method: 'PUT', url: `${ns}/w1`, headers: json, payload: { ...cur, spec: { size: 6 } } }),
      409,
      'Conflict',
      'Operation cannot be fulfilled on widgets.demo.example.com "w1": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('400 when name or namespace in the body differ from the URL', async () => {
    const cur = (await t.app.inject({ method: 'GET', url: `${ns}/w1` })).json();
    expectStatus(
      await t.app.inject({ method: 'PUT', url: `${ns}/w1`, headers: json, payload: { ...cur, metadata: { ...cur.metadata, name: 'w2' } } }),
      400,
      'BadRequest',
      'the name of the object (w2) does not match the name on the URL (w1)',
    );
    expectStatus(
      await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('x', { size: 1 }, { namespace: 'other' }) }),
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  });

  it('400 when apiVersion or kind do not match the endpoint', async () => {
    expectStatus(await t.app.inject({ method: 'POST', url: ns, headers: json, payload: { ...widget('x'), apiVersion: 'demo.example.com/v1beta1' } }), 400, 'BadRequest', /API version in the data/);
    expectStatus(await t.app.inject({ method: 'POST', url: ns, headers: json, payload: { ...widget('x'), kind: 'Gadget' } }), 400, 'BadRequest');
  });

  it('400 for an undecodable body', async () => {
    expectStatus(await t.app.inject({ method: 'POST', url: ns, headers: json, payload: '{"metadata":' }), 400, 'BadRequest');
  });

  it('422 Invalid from validation', async () => {
    const body = expectStatus(
      await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('Bad_Name') }),
      422,
      'Invalid',
      /^Widget\.demo\.example\.com "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(body['details']).toMatchObject({ name: 'Bad_Name', group: 'demo.example.com', kind: 'Widget' });
  });

  it('422 for invalid options, with meta.k8s.io details', async () => {
    const body = expectStatus(await t.app.inject({ method: 'POST', url: `${ns}?dryRun=Some`, headers: json, payload: widget('x') }), 422, 'Invalid');
    expect(body['details']).toMatchObject({ group: 'meta.k8s.io', kind: 'CreateOptions' });
    const patch = expectStatus(
      await t.app.inject({ method: 'PATCH', url: `${ns}/w1?force=true`, headers: { 'content-type': 'application/merge-patch+json' }, payload: '{}' }),
      422,
      'Invalid',
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
    expect(patch['details']).toMatchObject({ group: 'meta.k8s.io', kind: 'PatchOptions' });
    expectStatus(
      await t.app.inject({ method: 'PATCH', url: `${ns}/w1`, headers: { 'content-type': 'application/apply-patch+yaml' }, payload: '{}' }),
      422,
      'Invalid',
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const list = expectStatus(await t.app.inject({ method: 'GET', url: `${ns}?resourceVersionMatch=Exact` }), 422, 'Invalid');
    expect(list['details']).toMatchObject({ group: 'meta.k8s.io', kind: 'ListOptions' });
  });

  it('415 UnsupportedMediaType lists the accepted types (5.1)', async () => {
    expectStatus(
      await t.app.inject({ method: 'PATCH', url: `${ns}/w1`, headers: { 'content-type': 'application/json' }, payload: '{}' }),
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    expectStatus(
      await t.app.inject({ method: 'POST', url: ns, headers: { 'content-type': 'text/plain' }, payload: 'hi' }),
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  });

  it('406 NotAcceptable', async () => {
    expectStatus(await t.app.inject({ method: 'GET', url: `${ns}/w1`, headers: { accept: 'text/html' } }), 406, 'NotAcceptable');
    expectStatus(await t.app.inject({ method: 'GET', url: `${ns}/w1`, headers: { accept: 'application/vnd.kubernetes.protobuf' } }), 406, 'NotAcceptable');
  });

  it('405 MethodNotAllowed', async () => {
    expectStatus(await t.app.inject({ method: 'PUT', url: ns, headers: json, payload: '{}' }), 405, 'MethodNotAllowed', 'PUT is not supported on resources of kind "widgets.demo.example.com"');
    expectStatus(await t.app.inject({ method: 'POST', url: `${ns}/w1`, headers: json, payload: '{}' }), 405, 'MethodNotAllowed');
    expectStatus(await t.app.inject({ method: 'POST', url: '/apis/demo.example.com/v1/widgets', headers: json, payload: '{}' }), 405, 'MethodNotAllowed');
    expectStatus(await t.app.inject({ method: 'DELETE', url: `${ns}/w1/status` }), 405, 'MethodNotAllowed');
  });

  it('413 for bodies over 3 MiB', async () => {
    const big = JSON.stringify(widget('big', { size: 1, note: 'x'.repeat(3 * 1024 * 1024) }));
    expectStatus(await t.app.inject({ method: 'POST', url: ns, headers: json, payload: big }), 413, 'RequestEntityTooLarge');
  });
});
