// @kubernetes/client-node (1.4.x) against the examples/demo server: it must not be able to
// tell our server from one built on k8s.io/apiserver (API-CONTRACT.md 1.5, 4.6, 5.5, item 34).
import {
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  Watch,
  makeInformer,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningServer } from '../support/example-server.js';

const group = 'demo.example.com';
const version = 'v1';

describe('@kubernetes/client-node against demo (sqlite)', () => {
  let server: RunningServer;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    server = await startExample('demo');
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('CustomObjectsApi: create, get, list, replace, patch, delete', async () => {
    const created = (await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'widgets',
      body: { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'cn1' }, spec: { size: 2 } },
    })) as KubernetesObject & { spec: { size: number; replicas: number } };
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec.replicas).toBe(1);

    const got = (await custom.getNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'widgets',
      name: 'cn1',
    })) as KubernetesObject;
    expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const list = (await custom.listNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets' })) as {
      items: KubernetesObject[];
      metadata: { resourceVersion: string };
    };
    expect(list.items.map((i) => i.metadata?.name)).toContain('cn1');
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);

    const replaced = (await custom.replaceNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'widgets',
      name: 'cn1',
      body: { ...got, spec: { size: 5 } },
    })) as KubernetesObject & { spec: { size: number } };
    expect(replaced.spec.size).toBe(5);
    expect(replaced.metadata?.generation).toBe(2);

    // client-node sends application/json-patch+json by default (API-CONTRACT 5.5)
    const patched = (await custom.patchNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'widgets',
      name: 'cn1',
      body: [{ op: 'replace', path: '/spec/size', value: 6 }],
    })) as KubernetesObject & { spec: { size: number } };
    expect(patched.spec.size).toBe(6);

    await custom.deleteNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets', name: 'cn1' });
    await expect(
      custom.getNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets', name: 'cn1' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('KubernetesObjectApi reads through legacy discovery of /apis/G/V', async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    await api.create({
      apiVersion: `${group}/${version}`,
      kind: 'Widget',
      metadata: { name: 'ko1', namespace: 'default' },
      spec: { size: 1 },
    } as KubernetesObject);
    const read = await api.read({ apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'ko1', namespace: 'default' } });
    expect(read.metadata?.name).toBe('ko1');
    // KubernetesObjectApi.patch defaults to strategic merge patch (API-CONTRACT 5.5)
    const patched = (await api.patch({
      apiVersion: `${group}/${version}`,
      kind: 'Widget',
      metadata: { name: 'ko1', namespace: 'default', labels: { via: 'smp' } },
    } as KubernetesObject)) as KubernetesObject;
    expect(patched.metadata?.labels).toEqual({ via: 'smp' });
  });

  it('Watch delivers ADDED, MODIFIED and DELETED in order', async () => {
    const watch = new Watch(kc);
    const events: string[] = [];
    const list = (await custom.listNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets' })) as {
      metadata: { resourceVersion: string };
    };
    const req = await watch.watch(
      `/apis/${group}/${version}/namespaces/default/widgets`,
      { resourceVersion: list.metadata.resourceVersion },
      (type, obj: KubernetesObject) => events.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    const body = { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'wt1' }, spec: { size: 1 } };
    await custom.createNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets', body });
    await custom.patchNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'widgets',
      name: 'wt1',
      body: [{ op: 'replace', path: '/spec/size', value: 2 }],
    });
    await custom.deleteNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets', name: 'wt1' });
    await waitFor(() => events.length >= 3);
    req.abort();
    expect(events).toEqual(['ADDED wt1', 'MODIFIED wt1', 'DELETED wt1']);
  });

  it('an informer lists, then watches, and sees every change', async () => {
    const path = `/apis/${group}/${version}/namespaces/default/widgets`;
    const informer = makeInformer(kc, path, () =>
      custom.listNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets' }) as never,
    );
    const seen: string[] = [];
    informer.on('add', (o: KubernetesObject) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o: KubernetesObject) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o: KubernetesObject) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    const body = { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'inf1' }, spec: { size: 1 } };
    await custom.createNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets', body });
    await waitFor(() => seen.includes('add inf1'));
    await custom.patchNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'widgets',
      name: 'inf1',
      body: [{ op: 'replace', path: '/spec/size', value: 3 }],
    });
    await waitFor(() => seen.includes('update inf1'));
    await custom.deleteNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets', name: 'inf1' });
    await waitFor(() => seen.includes('delete inf1'));
    await informer.stop();
  });
});

describe('@kubernetes/client-node informer across a 410', () => {
  let server: RunningServer;
  let kc: KubeConfig;

  beforeAll(async () => {
    // Watches end after 1-2 s and each resource keeps 5 events: an informer that re-watches
    // from a resourceVersion older than that gets 410 Expired (API-CONTRACT 4.5, 4.6).
    server = await startExample('demo', { args: ['--min-request-timeout=1', '--default-watch-cache-size=5'] });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('re-lists after 410 Expired and keeps converging', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const create = (namespace: string, name: string) =>
      custom.createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural: 'widgets',
        body: { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name }, spec: { size: 1 } },
      });
    let lists = 0;
    const informer = makeInformer(kc, `/apis/${group}/${version}/namespaces/default/widgets`, () => {
      lists++;
      return custom.listNamespacedCustomObject({ group, version, namespace: 'default', plural: 'widgets' }) as never;
    });
    const added: string[] = [];
    informer.on('add', (o: KubernetesObject) => added.push(o.metadata!.name!));
    await informer.start();
    expect(lists).toBe(1);
    await create('default', 'before');
    await waitFor(() => added.includes('before'));

    // Writes the informer does not see (another namespace) push its resourceVersion out of the
    // watch cache's window: its next re-watch gets 410, and only a 410 makes it list again.
    for (let i = 0; i < 10; i++) await create('other', `elsewhere-${i}`);
    await waitFor(() => lists >= 2, 20_000);

    await create('default', 'after');
    await waitFor(() => added.includes('after'));
    expect(informer.list().map((o) => o.metadata!.name).sort()).toEqual(['after', 'before']);
    await informer.stop();
  });
});

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
