// Delete, finalizers and deletecollection: store.go Delete/updateForGracefulDeletionAndFinalizers/
// markAsDeleting/ShouldDeleteDuringUpdate/DeleteCollection, rest/delete.go BeforeDelete,
// objectmeta.go ValidateNoNewFinalizers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import type { ResourceStore } from '../../src/runtime/registry/interface.js';
import { ctx, rejection, widget, widgetKind } from './fixtures.js';

let storage: Storage;
let store: ResourceStore;
const now = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));

beforeEach(() => {
  storage = createMemoryStorage({ compactInterval: 0 });
  store = createResourceStore(widgetKind, storage, { clock: () => now });
});
afterEach(() => storage.close());

describe('delete (store.go Delete)', () => {
  it('removes an object without finalizers and returns its last state', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const res = await store.delete(ctx(), 'ns', 'w', 'v1', {});
    expect(res.deleted).toBe(true);
    expect(res.object.metadata.uid).toBe(w.metadata.uid);
    expect((await rejection(store.get(ctx(), 'ns', 'w', 'v1'))).code).toBe(404);
    expect((await rejection(store.delete(ctx(), 'ns', 'w', 'v1', {}))).message).toBe('widgets.demo.example.com "w" not found');
  });

  it('preconditions: uid and resourceVersion mismatches are 409 (rest/delete.go BeforeDelete)', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const uid = await rejection(store.delete(ctx(), 'ns', 'w', 'v1', { preconditions: { uid: 'x' } }));
    expect(uid.code).toBe(409);
    expect(uid.message).toBe(
      `Operation cannot be fulfilled on Widget.demo.example.com "w": the UID in the precondition (x) does not match the UID in record (${w.metadata.uid}). The object might have been deleted and then recreated`,
    );
    const rv = await rejection(store.delete(ctx(), 'ns', 'w', 'v1', { preconditions: { resourceVersion: '1' } }));
    expect(rv.message).toBe(
      `Operation cannot be fulfilled on Widget.demo.example.com "w": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${w.metadata.resourceVersion}). The object might have been modified`,
    );
    const ok = await store.delete(ctx(), 'ns', 'w', 'v1', { preconditions: { uid: w.metadata.uid, resourceVersion: w.metadata.resourceVersion } });
    expect(ok.deleted).toBe(true);
  });

  it('finalizers: deletionTimestamp + grace 0 + generation bump, object kept; repeat delete changes nothing', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('f', { size: 1 }, { metadata: { finalizers: ['example.com/hold'] } }));
    const first = await store.delete(ctx(), 'ns', 'f', 'v1', { propagationPolicy: 'Foreground' });
    expect(first.deleted).toBe(false);
    expect(first.object.metadata.deletionTimestamp).toBe('2025-06-01T12:00:00Z');
    expect(first.object.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(first.object.metadata.generation).toBe(2);
    expect(first.object.metadata.finalizers).toEqual(['example.com/hold']);
    const again = await store.delete(ctx(), 'ns', 'f', 'v1', {});
    expect(again.deleted).toBe(false);
    expect(again.object.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
  });

  it('no new finalizers once deletion started (422); removing the last one deletes the object', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('f', { size: 1 }, { metadata: { finalizers: ['example.com/hold'] } }));
    await store.delete(ctx(), 'ns', 'f', 'v1', {});
    const e = await rejection(
      store.update(ctx(), 'ns', 'f', 'v1', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: ['example.com/hold', 'example.com/more'] } })),
    );
    expect(e.code).toBe(422);
    expect(e.message).toBe(
      'Widget.demo.example.com "f" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
    );
    // The deletion timestamp cannot be removed by an update either: it is restored.
    const kept = await store.update(ctx(), 'ns', 'f', 'v1', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { a: 'b' }, deletionTimestamp: undefined } }));
    expect(kept.object.metadata.deletionTimestamp).toBe('2025-06-01T12:00:00Z');
    await store.update(ctx(), 'ns', 'f', 'v1', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    expect((await rejection(store.get(ctx(), 'ns', 'f', 'v1'))).code).toBe(404);
  });

  it('create over an object being deleted says so (store.go create)', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('f', { size: 1 }, { metadata: { finalizers: ['example.com/hold'] } }));
    await store.delete(ctx(), 'ns', 'f', 'v1', {});
    const e = await rejection(store.create(ctx(), 'ns', 'v1', widget('f')));
    expect(e.message).toBe('object is being deleted: widgets.demo.example.com "f" already exists');
  });

  it('deleteCollection lists with selectors, deletes each, returns the list', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('a', { size: 1 }, { metadata: { labels: { app: 'x' } } }));
    await store.create(ctx(), 'ns', 'v1', widget('b', { size: 1 }, { metadata: { labels: { app: 'x' } } }));
    await store.create(ctx(), 'ns', 'v1', widget('c', { size: 1 }, { metadata: { labels: { app: 'y' } } }));
    await store.create(ctx(), 'other', 'v1', widget('d', { size: 1 }, { metadata: { labels: { app: 'x' } } }));
    const gone = await store.deleteCollection(ctx(), 'ns', 'v1', { labelSelector: 'app=x' }, {});
    expect(gone.items.map((i) => i.metadata.name)).toEqual(['a', 'b']);
    const left = await store.list(ctx(), undefined, 'v1', {});
    expect(left.items.map((i) => i.metadata.name)).toEqual(['c', 'd']);
  });
});

describe('dry run (3.12): everything but the write', () => {
  it('create, update and delete leave no trace: no revision change', async () => {
    const w = await store.create(ctx(), 'ns', 'v1', widget('w'));
    const rev = await storage.currentRevision();
    const created = await store.create(ctx({ dryRun: true }), 'ns', 'v1', widget('dry'));
    expect(created.metadata.uid).toBeDefined();
    expect(created.metadata.resourceVersion).toBeUndefined();
    expect(created.spec).toEqual({ size: 1, replicas: 1, color: 'red' });
    const updated = await store.update(ctx({ dryRun: true }), 'ns', 'w', 'v1', (cur) => ({ ...cur!, spec: { ...(cur!.spec as object), size: 7 } }));
    expect((updated.object.spec as { size: number }).size).toBe(7);
    expect(updated.object.metadata.resourceVersion).toBe(w.metadata.resourceVersion);
    const deleted = await store.delete(ctx({ dryRun: true }), 'ns', 'w', 'v1', {});
    expect(deleted.deleted).toBe(true);
    await store.deleteCollection(ctx({ dryRun: true }), 'ns', 'v1', {}, {});
    expect(await storage.currentRevision()).toBe(rev);
    expect((await store.get(ctx(), 'ns', 'w', 'v1')).spec).toEqual(w.spec);
    expect((await rejection(store.get(ctx(), 'ns', 'dry', 'v1'))).code).toBe(404);
  });

  it('dry-run still validates and still reports AlreadyExists', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('w'));
    expect((await rejection(store.create(ctx({ dryRun: true }), 'ns', 'v1', widget('w')))).reason).toBe('AlreadyExists');
    expect((await rejection(store.create(ctx({ dryRun: true }), 'ns', 'v1', widget('x', { size: -1 })))).code).toBe(422);
  });
});
