// A full store answers writes with a 500 carrying the storage's message, as kube-apiserver
// passes etcd's "mvcc: database space exceeded" on (staging/src/k8s.io/apiserver
// pkg/endpoints/handlers/responsewriters/status.go ErrorToAPIStatus), not a retryable timeout;
// the server stays healthy, reads keep working and nothing stored is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../server/helpers.js';
import { skipWithoutEtcd, startEtcd, type EtcdHandle } from '../support/etcd.js';
import { apiGroup, call, widget, widgets, type TestServer } from './fixture.js';

/** Creates widgets of `bytes` until one fails (at most `max`); the names created, the failure. */
async function fill(s: TestServer, bytes: number, max: number): Promise<{ created: string[]; failure?: { status: number; body: any } }> {
  const created: string[] = [];
  for (let i = 0; i < max; i++) {
    const r = await call(s, 'POST', widgets, widget(`f${i}`, { config: { s: 'x'.repeat(bytes) } }));
    if (r.status !== 201) return { created, failure: r };
    created.push(`f${i}`);
  }
  return { created };
}

/**
 * `maybe`: the write that failed, when the store may have kept it. etcd applies the txn that
 * crosses the quota and only then answers NOSPACE (etcdserver/apply.go quotaApplierV3.Txn),
 * so kube-apiserver answers that write with a 500 although it is stored.
 */
async function expectHealthyWithData(s: TestServer, created: string[], maybe?: string): Promise<void> {
  expect((await s.fetch('/readyz')).status).toBe(200);
  expect((await s.fetch('/livez')).status).toBe(200);
  const list = await call(s, 'GET', widgets);
  expect(list.status).toBe(200);
  const names: string[] = list.body.items.map((o: any) => o.metadata.name);
  const listed = names.filter((n) => n !== maybe).sort();
  expect(listed).toEqual([...created].sort());
  for (const name of created) expect((await call(s, 'GET', `${widgets}/${name}`)).body.spec.config.s.length).toBeGreaterThan(0);
}

describe('sqlite full (PRAGMA max_page_count)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(apiGroup, { args: ['--storage-backend=sqlite'], extras: { sqliteMaxPageCount: 40 } });
  });
  afterAll(async () => s?.stop());

  it('a write that does not fit is 500 with sqlite\'s message; the server stays healthy and keeps its data', async () => {
    const { created, failure } = await fill(s, 8000, 60);
    expect(created.length).toBeGreaterThan(0);
    expect(failure?.status).toBe(500);
    expect(failure?.body).toMatchObject({ kind: 'Status', code: 500, reason: 'InternalError' });
    expect(failure?.body.message).toBe('Internal error occurred: sqlite write failed: database or disk is full');
    await expectHealthyWithData(s, created);
  });
});

const haveEtcd = !skipWithoutEtcd('storage full on etcd3');
describe.runIf(haveEtcd)('etcd3 full (--quota-backend-bytes)', () => {
  let s: TestServer;
  let etcd: EtcdHandle;
  beforeAll(async () => {
    etcd = await startEtcd({ args: ['--quota-backend-bytes=2097152'] });
    s = await startTestServer(apiGroup, { args: ['--storage-backend=etcd3', '--etcd-servers', etcd.endpoint] });
  });
  afterAll(async () => {
    await s?.stop();
    await etcd?.stop();
  });

  it("a write past etcd's quota is 500 with etcd's message; the server stays healthy and keeps its data", async () => {
    const { created, failure } = await fill(s, 200_000, 40);
    expect(created.length).toBeGreaterThan(0);
    expect(failure?.status).toBe(500);
    expect(failure?.body.message).toBe('Internal error occurred: etcdserver: mvcc: database space exceeded');
    await expectHealthyWithData(s, created, `f${created.length}`);
  });
});
