import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcd3Storage } from '../../src/runtime/storage/etcd3.js';
import { isStorageError } from '../../src/runtime/storage/interface.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { skipWithoutEtcd, startEtcd } from '../support/etcd.js';
import type { EtcdHandle } from '../support/etcd.js';
import { collect, runStorageConformance, sleep } from './conformance.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const skip = skipWithoutEtcd('etcd3 storage tests');
let etcd: EtcdHandle | undefined;
beforeAll(async () => {
  if (!skip) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

// The default runs the gRPC client in a worker thread (etcd3-threaded.ts); `main` runs it here.
const open = (prefix = '') => createEtcd3Storage({ endpoints: [etcd!.endpoint], prefix, compactInterval: 0 });
const openOnThisThread = () => createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0, clientThread: 'main' });

runStorageConformance('etcd3 (client in a worker thread, the default)', async () => open(), { skip });
runStorageConformance('etcd3 (client on the calling thread)', async () => openOnThisThread(), { skip });

describe.skipIf(skip)('etcd3 backend', () => {
  it('two instances sharing one etcd see each other’s writes, in watch and in reads', async () => {
    const a = open();
    const b = open();
    try {
      const p = `/registry/shared-${Date.now()}/`;
      const events = collect(b, p, await b.currentRevision());
      const kv = await a.create(`${p}x`, 'from-a');
      const got = await events.take(1);
      expect(got[0]).toMatchObject({ type: 'put', key: `${p}x`, value: 'from-a', revision: kv.modRevision });
      expect(await b.get(`${p}x`)).toEqual(kv);
      // CAS across instances: b's update at a's revision wins, a's stale one conflicts.
      const up = await b.update(`${p}x`, 'from-b', kv.modRevision);
      await expect(a.update(`${p}x`, 'stale', kv.modRevision)).rejects.toSatisfy((e: unknown) => isStorageError(e, 'Conflict'));
      expect((await a.get(`${p}x`))?.value).toBe('from-b');
      expect((await events.take(2))[1]).toMatchObject({ prevValue: 'from-a', revision: up.modRevision });
      events.stop();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a key namespace (prefix option) isolates stores sharing one etcd', async () => {
    const a = open('/tenant-a');
    const b = open('/tenant-b');
    try {
      await a.create('/registry/x', 'a');
      expect(await b.get('/registry/x')).toBeUndefined();
      expect((await a.list('/registry/')).items.map((i) => i.key)).toEqual(['/registry/x']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a watch with previousKnown leaves out previous values (no prev_kv: etcd reads nothing back)', async () => {
    for (const clientThread of ['main', 'worker'] as const) {
      const s = createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0, clientThread });
      try {
        const p = `/registry/noprev-${clientThread}-${Date.now()}/`;
        const plain = collect(s, p, await s.currentRevision());
        const lean = collect(s, p, await s.currentRevision(), { previousKnown: true });
        const a = await s.create(`${p}a`, '1');
        const b = await s.update(`${p}a`, '2', a.modRevision);
        await s.delete(`${p}a`, b.modRevision);
        const [full, bare] = [await plain.take(3), await lean.take(3)];
        expect(full.slice(1)).toMatchObject([{ type: 'put', prevValue: '1' }, { type: 'delete', value: '2', prevModRevision: b.modRevision }]);
        expect(bare.map((e) => [e.type, e.value, e.prevValue, e.prevModRevision])).toEqual([
          ['put', '1', undefined, undefined],
          ['put', '2', undefined, undefined],
          ['delete', '', undefined, undefined],
        ]);
        plain.stop();
        lean.stop();
      } finally {
        await s.close();
      }
    }
  });

  it('values near etcd’s 1.5 MiB request limit, several at once, through flow control both ways', async () => {
    // grpc-go (etcd's server) starts every window at 64 KiB and closes a connection that sends
    // past one, so these writes pass only if the client waits for the server's WINDOW_UPDATEs.
    const s = openOnThisThread();
    try {
      const p = `/registry/big-${Date.now()}/`;
      const values = Array.from({ length: 6 }, (_, i) => String.fromCharCode(97 + i).repeat(1_400_000));
      const events = collect(s, p, await s.currentRevision());
      const created = await Promise.all(values.map((v, i) => s.create(`${p}${i}`, v)));
      expect(created.map((kv) => kv.value.length)).toEqual(values.map((v) => v.length));
      const listed = await s.list(p);
      expect(listed.items.map((kv) => kv.value)).toEqual(values);
      expect((await events.take(6)).map((e) => e.value.length)).toEqual(values.map((v) => v.length));
      events.stop();
    } finally {
      await s.close();
    }
  }, 30_000);

  it('with several endpoints, calls and watches go to the next one when the first refuses connections', async () => {
    const dead = await closedPort();
    for (const clientThread of ['main', 'worker'] as const) {
      const s = createEtcd3Storage({ endpoints: [`http://127.0.0.1:${dead}`, etcd!.endpoint], compactInterval: 0, clientThread });
      try {
        const p = `/registry/failover-${clientThread}-${Date.now()}/`;
        const events = collect(s, p, await s.currentRevision());
        const kv = await s.create(`${p}a`, '1');
        expect((await events.take(1))[0]).toMatchObject({ key: `${p}a`, revision: kv.modRevision });
        events.stop();
      } finally {
        await s.close();
      }
    }
  });

  it('reconnects after an etcd restart: calls work again and watches resume without gaps or repeats', async () => {
    const s: Storage = open();
    try {
      const p = `/registry/restart-${Date.now()}/`;
      const first = await s.create(`${p}a`, '1');
      const events = collect(s, p, first.modRevision - 1);
      await events.take(1);
      await etcd!.restart();
      // The first calls after the restart may still fail while the channel reconnects.
      let b;
      for (let i = 0; i < 50 && !b; i++) {
        b = await s.create(`${p}b`, '2').catch(async (e: unknown) => {
          if (!isStorageError(e, 'Unavailable')) throw e;
          await sleep(100);
          return undefined;
        });
      }
      expect(b).toBeDefined();
      const c = await s.create(`${p}c`, '3');
      const got = await events.take(3, 15_000);
      expect(got.map((e) => e.key)).toEqual([`${p}a`, `${p}b`, `${p}c`]);
      expect(got[2].revision).toBe(c.modRevision);
      await sleep(100);
      expect(events.all).toHaveLength(3);
      expect(events.errors).toEqual([]);
      events.stop();
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(skip)('etcd3 backend: keepalive', () => {
  it('a connection that goes silent is given up: calls and the watch go on over a new one', async () => {
    // etcd refuses PINGs more often than --grpc-keepalive-min-time (default 5 s) allows.
    const own = await startEtcd({ args: ['--grpc-keepalive-min-time=50ms'] });
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(own.endpoint).port));
    const s = createEtcd3Storage({ endpoints: [`http://${proxy.address}`], compactInterval: 0, keepalive: { intervalMs: 200, timeoutMs: 300 } });
    try {
      const p = `/registry/keepalive-${Date.now()}/`;
      const events = collect(s, p, await s.currentRevision());
      await s.create(`${p}a`, '1');
      await events.take(1);
      await sleep(600); // idle, PINGs answered: the connection stays
      proxy.freeze(); // etcd is still up: only this connection is dead, and says nothing
      const frozenAt = Date.now();
      let b;
      while (!b) {
        // A call caught on the dead connection fails Unavailable (it may have applied: not retried).
        b = await s.create(`${p}b`, '2').catch((e: unknown) => {
          if (!isStorageError(e, 'Unavailable')) throw e;
          return undefined;
        });
      }
      expect(Date.now() - frozenAt).toBeLessThan(3000); // the call deadline is 10 s
      const got = await events.take(2, 5000); // the watch resumed on the new connection
      expect(got.map((e) => e.key)).toEqual([`${p}a`, `${p}b`]);
      expect(events.errors).toEqual([]);
      events.stop();
    } finally {
      await s.close();
      await proxy.close();
      await own.stop();
    }
  }, 30_000);
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
