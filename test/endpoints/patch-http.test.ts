// PATCH over HTTP for every patch type (API-CONTRACT 3.8, 5.1, 5.4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
  await t.app.inject({ method: 'POST', url: ns, headers: { 'content-type': 'application/json' }, payload: widget('w1', { size: 3, ports: [{ name: 'http', port: 80 }], tags: ['a'] }) });
});
afterAll(async () => t.close());

const patch = (name: string, type: string, body: unknown, query = '') =>
  t.app.inject({ method: 'PATCH', url: `${ns}/${name}${query}`, headers: { 'content-type': type }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

describe('PATCH', () => {
  it('merge patch (kubectl patch --type=merge, label, annotate)', async () => {
    const res = await patch('w1', 'application/merge-patch+json', { metadata: { labels: { c: 'd' } }, spec: { size: 9 } }, '?fieldManager=kubectl-label');
    expect(res.statusCode).toBe(200);
    expect(res.json().spec.size).toBe(9);
    expect(res.json().metadata.labels).toEqual({ a: 'b', c: 'd' });
  });

  it('json patch (kubectl patch --type=json)', async () => {
    const res = await patch('w1', 'application/json-patch+json', [{ op: 'replace', path: '/spec/size', value: 8 }]);
    expect(res.statusCode).toBe(200);
    expect(res.json().spec.size).toBe(8);
  });

  it('a failed json patch test is 422; undecodable is 400', async () => {
    expect((await patch('w1', 'application/json-patch+json', [{ op: 'test', path: '/spec/size', value: 1 }])).json()).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((await patch('w1', 'application/json-patch+json', '[{')).json()).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('strategic merge patch merges list-maps by key and sets as unions', async () => {
    const res = await patch('w1', 'application/strategic-merge-patch+json', { spec: { ports: [{ name: 'grpc', port: 9000 }], tags: ['b'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().spec.ports).toEqual([{ name: 'http', port: 80 }, { name: 'grpc', port: 9000 }]);
    expect(res.json().spec.tags).toEqual(['a', 'b']);
  });

  it('a patch whose resourceVersion differs from the current one is 409 (3.8)', async () => {
    const res = await patch('w1', 'application/json-patch+json', [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }]);
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe('Conflict');
  });

  it('a patch of a missing object is 404 unless it is an apply', async () => {
    expect((await patch('nope', 'application/merge-patch+json', { spec: { size: 1 } })).statusCode).toBe(404);
    const applied = await patch('new', 'application/apply-patch+yaml', 'apiVersion: demo.example.com/v1\nkind: Widget\nmetadata:\n  name: new\nspec:\n  size: 2\n', '?fieldManager=kubectl&force=false&fieldValidation=Strict');
    expect(applied.statusCode).toBe(201);
    expect(applied.json().metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply', apiVersion: 'demo.example.com/v1', fieldsType: 'FieldsV1' }),
    ]);
  });

  it('server-side apply updates (200), keeps its managedFields entry, removes fields it stopped applying', async () => {
    const cfg = (spec: string) => `apiVersion: demo.example.com/v1\nkind: Widget\nmetadata:\n  name: new\nspec:\n${spec}`;
    const first = await patch('new', 'application/apply-patch+yaml', cfg('  size: 2\n  color: blue\n'), '?fieldManager=kubectl');
    expect(first.statusCode).toBe(200);
    expect(first.json().spec.color).toBe('blue');
    const second = await patch('new', 'application/apply-patch+yaml', JSON.stringify({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'new' }, spec: { size: 2 } }), '?fieldManager=kubectl&force=true');
    expect(second.statusCode).toBe(200);
    expect(second.json().spec.color).not.toBe('blue'); // removed (then possibly defaulted by the schema)
    expect(second.json().metadata.managedFields).toHaveLength(1);
  });

  it('non-apply writes keep managedFields', async () => {
    const res = await patch('new', 'application/merge-patch+json', { metadata: { annotations: { x: 'y' } } }, '?fieldManager=kubectl-annotate');
    expect(res.json().metadata.managedFields).toHaveLength(1);
  });
});
