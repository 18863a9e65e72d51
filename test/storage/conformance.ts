// One conformance suite for every Storage implementation, after k8s.io/apiserver
// pkg/storage/testing/store_tests.go (RunTestCreate, RunTestGet, RunTestGuaranteedUpdate,
// RunTestDelete, RunTestList, RunTestListContinuation, RunTestWatch...), at the key-value level.
//
// Each test gets its own key prefix, so backends that share state between tests (one etcd for a
// whole file) stay independent. The factory is told that prefix: the watch cache needs it, raw
// backends ignore it.

import { afterEach, describe, expect, it } from 'vitest';
import { isStorageError } from '../../src/runtime/storage/interface.js';
import type { Storage, StorageError, StorageErrorCode, StorageEvent, Watcher, WatchOptions } from '../../src/runtime/storage/interface.js';

export interface ConformanceContext {
  /** Every key a test writes starts with this (ends with '/'). */
  readonly prefix: string;
}

export type StorageFactory = (ctx: ConformanceContext) => Promise<Storage>;

let counter = 0;

export function runStorageConformance(name: string, factory: StorageFactory, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip ?? false)(`storage conformance: ${name}`, () => {
    const open: Storage[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    async function setup(): Promise<{ s: Storage; p: string }> {
      const p = `/registry/conformance-${process.pid}-${Date.now().toString(36)}-${++counter}/`;
      const s = await factory({ prefix: p });
      open.push(s);
      return { s, p };
    }

    it('create then get returns the item at the write revision (RunTestCreate)', async () => {
      const { s, p } = await setup();
      const before = await s.currentRevision();
      const kv = await s.create(`${p}a`, '{"a":1}');
      expect(kv).toEqual({ key: `${p}a`, value: '{"a":1}', createRevision: kv.modRevision, modRevision: kv.modRevision });
      expect(kv.modRevision).toBeGreaterThan(before);
      expect(await s.currentRevision()).toBeGreaterThanOrEqual(kv.modRevision);
      expect(await s.get(`${p}a`)).toEqual(kv);
      expect(await s.get(`${p}missing`)).toBeUndefined();
    });

    it('create of an existing key fails with KeyExists and changes nothing', async () => {
      const { s, p } = await setup();
      const kv = await s.create(`${p}a`, 'one');
      await expectCode(s.create(`${p}a`, 'two'), 'KeyExists');
      expect(await s.get(`${p}a`)).toEqual(kv);
    });

    it('every write gets a larger revision (one global counter)', async () => {
      const { s, p } = await setup();
      const a = await s.create(`${p}a`, '1');
      const b = await s.create(`${p}b`, '1');
      const a2 = await s.update(`${p}a`, '2', a.modRevision);
      const d = await s.delete(`${p}b`);
      expect(b.modRevision).toBeGreaterThan(a.modRevision);
      expect(a2.modRevision).toBeGreaterThan(b.modRevision);
      expect(d.modRevision).toBeGreaterThan(a2.modRevision);
    });

    it('update is a compare-and-swap on modRevision (RunTestGuaranteedUpdate)', async () => {
      const { s, p } = await setup();
      const kv = await s.create(`${p}a`, 'v1');
      const up = await s.update(`${p}a`, 'v2', kv.modRevision);
      expect(up.value).toBe('v2');
      expect(up.createRevision).toBe(kv.createRevision);
      expect(up.modRevision).toBeGreaterThan(kv.modRevision);
      expect(await s.get(`${p}a`)).toEqual(up);

      const conflict = await expectCode(s.update(`${p}a`, 'v3', kv.modRevision), 'Conflict');
      expect(conflict.key).toBe(`${p}a`);
      expect((await s.get(`${p}a`))?.value).toBe('v2');
      await expectCode(s.update(`${p}missing`, 'x', 1), 'KeyNotFound');
    });

    it('delete returns the last value at the delete revision; with a revision it is a CAS (RunTestDelete)', async () => {
      const { s, p } = await setup();
      const kv = await s.create(`${p}a`, 'v1');
      await expectCode(s.delete(`${p}a`, kv.modRevision + 1000), 'Conflict');
      expect(await s.get(`${p}a`)).toEqual(kv);
      const del = await s.delete(`${p}a`, kv.modRevision);
      expect(del.key).toBe(`${p}a`);
      expect(del.value).toBe('v1');
      expect(del.createRevision).toBe(kv.createRevision);
      expect(del.modRevision).toBeGreaterThan(kv.modRevision);
      expect(await s.get(`${p}a`)).toBeUndefined();
      await expectCode(s.delete(`${p}a`), 'KeyNotFound');

      const b = await s.create(`${p}b`, 'x');
      const delB = await s.delete(`${p}b`);
      expect(delB.modRevision).toBeGreaterThan(b.modRevision);

      // A re-created key starts a new life: a new createRevision.
      const again = await s.create(`${p}a`, 'v2');
      expect(again.createRevision).toBeGreaterThan(del.modRevision);
    });

    it('list returns only keys under the prefix, sorted by key (RunTestList)', async () => {
      const { s, p } = await setup();
      for (const k of ['items/c', 'items/a', 'items/b', 'items2/x', 'other/a']) await s.create(`${p}${k}`, k);
      const r = await s.list(`${p}items/`);
      expect(r.items.map((i) => i.key)).toEqual([`${p}items/a`, `${p}items/b`, `${p}items/c`]);
      expect(r.items.map((i) => i.value)).toEqual(['items/a', 'items/b', 'items/c']);
      expect(r.more).toBe(false);
      expect(r.revision).toBeGreaterThanOrEqual(Math.max(...r.items.map((i) => i.modRevision)));
      expect((await s.list(`${p}none/`)).items).toEqual([]);
    });

    it('list at a revision shows the state as of that revision', async () => {
      const { s, p } = await setup();
      const a = await s.create(`${p}a`, 'a1');
      const b = await s.create(`${p}b`, 'b1');
      const at = b.modRevision;
      await s.update(`${p}a`, 'a2', a.modRevision);
      await s.delete(`${p}b`);
      await s.create(`${p}c`, 'c1');

      const then = await s.list(p, { revision: at });
      expect(then.revision).toBe(at);
      expect(then.items).toEqual([a, b]);
      const before = await s.list(p, { revision: a.modRevision });
      expect(before.items).toEqual([a]);
      const now = await s.list(p);
      expect(now.items.map((i) => `${i.key.slice(p.length)}=${i.value}`)).toEqual(['a=a2', 'c=c1']);
    });

    it('list pages with limit and startAfter, counting what remains (RunTestListContinuation)', async () => {
      const { s, p } = await setup();
      for (const k of ['e', 'a', 'd', 'b', 'c']) await s.create(`${p}${k}`, k);
      const first = await s.list(p, { limit: 2 });
      expect(first.items.map((i) => i.value)).toEqual(['a', 'b']);
      expect(first.more).toBe(true);
      expect(first.remaining).toBe(3);

      // Writes between pages do not show up when paging at the first page's revision.
      await s.create(`${p}bb`, 'bb');
      const second = await s.list(p, { limit: 2, startAfter: first.items[1].key, revision: first.revision });
      expect(second.revision).toBe(first.revision);
      expect(second.items.map((i) => i.value)).toEqual(['c', 'd']);
      expect(second.more).toBe(true);
      expect(second.remaining).toBe(1);
      const last = await s.list(p, { limit: 2, startAfter: second.items[1].key, revision: first.revision });
      expect(last.items.map((i) => i.value)).toEqual(['e']);
      expect(last.more).toBe(false);
      expect(last.remaining ?? 0).toBe(0);

      const exact = await s.list(p, { limit: 6 });
      expect(exact.items).toHaveLength(6);
      expect(exact.more).toBe(false);
    });

    it('list at a future revision fails with TooLarge', async () => {
      const { s, p } = await setup();
      await s.create(`${p}a`, 'a');
      const current = await s.currentRevision();
      const err = await expectCode(s.list(p, { revision: current + 1000 }), 'TooLarge');
      expect(err.message).toMatch(/future|too large/i);
    });

    it('compaction: list and watch before the compacted revision fail with Compacted', async () => {
      const { s, p } = await setup();
      const a = await s.create(`${p}a`, '1');
      const a2 = await s.update(`${p}a`, '2', a.modRevision);
      const a3 = await s.update(`${p}a`, '3', a2.modRevision);
      await s.create(`${p}b`, 'b');
      await s.compact(a3.modRevision);
      expect(await s.compactedRevision()).toBeGreaterThanOrEqual(a3.modRevision);

      await expectCode(s.list(p, { revision: a.modRevision }), 'Compacted');
      const at = await s.list(p, { revision: a3.modRevision });
      expect(at.items).toEqual([a3]);
      expect((await s.get(`${p}a`))?.value).toBe('3');

      const err = await new Promise<StorageError>((resolve, reject) => {
        const w = s.watch(p, { afterRevision: a.modRevision }, {
          onEvent: (e) => reject(new Error(`unexpected event ${JSON.stringify(e)}`)),
          onError: (e) => {
            w.stop();
            resolve(e);
          },
        });
      });
      expect(err.code).toBe('Compacted');

      // Resuming from the compacted revision itself still works.
      const events = collect(s, p, a3.modRevision);
      await s.create(`${p}c`, 'c');
      expect((await events.take(2)).map((e) => e.key)).toEqual([`${p}b`, `${p}c`]);
      events.stop();
    });

    it('watch from a revision replays later events in order, then live ones, each exactly once (RunTestWatch)', async () => {
      const { s, p } = await setup();
      const a = await s.create(`${p}a`, 'a1');
      const a2 = await s.update(`${p}a`, 'a2', a.modRevision);
      const b = await s.create(`${p}b`, 'b1');
      const events = collect(s, p, a.modRevision);
      const del = await s.delete(`${p}a`);
      const c = await s.create(`${p}c`, 'c1');
      const got = await events.take(4);
      expect(got.map(brief)).toEqual([
        `put ${p}a a2 prev=a1 @${a2.modRevision}`,
        `put ${p}b b1 @${b.modRevision}`,
        `delete ${p}a a2 @${del.modRevision}`,
        `put ${p}c c1 @${c.modRevision}`,
      ]);
      expect(got[0].createRevision).toBe(a.createRevision);
      expect(got[2].createRevision).toBe(a.createRevision);
      await events.quiet();
      expect(events.all).toHaveLength(4);
      events.stop();
    });

    it('watch sees only its prefix', async () => {
      const { s, p } = await setup();
      const start = await s.currentRevision();
      const events = collect(s, `${p}items/`, start);
      await s.create(`${p}items2/a`, 'x');
      await s.create(`${p}other/a`, 'x');
      await s.create(`${p}items/a`, 'mine');
      const got = await events.take(1);
      expect(got.map((e) => e.key)).toEqual([`${p}items/a`]);
      await events.quiet();
      expect(events.all).toHaveLength(1);
      events.stop();
    });

    it('watch delivers a burst of writes in revision order without gaps', async () => {
      const { s, p } = await setup();
      const start = await s.currentRevision();
      const events = collect(s, p, start);
      const n = 50;
      const writes = await Promise.all(Array.from({ length: n }, (_, i) => s.create(`${p}k${String(i).padStart(3, '0')}`, `${i}`)));
      const got = await events.take(n);
      const revs = got.map((e) => e.revision);
      expect(revs).toEqual([...revs].sort((x, y) => x - y));
      expect(new Set(revs).size).toBe(n);
      expect(new Set(revs)).toEqual(new Set(writes.map((w) => w.modRevision)));
      events.stop();
    });

    it('a stopped watcher receives nothing more', async () => {
      const { s, p } = await setup();
      const events = collect(s, p, await s.currentRevision());
      await s.create(`${p}a`, 'a');
      await events.take(1);
      events.stop();
      await s.create(`${p}b`, 'b');
      await sleep(100);
      expect(events.all).toHaveLength(1);
    });

    it('concurrent CAS updates at the same revision: exactly one wins', async () => {
      const { s, p } = await setup();
      const kv = await s.create(`${p}a`, '0');
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.update(`${p}a`, `${i + 1}`, kv.modRevision)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(isStorageError(r.reason, 'Conflict')).toBe(true);
      }
      const winner = (won[0] as PromiseFulfilledResult<{ value: string }>).value.value;
      expect((await s.get(`${p}a`))?.value).toBe(winner);
    });

    it('concurrent creates of one key: exactly one wins', async () => {
      const { s, p } = await setup();
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => s.create(`${p}a`, `${i}`)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(isStorageError(r.reason, 'KeyExists')).toBe(true);
      }
    });

    it('close ends watches with Unavailable and refuses further calls', async () => {
      const { s, p } = await setup();
      const errors: StorageError[] = [];
      const seen: StorageEvent[] = [];
      s.watch(p, { afterRevision: await s.currentRevision() }, { onEvent: (e) => seen.push(e), onError: (e) => errors.push(e) });
      await s.ping();
      await s.close();
      await waitFor(() => errors.length > 0);
      expect(errors.map((e) => e.code)).toEqual(['Unavailable']);
      expect(seen).toEqual([]);
      await expect(s.get(`${p}a`)).rejects.toSatisfy((e: unknown) => isStorageError(e, 'Unavailable'));
      await s.close(); // idempotent
    });
  });
}

// ---- helpers -------------------------------------------------------------------------------

async function expectCode(p: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    if (isStorageError(e)) {
      expect(e.code).toBe(code);
      return e;
    }
    throw e;
  }
  throw new Error(`expected StorageError ${code}, but the call succeeded`);
}

function brief(e: StorageEvent): string {
  return `${e.type} ${e.key} ${e.value}${e.prevValue !== undefined ? ` prev=${e.prevValue}` : ''} @${e.revision}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await sleep(5);
  }
}

export interface Collector {
  readonly all: StorageEvent[];
  readonly errors: StorageError[];
  /** Wait until `n` events arrived in total; return them. */
  take(n: number, timeoutMs?: number): Promise<StorageEvent[]>;
  /** Give stray (duplicate) events a chance to arrive. */
  quiet(): Promise<void>;
  stop(): void;
}

export function collect(s: Storage, prefix: string, afterRevision: number, opts: Omit<WatchOptions, 'afterRevision'> = {}): Collector {
  const all: StorageEvent[] = [];
  const errors: StorageError[] = [];
  const w: Watcher = s.watch(prefix, { ...opts, afterRevision }, { onEvent: (e) => all.push(e), onError: (e) => errors.push(e) });
  return {
    all,
    errors,
    async take(n, timeoutMs = 5000) {
      await waitFor(() => all.length >= n || errors.length > 0, timeoutMs).catch(() => {
        throw new Error(`expected ${n} events, got ${all.length}: ${JSON.stringify(all)}`);
      });
      if (errors.length > 0 && all.length < n) throw errors[0];
      return all.slice(0, n);
    },
    quiet: () => sleep(50),
    stop: () => w.stop(),
  };
}
