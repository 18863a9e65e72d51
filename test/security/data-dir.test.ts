// Hygiene of the data dir: every file the server writes there is 0600 (the sqlite database, its
// WAL and shared-memory files, keys, certificates, the admin kubeconfig), and a data dir that
// others can enter is reported at start, as etcd reports it (client/pkg/fileutil
// CheckDirPermission, PrivateFileMode/PrivateDirMode).
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startExample } from '../support/example-server.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('data dir permissions (etcd fileutil: 0600 files, 0700 dirs)', () => {
  it('writes every file 0600 into an existing 0755 data dir, narrows an old 0644 database, and warns about the dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-perm-'));
    dirs.push(dataDir);
    chmodSync(dataDir, 0o755);
    // A database left world-readable by an earlier version.
    writeFileSync(join(dataDir, 'aa-gen.db'), '', { mode: 0o644 });
    chmodSync(join(dataDir, 'aa-gen.db'), 0o644);

    const server = await startExample('wardle', { dataDir, args: ['--storage-backend', 'sqlite'] });
    try {
      const files = filesUnder(dataDir);
      // The database, its WAL, the CA, serving and admin pairs and the kubeconfig at least.
      expect(files.map((f) => f.slice(dataDir.length + 1)).sort()).toEqual(
        expect.arrayContaining(['aa-gen.db', 'aa-gen.db-wal', 'admin.kubeconfig', 'certs/ca.crt', 'certs/ca.key']),
      );
      const wide = files.filter((f) => modeOf(f) !== 0o600).map((f) => `${f} ${modeOf(f).toString(8)}`);
      expect(wide).toEqual([]);
      expect(modeOf(join(dataDir, 'certs'))).toBe(0o700);
      const warning = `check file permission: directory "${dataDir}" exist, but the permission is "drwxr-xr-x". The recommended permission is "drwx------"`;
      expect(server.output()).toContain(JSON.stringify(warning).slice(1, -1)); // a JSON log line
    } finally {
      await server.stop();
    }
  });

  it('says nothing about a 0700 data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-perm-'));
    dirs.push(dataDir);
    chmodSync(dataDir, 0o700);
    const server = await startExample('wardle', { dataDir, args: ['--storage-backend', 'sqlite'] });
    try {
      expect(server.output()).not.toContain('check file permission');
      expect(filesUnder(dataDir).filter((f) => modeOf(f) !== 0o600)).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
