// etcd over TLS with client certificates, as etcd runs in a cluster (--client-cert-auth): the
// storage conformance suite through the flags kube-apiserver names (--etcd-cafile,
// --etcd-certfile, --etcd-keyfile; k8s.io/apiserver pkg/server/options/etcd.go), the errors a
// missing client certificate or CA gives, and a whole server on such an etcd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcd3Storage } from '../../src/runtime/storage/etcd3.js';
import { openStorage } from '../../src/runtime/storage/index.js';
import { StorageError } from '../../src/runtime/storage/interface.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer } from '../server/helpers.js';
import { skipWithoutEtcd, startEtcd } from '../support/etcd.js';
import type { EtcdHandle } from '../support/etcd.js';
import { runStorageConformance } from './conformance.js';

const skip = skipWithoutEtcd('etcd3 over TLS tests');
let etcd: EtcdHandle | undefined;
beforeAll(async () => {
  if (!skip) etcd = await startEtcd({ tls: true });
});
afterAll(async () => {
  await etcd?.stop();
});

runStorageConformance(
  'etcd3 over TLS with a client certificate',
  async () => createEtcd3Storage({ endpoints: [etcd!.endpoint], compactInterval: 0, tls: { ca: etcd!.tls!.ca, cert: etcd!.tls!.cert, key: etcd!.tls!.key } }),
  { skip },
);

describe.skipIf(skip)('etcd3 over TLS: what goes wrong', () => {
  const refused = async (tls: { ca?: string; cert?: string; key?: string }): Promise<StorageError> => {
    const err = await openStorage({ backend: 'etcd3', etcdServers: [etcd!.endpoint], etcdTls: tls }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  };

  it('without the client certificate etcd asks for: Unavailable, saying so', async () => {
    const err = await refused({ ca: etcd!.tls!.ca });
    expect(err.code).toBe('Unavailable');
    expect(err.message).toMatch(/storage backend etcd3 is not reachable: .*the server refused our TLS client certificate, or wants one and got none/);
    expect(err.message).toMatch(/see --etcd-cafile, --etcd-certfile and --etcd-keyfile/);
  });

  it('without the CA that signed etcd’s certificate: Unavailable, saying why', async () => {
    const err = await refused({ cert: etcd!.tls!.cert, key: etcd!.tls!.key });
    expect(err.code).toBe('Unavailable');
    expect(err.message).toMatch(/storage backend etcd3 is not reachable: .*the server's TLS certificate is not trusted/);
  });
});

describe.skipIf(skip)('a server on etcd over TLS', () => {
  it('starts with --etcd-cafile/--etcd-certfile/--etcd-keyfile and serves from it', async () => {
    const t = etcd!.tls!;
    const s = await startTestServer(wardleGroup, {
      args: ['--storage-backend=etcd3', `--etcd-servers=${etcd!.endpoint}`, `--etcd-cafile=${t.caFile}`, `--etcd-certfile=${t.certFile}`, `--etcd-keyfile=${t.keyFile}`],
    });
    try {
      const path = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
      const created = await s.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name: 'over-tls' } }),
      });
      expect(created.status).toBe(201);
      const got = await s.fetch(`${path}/over-tls`);
      expect(got.status).toBe(200);
      expect(JSON.parse(got.body).metadata.name).toBe('over-tls');
    } finally {
      await s.stop();
    }
  });

  it('a client key file that cannot be read stops the start with the flag and path', async () => {
    const t = etcd!.tls!;
    await expect(
      startTestServer(wardleGroup, {
        args: ['--storage-backend=etcd3', `--etcd-servers=${etcd!.endpoint}`, `--etcd-cafile=${t.caFile}`, `--etcd-certfile=${t.certFile}`, '--etcd-keyfile=/nonexistent/client.key'],
      }),
    ).rejects.toThrow(/cannot read --etcd-keyfile \/nonexistent\/client.key/);
  });
});
