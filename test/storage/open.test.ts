// openStorage: the --storage-backend switch the server calls.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/runtime/storage/index.js';
import { isStorageError } from '../../src/runtime/storage/interface.js';
import { skipWithoutEtcd, startEtcd } from '../support/etcd.js';

const dir = mkdtempSync(join(tmpdir(), 'aa-gen-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStorage', () => {
  it('memory', async () => {
    const s = await openStorage({ backend: 'memory' });
    expect(s.backend).toBe('memory');
    await s.close();
  });

  it('sqlite keeps <dataDir>/aa-gen.db and reopens it with the same data', async () => {
    const dataDir = join(dir, 'data');
    const s = await openStorage({ backend: 'sqlite', dataDir });
    const kv = await s.create('/registry/g/r/ns/a', '{}');
    await s.close();
    expect(existsSync(join(dataDir, 'aa-gen.db'))).toBe(true);
    const again = await openStorage({ backend: 'sqlite', dataDir });
    expect(await again.get('/registry/g/r/ns/a')).toEqual(kv);
    await again.close();
  });

  it('refuses a config it cannot serve, with an actionable message', async () => {
    await expect(openStorage({ backend: 'sqlite' })).rejects.toThrow(/--data-dir/);
    await expect(openStorage({ backend: 'etcd3' })).rejects.toThrow(/--etcd-servers/);
    const err = await openStorage({ backend: 'etcd3', etcdServers: ['http://127.0.0.1:1'] }).catch((e: unknown) => e);
    expect(isStorageError(err, 'Unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/not reachable/);
  });

  it.skipIf(skipWithoutEtcd('openStorage etcd3 test'))('etcd3 passes keys through unchanged', async () => {
    const etcd = await startEtcd();
    try {
      const s = await openStorage({ backend: 'etcd3', etcdServers: [etcd.endpoint], etcdPrefix: '/registry' });
      await s.create('/registry/g/r/ns/a', 'x');
      expect((await s.list('/registry/')).items.map((i) => i.key)).toEqual(['/registry/g/r/ns/a']);
      await s.close();
    } finally {
      await etcd.stop();
    }
  });
});
