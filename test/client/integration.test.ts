// The typed client against the real examples/demo server (built from generated code), on
// sqlite and etcd3: CRUD in both versions of Widget, watch events in order, typed errors,
// pagination over 1000 objects, and an informer that converges after the server restarts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpiredError,
  ResourceClient,
  createInformer,
  createTransport,
  isAlreadyExists,
  isBadRequest,
  isConflict,
  isInvalid,
  isNotFound,
  loadKubeConfig,
  type ApiError,
  type Informer,
  type InformerOptions,
  type KubeConfig,
  type Transport,
} from '../../src/runtime/index.js';
import type * as v1 from '../../examples/demo/src/generated/apis/demo.example.com/v1/types.js';
import type * as v1beta1 from '../../examples/demo/src/generated/apis/demo.example.com/v1beta1/types.js';
import { clientEmitter } from '../../src/emit/client.js';
import { loadSpec } from '../../src/spec/index.js';
import { skipWithoutEtcd, startEtcd, type EtcdHandle } from '../support/etcd.js';
import { repoRoot, startExample, type RunningServer } from '../support/example-server.js';

type WidgetField = 'metadata.name' | 'metadata.namespace' | 'spec.color';
const group = 'demo.example.com';

// What the generated createClient does for Widget (see src/emit/client.ts); the generated
// clientset itself is exercised in the last test.
function widgetsV1(t: Transport, namespace?: string) {
  return new ResourceClient<v1.Widget, v1.WidgetList, WidgetField>(t, { group, version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true }, namespace);
}
function widgetsV1beta1(t: Transport, namespace?: string) {
  return new ResourceClient<v1beta1.Widget, v1beta1.WidgetList, WidgetField>(t, { group, version: 'v1beta1', plural: 'widgets', kind: 'Widget', namespaced: true }, namespace);
}
const widget = (name: string, size: number, extra: Partial<v1.Widget['spec']> = {}, labels?: Record<string, string>): v1.Widget => ({
  apiVersion: 'demo.example.com/v1',
  kind: 'Widget',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { size, ...extra },
});

/** The error a call failed with (the test fails if it succeeded). */
function failure(p: Promise<unknown>): Promise<ApiError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as ApiError,
  );
}

interface GeneratedClientModule {
  createClient(kc: KubeConfig): {
    v1: { widgets(ns?: string): ResourceClient<v1.Widget, v1.WidgetList> };
    v1beta1: {
      widgets(ns?: string): ResourceClient<v1beta1.Widget, v1beta1.WidgetList>;
      gadgets(): Pick<ResourceClient<v1beta1.Gadget, v1beta1.GadgetList>, 'create' | 'get' | 'list' | 'delete'>;
    };
  };
  createWidgetInformer(client: unknown, options?: InformerOptions): Informer<v1.Widget>;
}

/**
 * The client module the emitter produces for examples/demo's spec, written under tmp/ and
 * imported with `aa-gen/runtime` pointed at this checkout's source (its only runtime import;
 * its type imports are erased), so it runs whether or not examples/demo has been regenerated.
 */
async function importGeneratedClient(): Promise<GeneratedClientModule> {
  const spec = await loadSpec(join(repoRoot, 'examples/demo/aa-gen.yaml'));
  if (!spec.ok) throw new Error(`examples/demo/aa-gen.yaml does not load: ${JSON.stringify(spec.problems)}`);
  const [file] = clientEmitter.emit(spec.ir);
  const base = join(repoRoot, 'tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'client-generated-'));
  madeDirs.push(dir);
  const runtime = join(repoRoot, 'src/runtime/index.ts');
  writeFileSync(join(dir, 'index.ts'), file!.content.replaceAll(`'aa-gen/runtime'`, JSON.stringify(runtime)));
  return (await import(join(dir, 'index.ts'))) as GeneratedClientModule;
}
const madeDirs: string[] = [];
afterAll(() => {
  for (const d of madeDirs) rmSync(d, { recursive: true, force: true });
});
const haveEtcd = !skipWithoutEtcd('the typed client suite on etcd3');
const backends = [
  { name: 'sqlite', run: true },
  { name: 'etcd3', run: haveEtcd },
];

for (const backend of backends) {
  describe.runIf(backend.run)(`typed client against demo on ${backend.name}`, () => {
    let server: RunningServer;
    let etcd: EtcdHandle | undefined;
    let args: string[];
    let kc: KubeConfig;
    let transport: Transport;

    beforeAll(async () => {
      args = ['--storage-backend', backend.name];
      if (backend.name === 'etcd3') {
        etcd = await startEtcd();
        args.push('--etcd-servers', etcd.endpoint);
      }
      server = await startExample('demo', { args });
      kc = await loadKubeConfig(server.kubeconfig);
      transport = createTransport(kc);
    }, 120_000);

    afterAll(async () => {
      transport?.close();
      await server?.stop();
      await etcd?.stop();
    });

    it('CRUD in v1: create (defaulted), get, list, update, updateStatus, patch (merge, json, apply), scale, delete', async () => {
      const widgets = widgetsV1(transport, 'crud');
      const created = await widgets.create(widget('w1', 2, {}, { app: 'crud' }));
      expect(created.metadata.uid).toBeTruthy();
      expect(created.spec).toMatchObject({ size: 2, replicas: 1, color: 'red' });

      const got = await widgets.get('w1');
      expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      const listed = await widgets.list({ labelSelector: { app: 'crud' }, fieldSelector: { 'spec.color': 'red' } });
      expect(listed.kind).toBe('WidgetList');
      expect(listed.items.map((i) => i.metadata.name)).toEqual(['w1']);
      expect((await widgets.list({ fieldSelector: { 'spec.color': { notEquals: 'red' } } })).items).toEqual([]);

      const updated = await widgets.update({ ...got, spec: { ...got.spec!, size: 5 } });
      expect(updated.spec?.size).toBe(5);
      expect(updated.metadata.generation).toBe(2);

      const withStatus = await widgets.updateStatus({ ...updated, status: { replicas: 1, selector: 'app=crud' } });
      expect(withStatus.status).toEqual({ replicas: 1, selector: 'app=crud' });
      expect(withStatus.metadata.generation).toBe(2);

      const merged = await widgets.patch('w1', { spec: { color: 'blue', tags: ['x'] } });
      expect(merged.spec).toMatchObject({ size: 5, color: 'blue', tags: ['x'] });
      const jsonPatched = await widgets.patch('w1', [{ op: 'replace', path: '/spec/size', value: 7 }], { type: 'json' });
      expect(jsonPatched.spec?.size).toBe(7);
      const applied = await widgets.patch(
        'w1',
        { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 8 } },
        { type: 'apply', fieldManager: 'client-test', force: true },
      );
      expect(applied.spec?.size).toBe(8);

      const scale = await widgets.getScale('w1');
      expect(scale).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=crud' } });
      const rescaled = await widgets.updateScale('w1', { ...scale, spec: { replicas: 3 } });
      expect(rescaled.spec.replicas).toBe(3);
      expect((await widgets.patchScale('w1', { spec: { replicas: 4 } })).spec.replicas).toBe(4);
      expect((await widgets.get('w1')).spec?.replicas).toBe(4);

      const dry = await widgets.delete('w1', { dryRun: true });
      expect(dry).toBeDefined();
      await widgets.get('w1');
      await widgets.delete('w1', { propagationPolicy: 'Background', preconditions: { uid: created.metadata.uid } });
      await expect(widgets.get('w1')).rejects.toSatisfy(isNotFound);
    });

    it('CRUD in v1beta1, and an object written through one version reads back through the other', async () => {
      const beta = widgetsV1beta1(transport, 'crud-beta');
      const created = await beta.create({ apiVersion: 'demo.example.com/v1beta1', kind: 'Widget', metadata: { name: 'b1' }, spec: { size: 3, colour: 'green' } });
      expect(created.apiVersion).toBe('demo.example.com/v1beta1');
      expect(created.spec).toMatchObject({ size: 3, colour: 'green', replicas: 1 });

      const asV1 = await widgetsV1(transport, 'crud-beta').get('b1');
      expect(asV1.apiVersion).toBe('demo.example.com/v1');
      expect(asV1.spec).toMatchObject({ size: 3, color: 'green' });

      const updated = await beta.update({ ...created, spec: { ...created.spec!, size: 4 } });
      expect(updated.spec?.size).toBe(4);
      expect((await beta.patch('b1', { spec: { colour: 'blue' } })).spec?.colour).toBe('blue');
      expect((await widgetsV1(transport, 'crud-beta').get('b1')).spec?.color).toBe('blue');
      expect((await beta.list()).items.map((i) => [i.apiVersion, i.metadata.name])).toEqual([['demo.example.com/v1beta1', 'b1']]);

      await beta.delete('b1');
      await expect(beta.get('b1')).rejects.toSatisfy(isNotFound);
    });

    it('deleteCollection removes what the selectors match', async () => {
      const widgets = widgetsV1(transport, 'dc');
      await Promise.all([widgets.create(widget('a', 1, {}, { keep: 'no' })), widgets.create(widget('b', 1, {}, { keep: 'no' })), widgets.create(widget('c', 1, {}, { keep: 'yes' }))]);
      await widgets.deleteCollection({ labelSelector: { keep: 'no' } });
      expect((await widgets.list()).items.map((i) => i.metadata.name)).toEqual(['c']);
    });

    it('typed errors: NotFound, AlreadyExists, Conflict, Invalid with causes', async () => {
      const widgets = widgetsV1(transport, 'errors');
      const missing = await failure(widgets.get('nope'));
      expect(isNotFound(missing)).toBe(true);
      expect(missing.message).toBe('widgets.demo.example.com "nope" not found');
      expect(missing.code).toBe(404);

      const first = await widgets.create(widget('e1', 1));
      expect(isAlreadyExists(await failure(widgets.create(widget('e1', 1))))).toBe(true);

      await widgets.update({ ...first, spec: { size: 2 } });
      const stale = await failure(widgets.update({ ...first, spec: { size: 3 } }));
      expect(isConflict(stale)).toBe(true);
      expect(stale.message).toContain('the object has been modified');

      const invalid = await failure(widgets.create(widget('e2', -1)));
      expect(isInvalid(invalid)).toBe(true);
      expect(invalid.causes.map((c) => c.field)).toContain('spec.size');
      expect(invalid.causes.find((c) => c.field === 'spec.size')?.reason).toBe('FieldValueInvalid');
    });

    it('watch: events in order, selectors, bookmarks allowed, ends cleanly on timeout and on break', async () => {
      const widgets = widgetsV1(transport, 'watch');
      const start = await widgets.list();
      const w = widgets.watch({ resourceVersion: start.metadata.resourceVersion, allowWatchBookmarks: true, labelSelector: { watched: 'yes' } });
      await w.opened;
      const a = await widgets.create(widget('wa', 1, {}, { watched: 'yes' }));
      await widgets.create(widget('ignored', 1, {}, { watched: 'no' }));
      const a2 = await widgets.patch('wa', { spec: { size: 2 } });
      const a3 = await widgets.updateStatus({ ...a2, status: { replicas: 2 } });
      await widgets.delete('wa');

      const seen: string[] = [];
      const rvs: number[] = [];
      for await (const e of w) {
        if (e.type === 'BOOKMARK') continue;
        seen.push(`${e.type} ${e.object.metadata.name}`);
        rvs.push(Number(e.object.metadata.resourceVersion));
        if (e.type === 'DELETED') break;
      }
      expect(seen).toEqual(['ADDED wa', 'MODIFIED wa', 'MODIFIED wa', 'DELETED wa']);
      expect(rvs.slice(0, 3)).toEqual([a, a2, a3].map((o) => Number(o.metadata.resourceVersion)));
      expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
      expect(w.stopped).toBe(true);

      // timeoutSeconds: the server ends the stream, the iterator ends without error.
      const timed = widgets.watch({ resourceVersion: rvs[3]!.toString(), timeoutSeconds: 1 });
      const late: string[] = [];
      for await (const e of timed) late.push(e.type);
      expect(late.filter((t) => t !== 'BOOKMARK')).toEqual([]);
    });

    it('watch from "0" across namespaces starts with ADDED for existing objects', async () => {
      await widgetsV1(transport, 'watch-all-a').create(widget('x', 1, {}, { scan: 'z' }));
      await widgetsV1(transport, 'watch-all-b').create(widget('y', 1, {}, { scan: 'z' }));
      const names: string[] = [];
      const w = widgetsV1(transport).watch({ resourceVersion: '0', labelSelector: 'scan=z' });
      for await (const e of w) {
        if (e.type === 'ADDED') names.push(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
        if (names.length === 2) break;
      }
      expect(names.sort()).toEqual(['watch-all-a/x', 'watch-all-b/y']);
    });

    it('pagination: listAll walks 1000 objects in pages; a bad continue token is a BadRequest', async () => {
      const widgets = widgetsV1(transport, 'paging');
      const names = Array.from({ length: 1000 }, (_, i) => `p-${String(i).padStart(4, '0')}`);
      for (let i = 0; i < names.length; i += 25) {
        await Promise.all(names.slice(i, i + 25).map((n) => widgets.create(widget(n, 1))));
      }
      const first = await widgets.list({ limit: 100 });
      expect(first.items).toHaveLength(100);
      expect(first.metadata.continue).toBeTruthy();

      const all: string[] = [];
      for await (const w of widgets.listAll({ limit: 150 })) all.push(w.metadata.name!);
      expect(all).toHaveLength(1000);
      expect(new Set(all).size).toBe(1000);
      expect([...all].sort()).toEqual(names);

      // A token the server cannot decode is a BadRequest (an expired one would be ExpiredError).
      const bad = await failure(widgets.list({ limit: 10, continue: 'not-a-token' }));
      expect(isBadRequest(bad)).toBe(true);
      expect(bad).not.toBeInstanceOf(ExpiredError);
    }, 180_000);

    it('informer: list + watch, handlers and lister; converges after the server restarts', async () => {
      const ns = 'informer';
      const widgets = widgetsV1(transport, ns);
      await widgets.create(widget('i1', 1, {}, { tier: 'a' }));
      await widgets.create(widget('i2', 1, {}, { tier: 'b' }));

      const informer = createInformer(widgetsV1(transport), { namespace: ns, initialBackoffMs: 100, maxBackoffMs: 500 });
      const log: string[] = [];
      informer
        .on('add', (o) => log.push(`add ${o.metadata.name}`))
        .on('update', (_o, n) => log.push(`update ${n.metadata.name} ${n.spec?.size}`))
        .on('delete', (o) => log.push(`delete ${o.metadata.name}`));
      await informer.start();
      expect(informer.hasSynced()).toBe(true);
      expect(informer.lister.list().map((o) => o.metadata.name)).toEqual(['i1', 'i2']);
      expect(informer.lister.list({ labelSelector: { tier: 'b' } }).map((o) => o.metadata.name)).toEqual(['i2']);

      await widgets.create(widget('i3', 1));
      await widgets.patch('i1', { spec: { size: 9 } });
      await expect.poll(() => informer.lister.get(ns, 'i1')?.spec?.size, { timeout: 10_000 }).toBe(9);
      expect(informer.lister.get(ns, 'i3')).toBeDefined();

      // Restart on the same data dir and port: the watch breaks, the informer retries with
      // backoff, then resumes (or relists on 410) and catches up with writes made after.
      const port = server.port;
      await server.stop();
      server = await startExample('demo', { args: [...args, '--secure-port', String(port)], dataDir: server.dataDir });
      const after = widgetsV1(createTransport(await loadKubeConfig(server.kubeconfig)), ns);
      await after.delete('i2');
      await after.patch('i3', { spec: { size: 3 } });
      await after.create(widget('i4', 4));

      await expect
        .poll(() => informer.lister.list().map((o) => `${o.metadata.name}:${o.spec?.size}`), { timeout: 30_000, interval: 200 })
        .toEqual(['i1:9', 'i3:3', 'i4:4']);
      expect(log).toContain('delete i2');
      expect(log).toContain('add i4');
      await informer.stop();
    }, 120_000);

    it('the clientset generated from examples/demo/aa-gen.yaml works end to end (namespaced and cluster kinds, informer)', async () => {
      const mod = await importGeneratedClient();
      const client = mod.createClient(kc);
      const created = await client.v1.widgets('generated').create(widget('g1', 1));
      expect(created.metadata.uid).toBeTruthy();
      expect((await client.v1beta1.widgets('generated').get('g1')).apiVersion).toBe('demo.example.com/v1beta1');
      const gadget = await client.v1beta1.gadgets().create({ apiVersion: 'demo.example.com/v1beta1', kind: 'Gadget', metadata: { name: 'gd1' }, spec: {} });
      expect(gadget.spec).toEqual({ enabled: false }); // defaulted inside a present parent, as for CRDs
      expect((await client.v1beta1.gadgets().list()).items.map((g) => g.metadata.name)).toContain('gd1');
      await client.v1beta1.gadgets().delete('gd1');

      const informer = mod.createWidgetInformer(client, { namespace: 'generated' });
      await informer.start();
      expect(informer.lister.list().map((o) => o.metadata.name)).toEqual(['g1']);
      await informer.stop();
    });
  });
}
