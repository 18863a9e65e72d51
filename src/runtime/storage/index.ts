// Opening the configured storage backend. Keys are passed through as the registry builds them
// (`<prefix>/<group>/<resource>/<namespace>/<name>`, prefix default /registry): the etcd
// prefix is already part of every key, so no backend adds it again.

import { join } from 'node:path';
import type { TlsClientOptions } from './etcd/h2.js';
import { createEtcd3Storage } from './etcd3.js';
import { StorageError } from './interface.js';
import type { Storage } from './interface.js';
import { createMemoryStorage } from './memory.js';
import { createSqliteStorage } from './sqlite.js';
import { defaultMaxObjectBytes, withObjectSizeLimit } from './size-limit.js';

export type StorageBackendName = 'memory' | 'sqlite' | 'etcd3';

export interface StorageConfig {
  readonly backend: StorageBackendName;
  /** sqlite: the database is `<dataDir>/aa-gen.db`. */
  readonly dataDir?: string;
  /** etcd3: client URLs. */
  readonly etcdServers?: readonly string[];
  /** etcd3 over https://: the CAs to trust and a client certificate, as PEM text. */
  readonly etcdTls?: TlsClientOptions;
  /** The key prefix the registry uses (default /registry); informational here, see above. */
  readonly etcdPrefix?: string;
  /** The largest value a write may store (size-limit.ts); default etcd's 1.5 MiB. */
  readonly maxObjectBytes?: number;
  /** sqlite: PRAGMA max_page_count (a test knob). */
  readonly sqliteMaxPageCount?: number;
}

export const SQLITE_FILE_NAME = 'aa-gen.db';

/** Open the backend and check it answers (ping); a backend that cannot serve is `Unavailable`. */
export async function openStorage(cfg: StorageConfig): Promise<Storage> {
  let storage: Storage;
  switch (cfg.backend) {
    case 'memory':
      storage = createMemoryStorage();
      break;
    case 'sqlite':
      if (!cfg.dataDir) throw new StorageError('Unavailable', 'the sqlite storage backend needs a data dir (--data-dir)');
      storage = createSqliteStorage({ file: join(cfg.dataDir, SQLITE_FILE_NAME), maxPageCount: cfg.sqliteMaxPageCount });
      break;
    case 'etcd3':
      if (!cfg.etcdServers || cfg.etcdServers.length === 0) {
        throw new StorageError('Unavailable', 'the etcd3 storage backend needs at least one server (--etcd-servers)');
      }
      storage = createEtcd3Storage({ endpoints: cfg.etcdServers, tls: cfg.etcdTls });
      break;
    default:
      throw new StorageError('Internal', `unknown storage backend ${String((cfg as { backend: unknown }).backend)}: use memory, sqlite or etcd3`);
  }
  try {
    await storage.ping();
  } catch (e) {
    await storage.close().catch(() => undefined);
    const detail = e instanceof Error ? e.message : String(e);
    const hint = cfg.backend === 'etcd3' && /TLS/.test(detail) ? ' (see --etcd-cafile, --etcd-certfile and --etcd-keyfile)' : '';
    throw new StorageError('Unavailable', `storage backend ${cfg.backend} is not reachable: ${detail}${hint}`);
  }
  return withObjectSizeLimit(storage, cfg.maxObjectBytes ?? defaultMaxObjectBytes);
}

export { createMemoryStorage } from './memory.js';
export { createSqliteStorage } from './sqlite.js';
export { createEtcd3Storage } from './etcd3.js';
export { createCachedStorage } from './cacher.js';
export { defaultMaxObjectBytes, withObjectSizeLimit } from './size-limit.js';
export type { CachedStorage, CacherOptions } from './cacher.js';
export type { MemoryStorageOptions } from './memory.js';
export type { SqliteStorageOptions } from './sqlite.js';
export type { Etcd3StorageOptions } from './etcd3.js';
export type { TlsClientOptions } from './etcd/h2.js';
export type { CompactionPolicy } from './compactor.js';
