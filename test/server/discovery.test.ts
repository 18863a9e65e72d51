// Discovery documents over HTTPS (API-CONTRACT section 1; k8s.io/apiserver
// pkg/endpoints/discovery/aggregated/handler.go, etag.go, storageversionhash.go).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardleGroup } from './fixtures.js';
import { expectStatusShape, startTestServer, type TestServer } from './helpers.js';

const G = 'wardle.example.com';
const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const v2beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
/** What kubectl 1.32 sends (API-CONTRACT 1.2). */
const kubectlAccept = `${v2},${v2beta1},application/json`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(wardleGroup);
});
afterAll(() => t?.stop());

describe('GET /api', () => {
  it('is a 404 Status (extension servers do not serve the core group)', async () => {
    const r = await t.fetch('/api', { headers: { accept: kubectlAccept } });
    expect(r.status).toBe(404);
    expectStatusShape(r.json(), 404, 'NotFound');
  });
});

describe('GET /apis negotiation, in the client order', () => {
  it('answers v2 to kubectl 1.32', async () => {
    const r = await t.fetch('/apis', { headers: { accept: kubectlAccept } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/);
    expect(r.json().apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(r.headers.vary).toBe('Accept');
    expect(r.headers['cache-control']).toBe('public');
    expect(r.headers.etag).toMatch(/^"[0-9A-F]{128}"$/);
  });

  it('answers v2beta1 to a client that asks only for v2beta1 (kubectl <= 1.29)', async () => {
    const r = await t.fetch('/apis', { headers: { accept: `${v2beta1},application/json` } });
    expect(r.headers['content-type']).toMatch(/v=v2beta1/);
    expect(r.json().apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
  });

  it('follows the client order when v2beta1 comes first', async () => {
    const r = await t.fetch('/apis', { headers: { accept: `${v2beta1},${v2}` } });
    expect(r.json().apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
  });

  it('answers the legacy APIGroupList to plain JSON clients (client-node)', async () => {
    const r = await t.fetch('/apis', { headers: { accept: 'application/json, */*;q=0.8' } });
    expect(r.headers['content-type']).toMatch(/^application\/json(;|$)/);
    expect(r.json()).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        {
          name: G,
          versions: [
            { groupVersion: `${G}/v1beta1`, version: 'v1beta1' },
            { groupVersion: `${G}/v1alpha1`, version: 'v1alpha1' },
          ],
          preferredVersion: { groupVersion: `${G}/v1beta1`, version: 'v1beta1' },
        },
      ],
    });
  });

  it('answers legacy without an Accept header', async () => {
    expect((await t.fetch('/apis')).json().kind).toBe('APIGroupList');
  });

  it('is 406 when nothing acceptable remains', async () => {
    const r = await t.fetch('/apis', { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
    expect(r.status).toBe(406);
    expectStatusShape(r.json(), 406, 'NotAcceptable');
  });

  it('answers 304 to a matching If-None-Match, per version', async () => {
    const first = await t.fetch('/apis', { headers: { accept: v2 } });
    const etag = first.headers.etag as string;
    const again = await t.fetch('/apis', { headers: { accept: v2, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const other = await t.fetch('/apis', { headers: { accept: v2beta1, 'if-none-match': etag } });
    expect(other.status).toBe(200);
  });
});

describe('aggregated document shape', () => {
  it('lists versions in preference order, resources with responseKind, scale as autoscaling/v1', async () => {
    const doc = (await t.fetch('/apis', { headers: { accept: v2 } })).json();
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.items).toHaveLength(1);
    const item = doc.items[0];
    expect(item.metadata).toEqual({ name: G });
    expect(item.versions.map((v: any) => v.version)).toEqual(['v1beta1', 'v1alpha1']);
    const v1beta1 = item.versions[0];
    expect(v1beta1.freshness).toBe('Current');
    expect(v1beta1.resources).toEqual([
      {
        resource: 'flunders',
        responseKind: { group: G, version: 'v1beta1', kind: 'Flunder' },
        scope: 'Namespaced',
        singularResource: 'flunder',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['fl'],
        categories: ['all'],
        subresources: [
          { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
          { subresource: 'status', responseKind: { group: G, version: 'v1beta1', kind: 'Flunder' }, verbs: ['get', 'patch', 'update'] },
        ],
      },
    ]);
    const v1alpha1 = item.versions[1];
    expect(v1alpha1.resources.map((r: any) => [r.resource, r.scope])).toEqual([
      ['fischers', 'Cluster'],
      ['flunders', 'Namespaced'],
    ]);
    expect(v1alpha1.resources[0]).not.toHaveProperty('subresources');
  });
});

describe('legacy group and version documents', () => {
  it('GET /apis/G is an APIGroup', async () => {
    const r = await t.fetch(`/apis/${G}`, { headers: { accept: 'application/json' } });
    expect(r.json()).toMatchObject({ kind: 'APIGroup', apiVersion: 'v1', name: G, preferredVersion: { version: 'v1beta1' } });
  });

  it('GET /apis/G/V lists main resources before subresources, with storageVersionHash', async () => {
    const r = await t.fetch(`/apis/${G}/v1alpha1`, { headers: { accept: 'application/json, */*;q=0.8' } });
    expect(r.status).toBe(200);
    const list = r.json();
    expect(list.kind).toBe('APIResourceList');
    expect(list.groupVersion).toBe(`${G}/v1alpha1`);
    expect(list.resources.map((x: any) => x.name)).toEqual(['fischers', 'flunders', 'flunders/scale', 'flunders/status']);
    const flunders = list.resources[1];
    // storageversionhash.go: base64(sha256("group/storageVersion/kind")[:8])
    const hash = createHash('sha256').update(`${G}/v1beta1/Flunder`).digest().subarray(0, 8).toString('base64');
    expect(flunders).toEqual({
      name: 'flunders',
      singularName: 'flunder',
      namespaced: true,
      kind: 'Flunder',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['fl'],
      categories: ['all'],
      storageVersionHash: hash,
    });
    expect(list.resources[2]).toEqual({
      name: 'flunders/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    expect(list.resources[3]).toEqual({ name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get', 'patch', 'update'] });
    expect(list.resources[0]).toMatchObject({ name: 'fischers', namespaced: false, kind: 'Fischer' });
    expect(list.resources[0]).not.toHaveProperty('shortNames');
  });

  it('unknown groups and versions are 404 Status', async () => {
    for (const path of ['/apis/other.example.com', `/apis/${G}/v9`]) {
      const r = await t.fetch(path);
      expect(r.status).toBe(404);
      expectStatusShape(r.json(), 404, 'NotFound');
    }
  });
});
