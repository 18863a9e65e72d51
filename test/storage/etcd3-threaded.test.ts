// The etcd3 backend with its gRPC client in a worker thread (the default): what the thread
// boundary adds to the Storage contract. The contract itself is the conformance suite, which
// etcd3.test.ts runs for both placements of the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { createEtcd3Storage } from '../../src/runtime/storage/etcd3.js';
import { workerForTests } from '../../src/runtime/storage/etcd3-threaded.js';
import { createCachedStorage } from '../../src/runtime/storage/cacher.js';
import { isStorageError } from '../../src/runtime/storage/interface.js';
import type { KeyValue, StorageError } from '../../src/runtime/storage/interface.js';
import { skipWithoutEtcd, startEtcd } from '../support/etcd.js';
import type { EtcdHandle } from '../support/etcd.js';
import { sleep, waitFor } from './conformance.js';

const skip = skipWithoutEtcd('etcd3 worker-thread client tests');
let etcd: EtcdHandle | undefined;
beforeAll(async () => {
  if (!skip) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

const open = () => createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0 });
const prefix = () => `/registry/threaded-${process.pid}-${Date.now().toString(36)}/`;

describe.skipIf(skip)('etcd3 backend, client in a worker thread', () => {
  it('errors cross the thread with their code, key and message', async () => {
    const s = open();
    try {
      const p = prefix();
      const kv = await s.create(`${p}a`, 'v');
      const err = await s.create(`${p}a`, 'w').catch((e: unknown) => e as StorageError);
      expect(isStorageError(err, 'KeyExists')).toBe(true);
      expect(err).toMatchObject({ key: `${p}a`, message: `key ${p}a already exists` });
      const conflict = await s.update(`${p}a`, 'w', kv.modRevision + 1000).catch((e: unknown) => e as StorageError);
      expect(conflict).toMatchObject({ code: 'Conflict', key: `${p}a`, revision: kv.modRevision });
      const tooLarge = await s.list(p, { revision: kv.modRevision + 1000 }).catch((e: unknown) => e as StorageError);
      expect(isStorageError(tooLarge, 'TooLarge')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a client thread that dies is replaced: calls and watches fail Unavailable meanwhile, then work again', async () => {
    const s = open();
    try {
      const p = prefix();
      const kv = await s.create(`${p}a`, 'v');
      const errors: StorageError[] = [];
      s.watch(p, { afterRevision: kv.modRevision }, { onEvent: () => undefined, onError: (e) => errors.push(e) });
      const first = (s as unknown as Record<symbol, Worker>)[workerForTests]!;
      const inFlight = s.get(`${p}a`).catch((e: unknown) => e as StorageError);
      await first.terminate(); // as a crash would end it
      // Answered before the thread died, or failed Unavailable: never left hanging.
      const settled = await inFlight;
      expect(isStorageError(settled, 'Unavailable') || (settled as KeyValue | undefined)?.value === 'v').toBe(true);
      await waitFor(() => errors.length > 0);
      expect(errors[0]).toMatchObject({ code: 'Unavailable' });
      expect(errors[0]!.message).toMatch(/client thread exited .*starting a new one/);
      // Soon a new thread answers, and nothing was lost: the data is in etcd.
      let got;
      for (let i = 0; i < 50 && got === undefined; i++) {
        got = await s.get(`${p}a`).catch(async (e: unknown) => {
          if (!isStorageError(e, 'Unavailable')) throw e;
          await sleep(50);
          return undefined;
        });
      }
      expect(got).toEqual(kv);
      expect((s as unknown as Record<symbol, Worker>)[workerForTests]).not.toBe(first);
    } finally {
      await s.close();
    }
  });

  it('a watch cache over it recovers from a dead client thread: it re-lists and serves new writes', async () => {
    const p = prefix();
    const c = createCachedStorage(open(), p, { ownsBackend: true });
    try {
      await c.ready();
      await c.create(`${p}a`, '1');
      const backend = (c as unknown as { inner: Record<symbol, Worker> }).inner;
      await backend[workerForTests]!.terminate();
      let b;
      for (let i = 0; i < 100 && b === undefined; i++) {
        b = await c.create(`${p}b`, '2').catch(async (e: unknown) => {
          if (!isStorageError(e, 'Unavailable')) throw e;
          await sleep(50);
          return undefined;
        });
      }
      expect(b).toBeDefined();
      // The cache re-lists once the new thread is up, and then serves the write it acknowledged.
      let values: string[] = [];
      for (let i = 0; i < 100 && values.length < 2; i++) {
        values = (await c.list(p).catch(() => ({ items: [] as KeyValue[] }))).items.map((kv) => kv.value);
        if (values.length < 2) await sleep(50);
      }
      expect(values).toEqual(['1', '2']);
    } finally {
      await c.close();
    }
  });

  it('many calls in one turn are all answered, each with its own result', async () => {
    const s = open();
    try {
      const p = prefix();
      const created = await Promise.all(Array.from({ length: 200 }, (_, i) => s.create(`${p}k${String(i).padStart(3, '0')}`, `v${i}`)));
      expect(new Set(created.map((kv) => kv.modRevision)).size).toBe(200);
      const got = await Promise.all(created.map((kv) => s.get(kv.key)));
      expect(got).toEqual(created);
      const list = await s.list(p);
      expect(list.items.map((i) => i.value)).toEqual(created.map((kv) => kv.value));
    } finally {
      await s.close();
    }
  });

  it('a watch handler that throws ends that watch with Internal; other watches go on', async () => {
    const s = open();
    try {
      const p = prefix();
      const rev = await s.currentRevision();
      const bad: StorageError[] = [];
      const good: string[] = [];
      s.watch(p, { afterRevision: rev }, {
        onEvent: () => {
          throw new Error('boom');
        },
        onError: (e) => bad.push(e),
      });
      const w = s.watch(p, { afterRevision: rev }, { onEvent: (e) => good.push(e.key), onError: () => undefined });
      await s.create(`${p}a`, '1');
      await s.create(`${p}b`, '2');
      await waitFor(() => good.length === 2 && bad.length === 1);
      expect(bad[0]).toMatchObject({ code: 'Internal', message: 'watch handler failed: boom' });
      await sleep(50);
      expect(bad).toHaveLength(1);
      w.stop();
    } finally {
      await s.close();
    }
  });

  it('close fails calls still in flight and open watches with Unavailable, and refuses new ones', async () => {
    const s = open();
    const p = prefix();
    await s.ping();
    const watchErrors: StorageError[] = [];
    s.watch(p, { afterRevision: await s.currentRevision() }, { onEvent: () => undefined, onError: (e) => watchErrors.push(e) });
    const inFlight = s.create(`${p}late`, 'v').then(
      () => 'done',
      (e: unknown) => (isStorageError(e, 'Unavailable') ? 'unavailable' : e),
    );
    await s.close();
    // Either etcd answered before the close, or the call failed Unavailable: never left hanging.
    expect(['done', 'unavailable']).toContain(await inFlight);
    await waitFor(() => watchErrors.length === 1);
    expect(watchErrors[0].code).toBe('Unavailable');
    await expect(s.get(`${p}late`)).rejects.toSatisfy((e: unknown) => isStorageError(e, 'Unavailable'));
    const after: StorageError[] = [];
    s.watch(p, { afterRevision: 0 }, { onEvent: () => undefined, onError: (e) => after.push(e) });
    await waitFor(() => after.length === 1);
    expect(after[0].code).toBe('Unavailable');
  });

  it('an etcd that does not answer fails the call with Unavailable within the deadline', async () => {
    // A port with nothing listening: the worker's client cannot connect.
    const s = createEtcd3Storage({ endpoints: ['http://127.0.0.1:1'], requestTimeoutMs: 500, compactInterval: 0 });
    try {
      const started = Date.now();
      await expect(s.ping()).rejects.toSatisfy((e: unknown) => isStorageError(e, 'Unavailable'));
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await s.close();
    }
  });
});
