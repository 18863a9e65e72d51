// CRUD through the HTTP routes across versions and scopes (API-CONTRACT 3.1, 3.6, 3.7, 3.9, 3.14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, nsBeta, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t.close());

const json = { 'content-type': 'application/json' };

describe('resource CRUD', () => {
  it('create answers 201 with server-set metadata, filling the namespace from the URL', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${ns}?fieldManager=kubectl-create&fieldValidation=Strict`, headers: json, payload: widget('w1', { size: 3, color: 'green' }) });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.json();
    expect(body).toMatchObject({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', generation: 1 } });
    expect(body.metadata.uid).toBeTruthy();
    expect(body.metadata.resourceVersion).toBeTruthy();
    expect(body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('create accepts a YAML body', async () => {
    const yaml = 'apiVersion: demo.example.com/v1\nkind: Widget\nmetadata:\n  name: wy\nspec:\n  size: 2\n';
    const res = await t.app.inject({ method: 'POST', url: ns, headers: { 'content-type': 'application/yaml' }, payload: yaml });
    expect(res.statusCode).toBe(201);
    expect(res.json().spec.size).toBe(2);
  });

  it('get in the hub version and in another served version (converted)', async () => {
    const v1 = await t.app.inject({ method: 'GET', url: `${ns}/w1` });
    expect(v1.statusCode).toBe(200);
    expect(v1.json().spec).toMatchObject({ size: 3, color: 'green' });
    const beta = await t.app.inject({ method: 'GET', url: `${nsBeta}/w1` });
    expect(beta.statusCode).toBe(200);
    expect(beta.json()).toMatchObject({ apiVersion: 'demo.example.com/v1beta1', kind: 'Widget', spec: { size: 3, colour: 'green' } });
  });

  it('create in v1beta1 converts to the hub', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: nsBeta,
      headers: json,
      payload: { apiVersion: 'demo.example.com/v1beta1', kind: 'Widget', metadata: { name: 'wb' }, spec: { size: 1, colour: 'blue' } },
    });
    expect(res.statusCode).toBe(201);
    const v1 = await t.app.inject({ method: 'GET', url: `${ns}/wb` });
    expect(v1.json().spec.color).toBe('blue');
  });

  it('list has kind, list RV and typed items; all-namespaces list works', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${ns}?limit=500` });
    expect(res.statusCode).toBe(200);
    const list = res.json();
    expect(list).toMatchObject({ apiVersion: 'demo.example.com/v1', kind: 'WidgetList' });
    expect(list.metadata.resourceVersion).toBeTruthy();
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(['w1', 'wb', 'wy']);
    for (const item of list.items) expect(item).toMatchObject({ apiVersion: 'demo.example.com/v1', kind: 'Widget' });
    const all = await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/widgets' });
    expect(all.statusCode).toBe(200);
    expect(all.json().items).toHaveLength(3);
    const other = await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/namespaces/other/widgets' });
    expect(other.json().items).toEqual([]);
  });

  it('label and field selectors reach the store', async () => {
    const byLabel = await t.app.inject({ method: 'GET', url: `${ns}?labelSelector=a%3Db` });
    expect(byLabel.json().items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['w1']); // wy and wb have no labels
    const byName = await t.app.inject({ method: 'GET', url: `${ns}?fieldSelector=metadata.name%3Dw1` });
    expect(byName.json().items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['w1']);
  });

  it('paging with limit and continue', async () => {
    const first = (await t.app.inject({ method: 'GET', url: `${ns}?limit=2` })).json();
    expect(first.items).toHaveLength(2);
    expect(first.metadata.continue).toBeTruthy();
    const rest = (await t.app.inject({ method: 'GET', url: `${ns}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}` })).json();
    expect(rest.items).toHaveLength(1);
  });

  it('update (PUT) with the current RV bumps it; generation follows spec', async () => {
    const cur = (await t.app.inject({ method: 'GET', url: `${ns}/w1` })).json();
    cur.spec.size = 4;
    const res = await t.app.inject({ method: 'PUT', url: `${ns}/w1?fieldManager=kubectl-replace`, headers: json, payload: cur });
    expect(res.statusCode).toBe(200);
    expect(res.json().spec.size).toBe(4);
    expect(res.json().metadata.generation).toBe(2);
    expect(res.json().metadata.resourceVersion).not.toBe(cur.metadata.resourceVersion);
  });

  it('cluster-scoped kinds live at /apis/G/V/R', async () => {
    const url = '/apis/demo.example.com/v1beta1/gadgets';
    const created = await t.app.inject({ method: 'POST', url, headers: json, payload: { apiVersion: 'demo.example.com/v1beta1', kind: 'Gadget', metadata: { name: 'g1' }, spec: {} } });
    expect(created.statusCode).toBe(201);
    expect(created.json().metadata.namespace).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: `${url}/g1` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url })).json().items).toHaveLength(1);
    // Gadget is not served in v1, and has no namespaced path.
    expect((await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/gadgets' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1beta1/namespaces/default/gadgets' })).statusCode).toBe(404);
    const del = await t.app.inject({ method: 'DELETE', url: `${url}/g1` });
    expect(del.statusCode).toBe(200);
  });

  it('delete answers a Success Status (kubectl sends a body without kind)', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: `${ns}/wy`, headers: json, payload: { propagationPolicy: 'Background' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'wy', group: 'demo.example.com', kind: 'widgets' } });
    expect(res.json().details.uid).toBeTruthy();
    expect((await t.app.inject({ method: 'GET', url: `${ns}/wy` })).statusCode).toBe(404);
  });

  it('delete with an empty JSON body, and with a typed DeleteOptions', async () => {
    await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('d1') });
    await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('d2') });
    expect((await t.app.inject({ method: 'DELETE', url: `${ns}/d1`, headers: json, payload: '' })).statusCode).toBe(200);
    const typed = await t.app.inject({ method: 'DELETE', url: `${ns}/d2`, headers: json, payload: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 0 } });
    expect(typed.statusCode).toBe(200);
  });

  it('finalizers keep the object: delete returns it with deletionTimestamp', async () => {
    await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('f1', { size: 1 }, { finalizers: ['demo.example.com/hold'] }) });
    const res = await t.app.inject({ method: 'DELETE', url: `${ns}/f1` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Widget', metadata: { name: 'f1' } });
    expect(res.json().metadata.deletionTimestamp).toBeTruthy();
    const gone = await t.app.inject({
      method: 'PATCH',
      url: `${ns}/f1`,
      headers: { 'content-type': 'application/json-patch+json' },
      payload: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    expect(gone.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `${ns}/f1` })).statusCode).toBe(404);
  });

  it('deletecollection applies selectors and returns the deleted list', async () => {
    await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('c1', { size: 1 }, { labels: { batch: 'x' } }) });
    await t.app.inject({ method: 'POST', url: ns, headers: json, payload: widget('c2', { size: 1 }, { labels: { batch: 'x' } }) });
    const res = await t.app.inject({ method: 'DELETE', url: `${ns}?labelSelector=batch%3Dx`, headers: json, payload: { propagationPolicy: 'Background' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().kind).toBe('WidgetList');
    expect(res.json().items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(['c1', 'c2']);
    expect((await t.app.inject({ method: 'GET', url: `${ns}/c1` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${ns}/w1` })).statusCode).toBe(200);
  });

  it('percent-encoded path segments are decoded', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/namespaces/%64efault/widgets/%771' });
    expect(res.statusCode).toBe(200);
    expect(res.json().metadata.name).toBe('w1');
  });
});
