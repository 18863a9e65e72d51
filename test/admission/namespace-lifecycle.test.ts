// NamespaceLifecycle with a core API client from --kubeconfig, against the kube-apiserver double's
// namespaces (list, watch, get): k8s.io/apiserver pkg/admission/plugin/namespace/lifecycle/admission.go
// and the --kubeconfig of pkg/server/options/coreapi.go, as sample-apiserver runs them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

const flunders = (ns: string) => `/apis/wardle.example.com/v1beta1/namespaces/${ns}/flunders`;
const flunder = (name: string, ns: string) => JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name, namespace: ns }, spec: {} });
const json = { 'Content-Type': 'application/json' };

async function until<T>(what: string, f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('NamespaceLifecycle with --kubeconfig (lifecycle/admission.go, against the kube-apiserver double)', () => {
  let kube: KubeApiserverDouble;
  let t: TestServer;
  const create = (name: string, ns: string) => t.fetch(flunders(ns), { method: 'POST', headers: json, body: flunder(name, ns) });
  const liveGets = (ns: string) => kube.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${ns}`).length;

  beforeAll(async () => {
    kube = await startKubeApiserverDouble({ namespaces: ['default', 'kube-system'] });
    t = await startTestServer(wardleGroup, { args: [`--kubeconfig=${kube.kubeconfigPath}`] });
    await until('the namespace watch', () => (kube.openNamespaceWatches() > 0 ? true : undefined));
  });
  afterAll(async () => {
    await t?.stop();
    await kube?.close();
  });

  it('a create in a namespace that does not exist is 404 namespaces "nowhere" not found, after a live GET', async () => {
    const r = await create('lost', 'nowhere');
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "nowhere" not found',
      reason: 'NotFound',
      details: { name: 'nowhere', kind: 'namespaces' },
      code: 404,
    });
    expect(liveGets('nowhere')).toBe(1);
  });

  it('a create in a namespace the cache has is served from the cache (no live GET)', async () => {
    expect((await create('home', 'default')).status).toBe(201);
    expect(liveGets('default')).toBe(0);
  });

  it('a namespace the watch has not delivered yet is found by the live GET, and the create succeeds', async () => {
    kube.pauseNamespaceEvents(true);
    try {
      kube.setNamespace('late', 'Active');
      expect((await create('early', 'late')).status).toBe(201);
      expect(liveGets('late')).toBe(1);
    } finally {
      kube.pauseNamespaceEvents(false);
    }
  });

  it('a namespace created later is seen through the watch', async () => {
    kube.setNamespace('fresh', 'Active');
    expect((await create('new', 'fresh')).status).toBe(201);
    expect(liveGets('fresh')).toBe(0);
  });

  it('a watch that answers 410 Expired is followed by a re-list, which sees what the watch missed', async () => {
    kube.pauseNamespaceEvents(true);
    kube.setNamespace('missed', 'Active');
    kube.expireNamespaceWatches();
    kube.pauseNamespaceEvents(false);
    await until('the new watch', () => (kube.openNamespaceWatches() > 0 ? true : undefined));
    // The double's watches replay nothing: only a re-list can have put `missed` in the cache.
    expect((await create('found', 'missed')).status).toBe(201);
    expect(liveGets('missed')).toBe(0);
  });

  it('a create in a Terminating namespace is 403 with the NamespaceTerminating cause', async () => {
    kube.setNamespace('going', 'Terminating');
    const r = await create('late-comer', 'going');
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'flunders.wardle.example.com "late-comer" is forbidden: unable to create new content in namespace going because it is being terminated',
      reason: 'Forbidden',
      details: {
        name: 'late-comer',
        group: 'wardle.example.com',
        kind: 'flunders',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace going is being terminated', field: 'metadata.namespace' }],
      },
      code: 403,
    });
  });

  it('updates and deletes in a Terminating namespace pass; only creates are refused', async () => {
    kube.setNamespace('closing', 'Active');
    const made = await create('stays', 'closing');
    expect(made.status).toBe(201);
    kube.setNamespace('closing', 'Terminating');
    await new Promise((r) => setTimeout(r, 100)); // the watch delivers the change
    expect((await create('refused', 'closing')).status).toBe(403);
    const obj = made.json();
    const put = await t.fetch(`${flunders('closing')}/stays`, { method: 'PUT', headers: json, body: JSON.stringify({ ...obj, spec: { reference: 'x' } }) });
    expect(put.status).toBe(200);
    expect((await t.fetch(`${flunders('closing')}/stays`, { method: 'DELETE' })).status).toBe(200);
  });

  it('an update in a namespace that is gone is 404 too (after the live GET); its delete passes', async () => {
    kube.setNamespace('vanishing', 'Active');
    const made = await create('left', 'vanishing');
    expect(made.status).toBe(201);
    kube.setNamespace('vanishing', undefined);
    await new Promise((r) => setTimeout(r, 100)); // the watch delivers the deletion
    const put = await t.fetch(`${flunders('vanishing')}/left`, { method: 'PUT', headers: json, body: JSON.stringify({ ...made.json(), spec: { reference: 'y' } }) });
    expect(put.status).toBe(404);
    expect(put.json()).toMatchObject({ reason: 'NotFound', message: 'namespaces "vanishing" not found', details: { name: 'vanishing', kind: 'namespaces' } });
    expect(liveGets('vanishing')).toBe(1);
    expect((await t.fetch(`${flunders('vanishing')}/left`, { method: 'DELETE' })).status).toBe(200);
  });

  it('cluster-scoped kinds are not checked', async () => {
    const before = kube.requests.length;
    const r = await t.fetch('/apis/wardle.example.com/v1alpha1/fischers', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'Fischer', metadata: { name: 'f' } }),
    });
    expect(r.status).toBe(201);
    expect(kube.requests.slice(before).filter((q) => q.path.startsWith('/api/v1/namespaces'))).toEqual([]);
  });
});

describe('NamespaceLifecycle off', () => {
  it('without --kubeconfig (standalone) a create in any namespace is served, as before', async () => {
    const t = await startTestServer(wardleGroup);
    try {
      const r = await t.fetch(flunders('nowhere'), { method: 'POST', headers: json, body: flunder('lost', 'nowhere') });
      expect(r.status).toBe(201);
    } finally {
      await t.stop();
    }
  });

  it('--disable-admission-plugins=NamespaceLifecycle turns it off and nothing watches namespaces', async () => {
    const kube = await startKubeApiserverDouble();
    try {
      const t = await startTestServer(wardleGroup, { args: [`--kubeconfig=${kube.kubeconfigPath}`, '--disable-admission-plugins=NamespaceLifecycle'] });
      try {
        const r = await t.fetch(flunders('nowhere'), { method: 'POST', headers: json, body: flunder('lost', 'nowhere') });
        expect(r.status).toBe(201);
        expect(kube.requests.filter((q) => q.path.startsWith('/api/v1/namespaces'))).toEqual([]);
      } finally {
        await t.stop();
      }
    } finally {
      await kube.close();
    }
  });

  it('--enable-admission-plugins=NamespaceLifecycle without a core client is refused at start', async () => {
    await expect(startTestServer(wardleGroup, { args: ['--enable-admission-plugins=NamespaceLifecycle'] })).rejects.toThrow(
      'admission plugin NamespaceLifecycle needs a core API client: give --kubeconfig (or run in a pod with a service account)',
    );
  });
});
