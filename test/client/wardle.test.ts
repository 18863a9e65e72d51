// The clientset committed in examples/wardle (src/generated/client) against the running wardle
// server, on sqlite and etcd3 (issue 5): CRUD in both versions of Flunder, watch events in
// order, typed errors, pagination over 1000 objects, an informer that converges after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  loadKubeConfig,
  type ApiError,
} from '../../src/runtime/index.js';
import type * as generated from '../../examples/wardle/src/generated/client/index.js';
import type * as v1alpha1 from '../../examples/wardle/src/generated/apis/wardle.example.com/v1alpha1/types.js';
import { skipWithoutEtcd, startEtcd, type EtcdHandle } from '../support/etcd.js';
import { repoRoot, startExample, type RunningServer } from '../support/example-server.js';

const haveEtcd = !skipWithoutEtcd('the wardle typed-client suite on etcd3');

type ClientModule = typeof generated;

/** The generated clientset as the example's build emitted it (startExample builds it). */
async function clientModule(): Promise<ClientModule> {
  return (await import(`${repoRoot}/examples/wardle/dist/generated/client/index.js`)) as ClientModule;
}

const flunder = (name: string, spec: v1alpha1.Flunder['spec'] = {}): v1alpha1.Flunder => ({
  apiVersion: 'wardle.example.com/v1alpha1',
  kind: 'Flunder',
  metadata: { name },
  spec,
});

function failure(p: Promise<unknown>): Promise<ApiError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as ApiError,
  );
}

for (const backend of [
  { name: 'sqlite', run: true },
  { name: 'etcd3', run: haveEtcd },
]) {
  describe.runIf(backend.run)(`wardle's generated clientset on ${backend.name}`, () => {
    let server: RunningServer;
    let etcd: EtcdHandle | undefined;
    let args: string[];
    let mod: ClientModule;
    let client: generated.Clientset;

    beforeAll(async () => {
      args = ['--storage-backend', backend.name];
      if (backend.name === 'etcd3') {
        etcd = await startEtcd();
        args.push('--etcd-servers', etcd.endpoint);
      }
      server = await startExample('wardle', { args });
      mod = await clientModule();
      client = mod.createClient(await loadKubeConfig(server.kubeconfig));
    });
    afterAll(async () => {
      await server?.stop();
      await etcd?.stop();
    });

    it('CRUD in both versions: written as v1alpha1, read and updated as v1beta1', async () => {
      const alpha = client.v1alpha1.flunders('crud');
      const beta = client.v1beta1.flunders('crud');
      const created = await alpha.create(flunder('f1', { reference: 'fish', referenceType: 'Fischer' }));
      expect(created.metadata.generation).toBe(1);
      const read = await beta.get('f1');
      expect(read.apiVersion).toBe('wardle.example.com/v1beta1');
      expect(read.spec).toEqual({ fischerReference: 'fish', referenceType: 'Fischer' });

      const updated = await beta.update({ ...read, spec: { flunderReference: 'other', referenceType: 'Flunder' } });
      expect(updated.metadata.generation).toBe(2);
      expect((await alpha.get('f1')).spec).toEqual({ reference: 'other', referenceType: 'Flunder' });

      const fischers = client.v1alpha1.fischers();
      await fischers.create({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'Fischer', metadata: { name: 'fi1' }, disallowedFlunders: ['banned'] });
      expect((await fischers.list()).items.map((f) => f.metadata.name)).toContain('fi1');

      await beta.delete('f1');
      expect(isNotFound(await failure(alpha.get('f1')))).toBe(true);
    });

    it('typed errors: AlreadyExists, Conflict, Invalid with causes, Forbidden from BanFlunder', async () => {
      const alpha = client.v1alpha1.flunders('errors');
      const f = await alpha.create(flunder('e1'));
      expect(isAlreadyExists(await failure(alpha.create(flunder('e1'))))).toBe(true);
      await alpha.update({ ...f, metadata: { ...f.metadata, labels: { touched: 'yes' } } });
      expect(isConflict(await failure(alpha.update(f)))).toBe(true); // f carries the old resourceVersion

      const invalid = await failure(
        client.v1beta1.flunders('errors').create({
          apiVersion: 'wardle.example.com/v1beta1',
          kind: 'Flunder',
          metadata: { name: 'both' },
          spec: { fischerReference: 'a', flunderReference: 'b', referenceType: 'Fischer' },
        }),
      );
      expect(isInvalid(invalid)).toBe(true);
      expect(invalid.causes.map((c) => c.field)).toEqual(['spec.fischerReference']);

      // examples/wardle's BanFlunder: the Fischer of the previous test disallows "banned".
      const banned = await failure(alpha.create(flunder('banned')));
      expect(isForbidden(banned)).toBe(true);
      expect(banned.message).toBe('flunders.wardle.example.com "banned" is forbidden: this name may not be used, please change the resource name');
    });

    it('watch: ADDED, MODIFIED, DELETED in order', async () => {
      const flunders = client.v1beta1.flunders('watch');
      const start = await flunders.list();
      const w = flunders.watch({ resourceVersion: start.metadata.resourceVersion });
      await w.opened;
      await client.v1alpha1.flunders('watch').create(flunder('w1'));
      await flunders.patch('w1', { metadata: { labels: { step: 'two' } } }, { type: 'merge' });
      await flunders.delete('w1');
      const seen: string[] = [];
      for await (const e of w) {
        if (e.type === 'BOOKMARK') continue;
        seen.push(`${e.type} ${e.object.metadata.name}`);
        if (e.type === 'DELETED') break;
      }
      expect(seen).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
    });

    it('pagination: listAll walks 1000 flunders in pages', async () => {
      const flunders = client.v1alpha1.flunders('paging');
      const names = Array.from({ length: 1000 }, (_, i) => `p${String(i).padStart(4, '0')}`);
      for (let i = 0; i < names.length; i += 50) {
        await Promise.all(names.slice(i, i + 50).map((n) => flunders.create(flunder(n))));
      }
      const firstPage = await flunders.list({ limit: 300 });
      expect(firstPage.items).toHaveLength(300);
      expect(firstPage.metadata.continue).toBeTruthy();
      const all: string[] = [];
      for await (const f of flunders.listAll({ limit: 300 })) all.push(f.metadata.name!);
      expect(all).toEqual(names);
    }, 120_000);

    it('the generated informer converges after the server restarts', async () => {
      const alpha = client.v1alpha1.flunders('informer');
      await alpha.create(flunder('i1'));
      const informer = mod.createFlunderInformer(client, { namespace: 'informer', initialBackoffMs: 100, maxBackoffMs: 500 });
      await informer.start();
      expect(informer.lister.list().map((o) => o.metadata.name)).toEqual(['i1']);

      const port = server.port;
      await server.stop();
      server = await startExample('wardle', { args: [...args, '--secure-port', String(port)], dataDir: server.dataDir });
      const after = mod.createClient(await loadKubeConfig(server.kubeconfig)).v1alpha1.flunders('informer');
      await after.create(flunder('i2'));
      await after.delete('i1');
      await expect
        .poll(() => informer.lister.list().map((o) => o.metadata.name), { timeout: 30_000, interval: 200 })
        .toEqual(['i2']);
      await informer.stop();
      client = mod.createClient(await loadKubeConfig(server.kubeconfig));
    }, 120_000);
  });
}
