// List and get: selectors, paging and resourceVersion semantics (API-CONTRACT 3.3-3.5, 3.14):
// apiserver pkg/storage/etcd3/store.go GetList, pkg/storage/continue.go, pkg/storage/errors.go
// (NewTooLargeResourceVersionError), apimachinery internalversion/validation ValidateListOptions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import type { ResourceStore } from '../../src/runtime/registry/interface.js';
import { ctx, group, rejection, widget, widgetKind } from './fixtures.js';

let storage: Storage;
let store: ResourceStore;

beforeEach(async () => {
  storage = createMemoryStorage({ compactInterval: 0 });
  store = createResourceStore(widgetKind, storage, { resourceVersionWaitMs: 100 });
  const colors = ['red', 'green', 'blue', 'red', 'green'];
  for (let i = 0; i < 5; i++) {
    await store.create(ctx(), i < 4 ? 'a' : 'b', 'v1', widget(`w${i}`, { size: i, color: colors[i] }, { metadata: { labels: { idx: String(i), even: String(i % 2 === 0) } } }));
  }
});
afterEach(() => storage.close());

const names = (l: { items: readonly { metadata: { name?: string } }[] }) => l.items.map((i) => i.metadata.name);

describe('list', () => {
  it('namespace scoping, all-namespaces, apiVersion/kind on each item, snapshot resourceVersion', async () => {
    const a = await store.list(ctx(), 'a', 'v1', {});
    expect(names(a)).toEqual(['w0', 'w1', 'w2', 'w3']);
    expect(a.items.every((i) => i.apiVersion === `${group}/v1` && i.kind === 'Widget')).toBe(true);
    expect(a.metadata.resourceVersion).toBe(String(await storage.currentRevision()));
    expect(names(await store.list(ctx(), undefined, 'v1', {}))).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
    const empty = await store.list(ctx(), 'none', 'v1', {});
    expect(empty.items).toEqual([]);
  });

  it('converts items to the requested version', async () => {
    const l = await store.list(ctx(), 'a', 'v1beta1', { limit: 1 });
    expect(l.items[0].apiVersion).toBe(`${group}/v1beta1`);
    expect(l.items[0].spec).toMatchObject({ colour: 'red' });
  });

  it('label and field selectors (incl. a selectable field)', async () => {
    expect(names(await store.list(ctx(), undefined, 'v1', { labelSelector: 'even=true' }))).toEqual(['w0', 'w2', 'w4']);
    expect(names(await store.list(ctx(), undefined, 'v1', { labelSelector: 'idx in (1,3),even!=true' }))).toEqual(['w1', 'w3']);
    expect(names(await store.list(ctx(), undefined, 'v1', { fieldSelector: 'spec.color=green' }))).toEqual(['w1', 'w4']);
    expect(names(await store.list(ctx(), undefined, 'v1', { fieldSelector: 'metadata.namespace!=a' }))).toEqual(['w4']);
    expect(names(await store.list(ctx(), 'a', 'v1', { fieldSelector: 'metadata.name=w2' }))).toEqual(['w2']);
    const e = await rejection(store.list(ctx(), 'a', 'v1', { fieldSelector: 'spec.size=1' }));
    expect(e.code).toBe(400);
    expect(e.message).toBe('"spec.size" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.color"');
    expect((await rejection(store.list(ctx(), 'a', 'v1', { labelSelector: 'a in' }))).code).toBe(400);
  });

  it('limit + continue pages through a consistent snapshot with remainingItemCount', async () => {
    const p1 = await store.list(ctx(), undefined, 'v1', { limit: 2 });
    expect(names(p1)).toEqual(['w0', 'w1']);
    expect(p1.metadata.remainingItemCount).toBe(3);
    expect(p1.metadata.continue).toBeTruthy();
    // A write between pages does not show up in the paged snapshot.
    await store.create(ctx(), 'a', 'v1', widget('w00'));
    const p2 = await store.list(ctx(), undefined, 'v1', { limit: 2, continue: p1.metadata.continue });
    expect(names(p2)).toEqual(['w2', 'w3']);
    expect(p2.metadata.resourceVersion).toBe(p1.metadata.resourceVersion);
    const p3 = await store.list(ctx(), undefined, 'v1', { limit: 2, continue: p2.metadata.continue });
    expect(names(p3)).toEqual(['w4']);
    expect(p3.metadata.continue).toBeUndefined();
    expect(p3.metadata.remainingItemCount).toBeUndefined();
  });

  it('paging with a selector fills pages with matches and omits remainingItemCount', async () => {
    const p1 = await store.list(ctx(), undefined, 'v1', { limit: 2, labelSelector: 'even=true' });
    expect(names(p1)).toEqual(['w0', 'w2']);
    expect(p1.metadata.remainingItemCount).toBeUndefined();
    const p2 = await store.list(ctx(), undefined, 'v1', { limit: 2, labelSelector: 'even=true', continue: p1.metadata.continue });
    expect(names(p2)).toEqual(['w4']);
  });

  it('a continue token whose revision was compacted is 410 Expired', async () => {
    const p1 = await store.list(ctx(), undefined, 'v1', { limit: 1 });
    await store.create(ctx(), 'a', 'v1', widget('later'));
    await storage.compact(await storage.currentRevision());
    const e = await rejection(store.list(ctx(), undefined, 'v1', { limit: 1, continue: p1.metadata.continue }));
    expect(e.code).toBe(410);
    expect(e.reason).toBe('Expired');
    expect(e.message).toBe(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    );
  });

  it('a malformed continue token is 400; with a resourceVersion it is 400 too', async () => {
    expect((await rejection(store.list(ctx(), undefined, 'v1', { continue: 'garbage!' }))).code).toBe(400);
    const p1 = await store.list(ctx(), undefined, 'v1', { limit: 1 });
    const e = await rejection(store.list(ctx(), undefined, 'v1', { continue: p1.metadata.continue, resourceVersion: '3' }));
    expect(e.message).toBe('specifying resource version is not allowed when using continue');
  });

  it('resourceVersionMatch=Exact reads history; compacted history is 410', async () => {
    const before = await store.list(ctx(), 'a', 'v1', {});
    await store.delete(ctx(), 'a', 'w0', 'v1', {});
    const exact = await store.list(ctx(), 'a', 'v1', { resourceVersion: before.metadata.resourceVersion, resourceVersionMatch: 'Exact' });
    expect(names(exact)).toEqual(['w0', 'w1', 'w2', 'w3']);
    expect(exact.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const notOlder = await store.list(ctx(), 'a', 'v1', { resourceVersion: before.metadata.resourceVersion });
    expect(names(notOlder)).toEqual(['w1', 'w2', 'w3']);
    await storage.compact(await storage.currentRevision());
    const e = await rejection(store.list(ctx(), 'a', 'v1', { resourceVersion: before.metadata.resourceVersion, resourceVersionMatch: 'Exact' }));
    expect(e.code).toBe(410);
    expect(e.message).toBe('The resourceVersion for the provided list is too old.');
  });

  it('a resourceVersion in the future is 504 Too large resource version after a short wait', async () => {
    const cur = await storage.currentRevision();
    const e = await rejection(store.list(ctx(), 'a', 'v1', { resourceVersion: String(cur + 100) }));
    expect(e.code).toBe(504);
    expect(e.reason).toBe('Timeout');
    expect(e.message).toBe(`Timeout: Too large resource version: ${cur + 100}, current: ${cur}`);
    expect(e.details!.causes).toEqual([{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    expect((await rejection(store.get(ctx(), 'a', 'w0', 'v1', { resourceVersion: String(cur + 100) }))).code).toBe(504);
  });

  it('list options validation is 422 meta.k8s.io ListOptions', async () => {
    const e = await rejection(store.list(ctx(), 'a', 'v1', { resourceVersionMatch: 'Exact' }));
    expect(e.code).toBe(422);
    expect(e.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    expect(e.details).toMatchObject({ group: 'meta.k8s.io', kind: 'ListOptions' });
    const z = await rejection(store.list(ctx(), 'a', 'v1', { resourceVersion: '0', resourceVersionMatch: 'Exact' }));
    expect(z.message).toContain('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    const bad = await rejection(store.list(ctx(), 'a', 'v1', { resourceVersion: '1', resourceVersionMatch: 'Bogus' as never }));
    expect(bad.message).toContain('resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""');
    expect((await rejection(store.list(ctx(), 'a', 'v1', { sendInitialEvents: true }))).message).toContain('sendInitialEvents is forbidden for list');
  });

  it('get: latest, "0", an older N; non-numeric resourceVersion is 422', async () => {
    const w = await store.get(ctx(), 'a', 'w1', 'v1');
    expect(w.metadata.name).toBe('w1');
    expect(await store.get(ctx(), 'a', 'w1', 'v1', { resourceVersion: '0' })).toBe(w);
    expect((await store.get(ctx(), 'a', 'w1', 'v1', { resourceVersion: '1' })).metadata.name).toBe('w1');
    expect((await rejection(store.get(ctx(), 'a', 'w1', 'v1', { resourceVersion: 'abc' }))).code).toBe(422);
  });

  it('repeated reads share one converted object per (key, revision, version)', async () => {
    const a = await store.get(ctx(), 'a', 'w1', 'v1beta1');
    const b = await store.get(ctx(), 'a', 'w1', 'v1beta1');
    expect(a).toBe(b);
    const listed = await store.list(ctx(), 'a', 'v1beta1', {});
    expect(listed.items[1]).toBe(a);
  });
});
