// Update (PUT/patch) through the registry store: store.go Update (GuaranteedUpdate, optimistic
// concurrency), rest/update.go BeforeUpdate, customresource strategy.go and status_strategy.go.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import { applyScale, toScale } from '../../src/runtime/registry/scale.js';
import type { ResourceStore } from '../../src/runtime/registry/interface.js';
import type { KubeObject } from '../../src/runtime/api.js';
import { ctx, gadgetKind, group, rejection, widget, widgetKind } from './fixtures.js';

let storage: Storage;
let store: ResourceStore;

beforeEach(() => {
  storage = createMemoryStorage({ compactInterval: 0 });
  store = createResourceStore(widgetKind, storage);
});
afterEach(() => storage.close());

const put = (obj: KubeObject) => () => obj;
const spec = (o: KubeObject) => o.spec as Record<string, unknown>;

describe('update (store.go Update, rest/update.go BeforeUpdate)', () => {
  it('bumps resourceVersion on every write and generation only when non-metadata content changes', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const labelled = await store.update(ctx(), 'ns', 'w', 'v1', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { a: 'b' } } }));
    expect(labelled.created).toBe(false);
    expect(labelled.object.metadata.generation).toBe(1);
    expect(Number(labelled.object.metadata.resourceVersion)).toBeGreaterThan(Number(w.metadata.resourceVersion));
    const resized = await store.update(ctx(), 'ns', 'w', 'v1', (cur) => ({ ...cur!, spec: { ...spec(cur!), size: 5 } }));
    expect(resized.object.metadata.generation).toBe(2);
    expect(resized.object.metadata.labels).toEqual({ a: 'b' });
  });

  it('a resourceVersion that is not current is 409 Conflict with kube\'s message', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    await store.update(ctx(), 'ns', 'w', 'v1', (cur) => ({ ...cur!, spec: { ...spec(cur!), size: 2 } }));
    const e = await rejection(store.update(ctx(), 'ns', 'w', 'v1', put({ ...w, spec: { size: 3 } })));
    expect(e.code).toBe(409);
    expect(e.reason).toBe('Conflict');
    expect(e.message).toBe(
      'Operation cannot be fulfilled on widgets.demo.example.com "w": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('concurrency: two updates from the same resourceVersion, exactly one wins (the other 409)', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('race'));
    const results = await Promise.allSettled([
      store.update(ctx(), 'ns', 'race', 'v1', put({ ...w, spec: { size: 10 } })),
      store.update(ctx(), 'ns', 'race', 'v1', put({ ...w, spec: { size: 20 } })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason.code).toBe(409);
  });

  it('a patch-style function that carries the current resourceVersion is retried on a storage conflict', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('p', { size: 1 }));
    const inc = (cur: KubeObject | undefined) => ({ ...cur!, spec: { ...spec(cur!), size: (spec(cur!).size as number) + 1 } });
    await Promise.all(Array.from({ length: 5 }, () => store.update(ctx(), 'ns', 'p', 'v1', inc)));
    expect(spec(await store.get(ctx(), 'ns', 'p', 'v1')).size).toBe(6);
  });

  it('no resourceVersion is 422: custom resources allow no unconditional update', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const { resourceVersion: _rv, ...meta } = w.metadata;
    const e = await rejection(store.update(ctx(), 'ns', 'w', 'v1', put({ ...w, metadata: meta })));
    expect(e.code).toBe(422);
    expect(e.message).toBe('widgets.demo.example.com "w" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
  });

  it('name and namespace must match the URL (handlers/rest.go checkName)', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const e = await rejection(store.update(ctx(), 'ns', 'w', 'v1', put({ ...w, metadata: { ...w.metadata, name: 'x' } })));
    expect(e.message).toBe('the name of the object (x) does not match the name on the URL (w)');
    const n = await rejection(store.update(ctx(), 'ns', 'w', 'v1', put({ ...w, metadata: { ...w.metadata, namespace: 'y' } })));
    expect(n.message).toBe('the namespace of the object (y) does not match the namespace on the URL (ns)');
  });

  it('missing object is 404 unless allowCreate (apply) creates it', async () => {
    const e = await rejection(store.update(ctx(), 'ns', 'nope', 'v1', put(widget('nope'))));
    expect(e.code).toBe(404);
    expect(e.message).toBe('widgets.demo.example.com "nope" not found');
    const made = await store.update(ctx(), 'ns', 'nope', 'v1', put(widget('nope')), { allowCreate: true });
    expect(made.created).toBe(true);
    expect(made.object.metadata.generation).toBe(1);
  });

  it('uid, creationTimestamp and deletionTimestamp: restored or immutable (objectmeta.go)', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const kept = await store.update(ctx(), 'ns', 'w', 'v1', put({ ...w, metadata: { ...w.metadata, uid: undefined, creationTimestamp: '1999-01-01T00:00:00Z' } }));
    expect(kept.object.metadata.uid).toBe(w.metadata.uid);
    expect(kept.object.metadata.creationTimestamp).toBe(w.metadata.creationTimestamp);
    const e = await rejection(store.update(ctx(), 'ns', 'w', 'v1', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, uid: 'other', deletionTimestamp: '2030-01-01T00:00:00Z' } })));
    expect(e.code).toBe(422);
    expect(e.details!.causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "other": field is immutable', field: 'metadata.uid' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "2030-01-01T00:00:00Z": field is immutable', field: 'metadata.deletionTimestamp' },
    ]);
  });

  it('runs the strategy validateUpdate hook on hub objects', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('w', { size: 1, port: 80 }));
    const e = await rejection(store.update(ctx(), 'ns', 'w', 'v1', (cur) => ({ ...cur!, spec: { ...spec(cur!), port: 81 } })));
    expect(e.message).toBe('Widget.demo.example.com "w" is invalid: spec.port: Invalid value: 81: field is immutable');
  });

  it('an update that changes nothing writes nothing (same resourceVersion)', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const same = await store.update(ctx(), 'ns', 'w', 'v1', (cur) => cur!);
    expect(same.object.metadata.resourceVersion).toBe(w.metadata.resourceVersion);
    expect(await storage.currentRevision()).toBe(Number(w.metadata.resourceVersion));
  });

  it('updates through another version convert to and from the hub', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('w', { size: 1, color: 'red' }));
    const out = await store.update(ctx(), 'ns', 'w', 'v1beta1', (cur) => ({ ...cur!, spec: { ...spec(cur!), colour: 'blue' } }));
    expect(spec(out.object)).toMatchObject({ colour: 'blue' });
    expect(spec(await store.get(ctx(), 'ns', 'w', 'v1'))).toMatchObject({ color: 'blue' });
  });

  it('fieldValidation applies to updates too', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const e = await rejection(store.update(ctx(), 'ns', 'w', 'v1', put({ ...w, spec: { size: 1, nope: 1 } })));
    expect(e.message).toBe('Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.nope"');
  });
});

describe('status subresource (customresource strategy.go, status_strategy.go)', () => {
  it('main-resource writes keep the stored status; status writes change only status (and managedFields)', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('s'));
    const st = await store.update(
      ctx(),
      'ns',
      's',
      'v1',
      (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { ignored: 'yes' } }, spec: { size: 99 }, status: { replicas: 3 } }),
      { subresource: 'status' },
    );
    expect(st.object.status).toEqual({ replicas: 3 });
    expect(spec(st.object).size).toBe(1);
    expect(st.object.metadata.labels).toBeUndefined();
    expect(st.object.metadata.generation).toBe(1);
    expect(st.object.metadata.resourceVersion).not.toBe(w.metadata.resourceVersion);

    const main = await store.update(ctx(), 'ns', 's', 'v1', (cur) => ({ ...cur!, spec: { ...spec(cur!), size: 2 }, status: { replicas: 100 } }));
    expect(main.object.status).toEqual({ replicas: 3 });
    expect(main.object.metadata.generation).toBe(2);
  });

  it('status writes still honour the resourceVersion precondition', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('s'));
    await store.update(ctx(), 'ns', 's', 'v1', (cur) => ({ ...cur!, status: { replicas: 1 } }), { subresource: 'status' });
    const e = await rejection(store.update(ctx(), 'ns', 's', 'v1', put({ ...w, status: { replicas: 2 } }), { subresource: 'status' }));
    expect(e.code).toBe(409);
  });

  it('without a status subresource, status is ordinary content (and bumps generation, like CRDs)', async () => {
    const gadgets = createResourceStore(gadgetKind, storage);
    await gadgets.create(ctx(), undefined, 'v1', { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g' }, spec: {}, status: { ok: true } });
    const out = await gadgets.update(ctx(), undefined, 'g', 'v1', (cur) => ({ ...cur!, status: { ok: false } }));
    expect(out.object.status).toEqual({ ok: false });
    expect(out.object.metadata.generation).toBe(2);
  });
});

describe('scale subresource through update', () => {
  it('applyScale + update writes spec.replicas; the Scale reflects it', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('sc', { size: 1, replicas: 1 }));
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'sc' }, spec: { replicas: 4 } };
    const out = await store.update(ctx(), 'ns', 'sc', 'v1', (cur) => applyScale(widgetKind, cur!, scale), { subresource: 'scale' });
    expect(toScale(widgetKind, out.object).spec).toEqual({ replicas: 4 });
    expect(out.object.metadata.generation).toBe(2);
  });
});
