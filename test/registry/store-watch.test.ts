// Watch semantics (API-CONTRACT 3.4, 4.2, 4.5): apiserver pkg/storage/cacher/cache_watcher.go
// (convertToWatchEvent: selectors on old and new state), watch_cache.go (too old resource
// version), apimachinery pkg/apis/meta/v1/watch.go (event types).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import type { ResourceStore, WatchEvent, WatchStream } from '../../src/runtime/registry/interface.js';
import type { KubeObject } from '../../src/runtime/api.js';
import { ctx, group, rejection, widget, widgetKind } from './fixtures.js';

let storage: Storage;
let store: ResourceStore;
const streams: WatchStream[] = [];

beforeEach(() => {
  storage = createMemoryStorage({ compactInterval: 0 });
  store = createResourceStore(widgetKind, storage, { bookmarkIntervalMs: 30 });
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.stop();
  await storage.close();
});

async function open(ns: string | undefined, q: Parameters<ResourceStore['watch']>[3] = {}, version = 'v1'): Promise<AsyncIterator<WatchEvent> & { stream: WatchStream }> {
  const stream = await store.watch(ctx(), ns, version, q);
  streams.push(stream);
  return Object.assign(stream[Symbol.asyncIterator](), { stream });
}

async function take(it: AsyncIterator<WatchEvent>, n: number, ms = 2000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const r = await Promise.race([it.next(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), Math.max(1, deadline - Date.now())))]);
    if (r === 'timeout') throw new Error(`timed out after ${out.length} of ${n} events: ${JSON.stringify(out.map((e) => e.type))}`);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

/** Resolves to the next event or 'none' after `ms`: for asserting that nothing arrives. */
async function nothingWithin(it: AsyncIterator<WatchEvent>, ms: number): Promise<unknown> {
  return Promise.race([it.next().then((r) => r.value ?? 'end'), new Promise((res) => setTimeout(() => res('none'), ms))]);
}

const summary = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${(e.object as KubeObject).metadata?.name}`);

describe('watch', () => {
  it('unset resourceVersion: synthetic ADDED for current objects, then changes', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('a'));
    await store.create(ctx(), 'ns', 'v1', widget('b'));
    await store.create(ctx(), 'other', 'v1', widget('c'));
    const it = await open('ns');
    expect(summary(await take(it, 2))).toEqual(['ADDED a', 'ADDED b']);
    await store.update(ctx(), 'ns', 'a', 'v1', (cur) => ({ ...cur!, spec: { size: 2 } }));
    await store.create(ctx(), 'other', 'v1', widget('d'));
    await store.delete(ctx(), 'ns', 'b', 'v1', {});
    const evs = await take(it, 2);
    expect(summary(evs)).toEqual(['MODIFIED a', 'DELETED b']);
    expect(evs[0].object.apiVersion).toBe(`${group}/v1`);
  });

  it('"N": only changes after N', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a'));
    const it = await open('ns', { resourceVersion: a.metadata.resourceVersion });
    await store.create(ctx(), 'ns', 'v1', widget('b'));
    expect(summary(await take(it, 1))).toEqual(['ADDED b']);
  });

  it('DELETED carries the last state with the deletion\'s resourceVersion', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a', { size: 3 }));
    const it = await open('ns', { resourceVersion: a.metadata.resourceVersion });
    await store.delete(ctx(), 'ns', 'a', 'v1', {});
    const [ev] = await take(it, 1);
    expect(ev.type).toBe('DELETED');
    const obj = ev.object as KubeObject;
    expect((obj.spec as { size: number }).size).toBe(3);
    expect(obj.metadata.resourceVersion).toBe(String(await storage.currentRevision()));
    expect(obj.metadata.resourceVersion).not.toBe(a.metadata.resourceVersion);
  });

  it('a compacted resourceVersion: one ERROR event with a 410 Expired Status, then the end', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a'));
    for (let i = 0; i < 3; i++) await store.update(ctx(), 'ns', 'a', 'v1', (cur) => ({ ...cur!, spec: { size: i + 5 } }));
    const cur = await storage.currentRevision();
    await storage.compact(cur);
    const it = await open('ns', { resourceVersion: String(Number(a.metadata.resourceVersion) - 1) });
    const evs = await take(it, 2);
    expect(evs).toHaveLength(1);
    expect(evs[0].type).toBe('ERROR');
    expect(evs[0].object).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${Number(a.metadata.resourceVersion) - 1} (${cur - 1})`,
      reason: 'Expired',
      code: 410,
    });
  });

  it('selectors apply to old and new state: entering is ADDED, leaving is DELETED (cacher)', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a', { size: 1 }, { metadata: { labels: { app: 'no' } } }));
    const it = await open('ns', { labelSelector: 'app=yes', resourceVersion: a.metadata.resourceVersion });
    const entered = await store.update(ctx(), 'ns', 'a', 'v1', (c) => ({ ...c!, metadata: { ...c!.metadata, labels: { app: 'yes' } } }));
    await store.update(ctx(), 'ns', 'a', 'v1', (c) => ({ ...c!, spec: { size: 2 } }));
    const left = await store.update(ctx(), 'ns', 'a', 'v1', (c) => ({ ...c!, metadata: { ...c!.metadata, labels: { app: 'no' } } }));
    const evs = await take(it, 3);
    expect(evs.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect((evs[0].object as KubeObject).metadata.resourceVersion).toBe(entered.object.metadata.resourceVersion);
    // DELETED shows the last state that matched, at the revision of the change that removed it.
    const gone = evs[2].object as KubeObject;
    expect(gone.metadata.labels).toEqual({ app: 'yes' });
    expect(gone.metadata.resourceVersion).toBe(left.object.metadata.resourceVersion);
  });

  it('field selectors on a selectable field and metadata.name', async () => {
    const it = await open('ns', { fieldSelector: 'spec.color=blue' });
    await store.create(ctx(), 'ns', 'v1', widget('r', { size: 1, color: 'red' }));
    await store.create(ctx(), 'ns', 'v1', widget('b', { size: 1, color: 'blue' }));
    expect(summary(await take(it, 1))).toEqual(['ADDED b']);
    const one = await open('ns', { fieldSelector: 'metadata.name=r', resourceVersion: '0' });
    expect(summary(await take(one, 1))).toEqual(['ADDED r']);
  });

  it('BOOKMARK only when allowWatchBookmarks: apiVersion, kind and resourceVersion only', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a'));
    const plain = await open('ns', { resourceVersion: a.metadata.resourceVersion });
    const bm = await open('ns', { resourceVersion: a.metadata.resourceVersion, allowWatchBookmarks: true });
    const [ev] = await take(bm, 1);
    expect(ev).toEqual({ type: 'BOOKMARK', object: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { resourceVersion: a.metadata.resourceVersion } } });
    expect(await nothingWithin(plain, 100)).toBe('none');
  });

  it('removing the last finalizer of a deleting object emits DELETED', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('f', { size: 1 }, { metadata: { finalizers: ['example.com/x'] } }));
    const it = await open('ns');
    await take(it, 1);
    await store.delete(ctx(), 'ns', 'f', 'v1', {});
    await store.update(ctx(), 'ns', 'f', 'v1', (c) => ({ ...c!, metadata: { ...c!.metadata, finalizers: [] } }));
    const evs = await take(it, 2);
    expect(evs.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect((evs[0].object as KubeObject).metadata.deletionTimestamp).toBeDefined();
  });

  it('dry-run writes emit no events', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a'));
    const it = await open('ns', { resourceVersion: a.metadata.resourceVersion });
    await store.create(ctx({ dryRun: true }), 'ns', 'v1', widget('b'));
    await store.update(ctx({ dryRun: true }), 'ns', 'a', 'v1', (c) => ({ ...c!, spec: { size: 9 } }));
    await store.delete(ctx({ dryRun: true }), 'ns', 'a', 'v1', {});
    expect(await nothingWithin(it, 100)).toBe('none');
  });

  it('watchers of one version share the converted object', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a'));
    const w1 = await open('ns', { resourceVersion: a.metadata.resourceVersion }, 'v1beta1');
    const w2 = await open(undefined, { resourceVersion: a.metadata.resourceVersion }, 'v1beta1');
    await store.update(ctx(), 'ns', 'a', 'v1', (c) => ({ ...c!, spec: { size: 4, color: 'green' } }));
    const [[e1], [e2]] = await Promise.all([take(w1, 1), take(w2, 1)]);
    expect(e1.object).toBe(e2.object);
    expect((e1.object as KubeObject).spec).toMatchObject({ colour: 'green' });
  });

  it('stop() ends iteration', async () => {
    const it = await open('ns');
    it.stream.stop();
    expect((await it.next()).done).toBe(true);
  });

  it('watch option validation: resourceVersionMatch without sendInitialEvents, and the reverse, are 422', async () => {
    const e = await rejection(store.watch(ctx(), 'ns', 'v1', { resourceVersionMatch: 'NotOlderThan' }));
    expect(e.code).toBe(422);
    expect(e.message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
    const s = await rejection(store.watch(ctx(), 'ns', 'v1', { sendInitialEvents: true }));
    expect(s.message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    );
  });
});

// Watch-list, KEP-3157 (apiserver pkg/storage/cacher/cacher.go, watch_cache.go).
describe('watch-list (sendInitialEvents)', () => {
  const watchList = { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true } as const;
  const isEnd = (e: WatchEvent) =>
    e.type === 'BOOKMARK' && (e.object as KubeObject).metadata?.annotations?.['k8s.io/initial-events-end'] === 'true';

  it('sends the state as ADDED, then a bookmark marking the end of it, then changes', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('a'));
    const b = await store.create(ctx(), 'ns', 'v1', widget('b'));
    await store.create(ctx(), 'other', 'v1', widget('c'));
    const it = await open('ns', watchList);
    const first = await take(it, 3);
    expect(summary(first.slice(0, 2))).toEqual(['ADDED a', 'ADDED b']);
    expect(isEnd(first[2]!)).toBe(true);
    const end = first[2]!.object as KubeObject;
    expect(end).toEqual({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { resourceVersion: end.metadata!.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } });
    expect(Number(end.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(b.metadata!.resourceVersion));
    await store.update(ctx(), 'ns', 'a', 'v1', (cur) => ({ ...cur!, spec: { size: 5 } }));
    const next = (await take(it, 3)).filter((e) => e.type !== 'BOOKMARK');
    expect(summary(next.slice(0, 1))).toEqual(['MODIFIED a']);
  });

  it('applies selectors to the initial state too, and ends it with the bookmark even when empty', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('a'));
    const it = await open('ns', { ...watchList, fieldSelector: 'metadata.name=zzz' });
    const [e] = await take(it, 1);
    expect(isEnd(e!)).toBe(true);
  });

  it('a resourceVersion is a lower bound: the state is at least that new', async () => {
    const a = await store.create(ctx(), 'ns', 'v1', widget('a'));
    const it = await open('ns', { ...watchList, resourceVersion: a.metadata!.resourceVersion });
    expect(summary(await take(it, 1))).toEqual(['ADDED a']);
    const future = String(Number(a.metadata!.resourceVersion) + 1000);
    const tooNew = await rejection(store.watch(ctx(), 'ns', 'v1', { ...watchList, resourceVersion: future }));
    expect(tooNew.code).toBe(504);
  }, 10_000);

  it('without allowWatchBookmarks: the initial state, and no bookmark', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('a'));
    const it = await open('ns', { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' });
    expect(summary(await take(it, 1))).toEqual(['ADDED a']);
    expect(await nothingWithin(it, 100)).toBe('none');
  });

  it('sendInitialEvents=false from "" or "0": changes only, from now', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('a'));
    for (const resourceVersion of [undefined, '0']) {
      const it = await open('ns', { sendInitialEvents: false, resourceVersionMatch: 'NotOlderThan', resourceVersion });
      expect(await nothingWithin(it, 60)).toBe('none');
    }
    const it = await open('ns', { sendInitialEvents: false, resourceVersionMatch: 'NotOlderThan' });
    await store.create(ctx(), 'ns', 'v1', widget('b'));
    expect(summary(await take(it, 1))).toEqual(['ADDED b']);
  });
});
