// The watch cache (k8s.io/apiserver pkg/storage/cacher): the conformance suite over memory and
// over a real etcd, then what only a cache has: reads from memory, read-your-writes (writes do
// not wait for the cache, reads do), the event window, and recovery when the backend watch fails.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCachedStorage } from '../../src/runtime/storage/cacher.js';
import { createEtcd3Storage } from '../../src/runtime/storage/etcd3.js';
import { StorageError, isStorageError } from '../../src/runtime/storage/interface.js';
import type { Storage, WatchHandlers, Watcher } from '../../src/runtime/storage/interface.js';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import { skipWithoutEtcd, startEtcd } from '../support/etcd.js';
import type { EtcdHandle } from '../support/etcd.js';
import { collect, runStorageConformance, waitFor } from './conformance.js';

runStorageConformance('cacher over memory', async ({ prefix }) => {
  const c = createCachedStorage(createMemoryStorage({ compactInterval: 0 }), prefix, { ownsBackend: true });
  await c.ready();
  return c;
});

const skipEtcd = skipWithoutEtcd('watch cache over etcd3 tests');
let etcd: EtcdHandle | undefined;
beforeAll(async () => {
  if (!skipEtcd) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

runStorageConformance(
  'cacher over etcd3',
  async ({ prefix }) => {
    const backend = createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0 });
    const c = createCachedStorage(backend, prefix, { ownsBackend: true });
    await c.ready();
    return c;
  },
  { skip: skipEtcd },
);

/** A backend wrapper that counts calls and can fail its watches on demand (fault injection). */
function instrumented(inner: Storage) {
  const calls = { get: 0, list: 0, watch: 0 };
  const live = new Set<{ h: WatchHandlers; w: Watcher }>();
  const s: Storage = {
    backend: inner.backend,
    create: (k, v) => inner.create(k, v),
    update: (k, v, r) => inner.update(k, v, r),
    delete: (k, r) => inner.delete(k, r),
    get: (k) => (calls.get++, inner.get(k)),
    list: (p, o) => (calls.list++, inner.list(p, o)),
    watch: (p, o, h) => {
      calls.watch++;
      const entry = { h, w: inner.watch(p, o, h) };
      live.add(entry);
      return { stop: () => (live.delete(entry), entry.w.stop()) };
    },
    currentRevision: () => inner.currentRevision(),
    compactedRevision: () => inner.compactedRevision(),
    compact: (r) => inner.compact(r),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  const failWatches = () => {
    for (const e of [...live]) {
      live.delete(e);
      e.w.stop();
      e.h.onError(new StorageError('Unavailable', 'injected backend watch failure'));
    }
  };
  return { s, calls, failWatches };
}

describe('watch cache', () => {
  it('serves get, list and watch from memory once ready (no backend reads)', async () => {
    const mem = createMemoryStorage({ compactInterval: 0 });
    await mem.create('/registry/g/things/ns/a', 'a');
    const { s, calls } = instrumented(mem);
    const c = createCachedStorage(s, '/registry/g/things/');
    await c.ready();
    expect(calls).toEqual({ get: 0, list: 1, watch: 1 });
    const b = await c.create('/registry/g/things/ns/b', 'b');
    for (let i = 0; i < 20; i++) {
      expect((await c.get('/registry/g/things/ns/a'))?.value).toBe('a');
      expect((await c.list('/registry/g/things/ns/')).items).toHaveLength(2);
      expect((await c.list('/registry/g/things/', { revision: b.modRevision - 1 })).items).toHaveLength(1);
    }
    const events = collect(c, '/registry/g/things/', b.modRevision - 1);
    await events.take(1);
    events.stop();
    expect(calls).toEqual({ get: 0, list: 1, watch: 1 });
    // Keys outside the cache's prefix go to the backend.
    expect(await c.get('/registry/g/others/ns/a')).toBeUndefined();
    expect(calls.get).toBe(1);
    await c.close();
    await mem.close();
  });

  it('writes resolve once the backend commits; reads first wait for the cache to hold them', async () => {
    const mem = createMemoryStorage({ compactInterval: 0 });
    // A backend whose watch events are held until released: the cache lags behind its writes.
    const held: (() => void)[] = [];
    const lagging: Storage = {
      ...bind(mem),
      watch: (p, o, h) => mem.watch(p, o, { onEvent: (e) => void held.push(() => h.onEvent(e)), onError: h.onError }),
    };
    const c = createCachedStorage(lagging, '/r/');
    await c.ready();
    const kv = await c.create('/r/a', '1'); // resolves with the event still held
    expect(held).toHaveLength(1);
    let got: unknown = 'pending';
    const read = c.get('/r/a').then((v) => (got = v));
    const revision = c.currentRevision();
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe('pending'); // the read waits for the cache to hold the write...
    held.splice(0).forEach((release) => release());
    await read;
    expect(got).toEqual(kv); // ...and then sees it
    expect(await revision).toBe(kv.modRevision);
    // Writes made elsewhere (not through this cache) do not hold reads back.
    await mem.create('/r/b', '2');
    expect(await c.get('/r/b')).toBeUndefined();
    held.splice(0).forEach((release) => release());
    await c.close();
    await mem.close();
  });

  it('read-your-writes when the backend delivers events late', async () => {
    const mem = createMemoryStorage({ compactInterval: 0 });
    // Deliver the backend's events late, as a remote backend would.
    const slow: Storage = {
      ...bind(mem),
      watch: (p, o, h) => mem.watch(p, o, { onEvent: (e) => setTimeout(() => h.onEvent(e), 30), onError: h.onError }),
    };
    const c = createCachedStorage(slow, '/r/');
    await c.ready();
    const kv = await c.create('/r/a', '1');
    expect(await c.get('/r/a')).toEqual(kv);
    const up = await c.update('/r/a', '2', kv.modRevision);
    expect((await c.list('/r/')).items).toEqual([up]);
    await c.delete('/r/a', up.modRevision);
    expect(await c.get('/r/a')).toBeUndefined();
    expect(await c.currentRevision()).toBeGreaterThan(up.modRevision);
    await c.close();
    await mem.close();
  });

  it('keeps a window of recent events: resume inside it, Compacted (410) before it', async () => {
    const mem = createMemoryStorage({ compactInterval: 0 });
    const c = createCachedStorage(mem, '/r/', { windowEvents: 5, windowMs: 0 });
    await c.ready();
    const writes = [];
    for (let i = 0; i < 12; i++) writes.push(await c.create(`/r/${i}`, `${i}`));
    // The last 5 events are kept: resuming after the 7th write replays the last 5.
    const resumed = collect(c, '/r/', writes[6].modRevision);
    expect((await resumed.take(5)).map((e) => e.value)).toEqual(['7', '8', '9', '10', '11']);
    resumed.stop();
    const old = collect(c, '/r/', writes[2].modRevision);
    await waitFor(() => old.errors.length > 0);
    expect(old.errors[0].code).toBe('Compacted');
    expect(old.errors[0].message).toMatch(/too old resource version/);
    // A list older than the window is answered by the backend, which still has it.
    expect((await c.list('/r/', { revision: writes[2].modRevision })).items).toHaveLength(3);
    await c.close();
    await mem.close();
  });

  it('re-lists when the backend watch fails: watchers end with Unavailable, then the cache catches up', async () => {
    const mem = createMemoryStorage({ compactInterval: 0 });
    const { s, calls, failWatches } = instrumented(mem);
    const c = createCachedStorage(s, '/r/', { relistBackoffMs: 10 });
    await c.ready();
    await c.create('/r/a', '1');
    const w = collect(c, '/r/', await c.currentRevision());
    failWatches();
    // Written behind the cache's back while it is not watching.
    await mem.create('/r/b', '2');
    await waitFor(() => w.errors.length > 0);
    expect(w.errors[0].code).toBe('Unavailable');
    await waitFor(() => calls.list >= 2);
    expect((await c.list('/r/')).items.map((i) => i.key)).toEqual(['/r/a', '/r/b']);
    // Watches work again after the re-list.
    const again = collect(c, '/r/', await c.currentRevision());
    await c.create('/r/c', '3');
    expect((await again.take(1))[0].key).toBe('/r/c');
    again.stop();
    await c.close();
    await mem.close();
  });

  it('waits for a list at a revision the cache has not reached; a future one is TooLarge', async () => {
    const mem = createMemoryStorage({ compactInterval: 0 });
    const c = createCachedStorage(mem, '/r/', { freshnessWaitMs: 50 });
    await c.ready();
    await c.create('/r/a', '1');
    // A write to another resource moves the global revision; the cache never sees an event
    // for it, so the list falls back to the backend after the freshness wait.
    const other = await mem.create('/other/x', 'x');
    const r = await c.list('/r/', { revision: other.modRevision });
    expect(r.revision).toBe(other.modRevision);
    expect(r.items.map((i) => i.key)).toEqual(['/r/a']);
    await expect(c.list('/r/', { revision: other.modRevision + 10 })).rejects.toSatisfy((e: unknown) => isStorageError(e, 'TooLarge'));
    await c.close();
    await mem.close();
  });
});

describe.skipIf(skipEtcd)('watch cache over etcd3', () => {
  it('two servers with their own caches over one etcd see each other’s writes', async () => {
    const b1 = createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0 });
    const b2 = createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0 });
    const p = `/registry/two-${Date.now()}/`;
    const c1 = createCachedStorage(b1, p, { ownsBackend: true });
    const c2 = createCachedStorage(b2, p, { ownsBackend: true });
    try {
      await Promise.all([c1.ready(), c2.ready()]);
      const kv = await c1.create(`${p}a`, '1');
      // Read-your-writes on c1 at once; c2 gets it through its watch shortly after.
      expect(await c1.get(`${p}a`)).toEqual(kv);
      const deadline = Date.now() + 5000;
      while (!(await c2.get(`${p}a`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await c2.get(`${p}a`)).toEqual(kv);
    } finally {
      await Promise.all([c1.close(), c2.close()]);
    }
  });
});

function bind(s: Storage): Storage {
  return {
    backend: s.backend,
    create: s.create.bind(s),
    get: s.get.bind(s),
    update: s.update.bind(s),
    delete: s.delete.bind(s),
    list: s.list.bind(s),
    watch: s.watch.bind(s),
    currentRevision: s.currentRevision.bind(s),
    compactedRevision: s.compactedRevision.bind(s),
    compact: s.compact.bind(s),
    ping: s.ping.bind(s),
    close: s.close.bind(s),
  };
}
