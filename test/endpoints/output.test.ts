// Output formats: Table (6.1-6.4), YAML (on Accept), PartialObjectMetadata(List) (6.6).
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
  await t.app.inject({ method: 'POST', url: ns, headers: { 'content-type': 'application/json' }, payload: widget('w1', { size: 3, color: 'red' }) });
});
afterAll(async () => t.close());

const kubectlTable = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('Table', () => {
  it('kubectl get (list): Name, printer columns, Age as a duration, list RV', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${ns}?limit=500`, headers: { accept: kubectlTable } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    const table = res.json();
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(table.metadata.resourceVersion).toBeTruthy();
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Size', 'Color', 'Age']);
    expect(table.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
    expect(table.rows).toHaveLength(1);
    const [name, size, color, age] = table.rows[0].cells;
    expect([name, size, color]).toEqual(['w1', 3, 'red']);
    expect(age).toMatch(/^\d+s$/);
    expect(table.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'w1', namespace: 'default', labels: { a: 'b' } } });
  });

  it('single object, includeObject=Object and None', async () => {
    const one = (await t.app.inject({ method: 'GET', url: `${ns}/w1?includeObject=Object`, headers: { accept: kubectlTable } })).json();
    expect(one.rows).toHaveLength(1);
    expect(one.rows[0].object).toMatchObject({ kind: 'Widget', apiVersion: 'demo.example.com/v1', spec: { size: 3 } });
    const none = (await t.app.inject({ method: 'GET', url: `${ns}?includeObject=None`, headers: { accept: kubectlTable } })).json();
    expect(none.rows[0].object).toBeUndefined();
    const bad = await t.app.inject({ method: 'GET', url: `${ns}?includeObject=All`, headers: { accept: kubectlTable } });
    expect(bad.statusCode).toBe(400);
  });

  it('empty lists have rows: []', async () => {
    const res = (await t.app.inject({ method: 'GET', url: '/apis/demo.example.com/v1/namespaces/empty/widgets', headers: { accept: kubectlTable } })).json();
    expect(res.rows).toEqual([]);
  });
});

describe('YAML', () => {
  it('get and list as YAML when Accept asks', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${ns}/w1`, headers: { accept: 'application/yaml' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/yaml');
    expect(parseYaml(res.body)).toMatchObject({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w1' } });
    const list = parseYaml((await t.app.inject({ method: 'GET', url: ns, headers: { accept: 'application/yaml' } })).body);
    expect(list).toMatchObject({ kind: 'WidgetList', items: [{ metadata: { name: 'w1' } }] });
  });
});

describe('PartialObjectMetadata', () => {
  it('list and get for metadata clients (6.6)', async () => {
    const accept = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
    const list = (await t.app.inject({ method: 'GET', url: ns, headers: { accept } })).json();
    expect(list).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', items: [{ kind: 'PartialObjectMetadata', metadata: { name: 'w1' } }] });
    expect(list.items[0].spec).toBeUndefined();
    const one = (await t.app.inject({ method: 'GET', url: `${ns}/w1`, headers: { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' } })).json();
    expect(one).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'w1' } });
  });
});
