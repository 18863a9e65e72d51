// Every backend caps the stored size of an object as etcd caps a request (etcd
// --max-request-bytes, 1.5 MiB by default; --storage-max-object-bytes changes it here), with
// a 413 Status naming the limit, also for writes whose small body makes a big object (patches).
// On etcd3, etcd's own "etcdserver: request is too large" (which kube-apiserver passes on,
// handlers/rest.go isTooLargeError) is the same 413.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatusShape } from '../server/helpers.js';
import { skipWithoutEtcd, startEtcd, type EtcdHandle } from '../support/etcd.js';
import { call, patchTypes, startDemo, widget, widgets, type TestServer } from './fixture.js';

const limit = 64 * 1024;
const haveEtcd = !skipWithoutEtcd('the object size limit on etcd3');

for (const backend of [
  { name: 'memory', run: true },
  { name: 'sqlite', run: true },
  { name: 'etcd3', run: haveEtcd },
]) {
  describe.runIf(backend.run)(`object size limit on ${backend.name}`, () => {
    let s: TestServer;
    let etcd: EtcdHandle | undefined;
    beforeAll(async () => {
      const args = ['--storage-backend', backend.name, `--storage-max-object-bytes=${limit}`];
      if (backend.name === 'etcd3') {
        etcd = await startEtcd();
        args.push('--etcd-servers', etcd.endpoint);
      }
      s = await startDemo(args);
      expect((await call(s, 'POST', widgets, widget('small', { config: { s: 'x'.repeat(40_000) } }))).status).toBe(201);
    });
    afterAll(async () => {
      await s?.stop();
      await etcd?.stop();
    });

    const tooLarge = (r: { body: any }) => {
      expectStatusShape(r.body, 413, 'RequestEntityTooLarge');
      expect(r.body.message).toMatch(new RegExp(`^Request entity too large: the object is \\d+ bytes when stored, more than the limit of ${limit} bytes$`));
    };

    it('a create over the limit is 413', async () => {
      tooLarge(await call(s, 'POST', widgets, widget('big', { config: { s: 'x'.repeat(70_000) } })));
      expect((await call(s, 'GET', `${widgets}/big`)).status).toBe(404);
    });

    it('an update, a merge patch and a json patch that grow the object over it are 413', async () => {
      const cur = (await call(s, 'GET', `${widgets}/small`)).body;
      tooLarge(await call(s, 'PUT', `${widgets}/small`, { ...cur, spec: { ...cur.spec, config: { s: 'y'.repeat(70_000) } } }));
      tooLarge(await call(s, 'PATCH', `${widgets}/small`, { spec: { config: { t: 'z'.repeat(30_000) } } }, patchTypes.merge));
      // A 60-byte body that doubles the object.
      tooLarge(await call(s, 'PATCH', `${widgets}/small`, [{ op: 'copy', from: '/spec/config/s', path: '/spec/config/t' }], patchTypes.json));
      const after = await call(s, 'GET', `${widgets}/small`);
      expect(Object.keys(after.body.spec.config)).toEqual(['s']);
      expect(after.body.metadata.resourceVersion).toBe(cur.metadata.resourceVersion);
    });

    it('a create or update too large only by its managedFields is stored without them (handlers/create.go, update.go)', async () => {
      const fieldsV1 = { 'f:spec': Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f:k${i}`, {}])) };
      const managedFields = [{ manager: 'big', operation: 'Update', apiVersion: 'demo.example.com/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1 }];
      const created = await call(s, 'POST', widgets, widget('mf', { config: { s: 'x'.repeat(20_000) } }, { managedFields }));
      expect(created.status).toBe(201);
      expect(created.body.metadata.managedFields).toBeUndefined();
      const updated = await call(s, 'PUT', `${widgets}/mf`, { ...created.body, metadata: { ...created.body.metadata, managedFields } });
      expect(updated.status).toBe(200);
      expect(updated.body.metadata.managedFields).toBeUndefined();
      const patched = await call(s, 'PATCH', `${widgets}/mf`, { metadata: { managedFields, labels: { p: 'q' } } }, patchTypes.merge);
      expect(patched.status).toBe(200);
      expect(patched.body.metadata).toMatchObject({ labels: { p: 'q' } });
      expect(patched.body.metadata.managedFields).toBeUndefined();
    });

    it('writes under the limit still work', async () => {
      const r = await call(s, 'PATCH', `${widgets}/small`, { spec: { config: { t: 'z'.repeat(10_000) } } }, patchTypes.merge);
      expect(r.status).toBe(200);
    });
  });
}

describe('default limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startDemo();
  });
  afterAll(async () => s?.stop());

  it("is etcd's 1.5 MiB", async () => {
    const r = await call(s, 'POST', widgets, widget('big', { config: { s: 'x'.repeat(1600 * 1024) } }));
    expectStatusShape(r.body, 413, 'RequestEntityTooLarge');
    expect(r.body.message).toMatch(/more than the limit of 1572864 bytes$/);
    expect((await call(s, 'POST', widgets, widget('fits', { config: { s: 'x'.repeat(1500 * 1024) } }))).status).toBe(201);
  });
});

describe.runIf(haveEtcd)("etcd's own request limit", () => {
  let s: TestServer;
  let etcd: EtcdHandle;
  beforeAll(async () => {
    etcd = await startEtcd({ args: ['--max-request-bytes=262144'] });
    s = await startDemo(['--storage-backend=etcd3', '--etcd-servers', etcd.endpoint, '--storage-max-object-bytes=2000000']);
  });
  afterAll(async () => {
    await s?.stop();
    await etcd?.stop();
  });

  it('a value etcd refuses as too large is 413 with etcd\'s message, and the server stays healthy', async () => {
    const r = await call(s, 'POST', widgets, widget('big', { config: { s: 'x'.repeat(300_000) } }));
    expectStatusShape(r.body, 413, 'RequestEntityTooLarge');
    expect(r.body.message).toBe('Request entity too large: etcdserver: request is too large');
    expect((await call(s, 'POST', widgets, widget('ok'))).status).toBe(201);
    expect((await s.fetch('/readyz')).status).toBe(200);
  });
});
