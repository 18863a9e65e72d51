// The sqlite backend, the embedded default: one file, a revision log in the manner of kine
// (k3s-io/kine pkg/drivers/generic/generic.go, pkg/logstructured/sqllog/sql.go).
//
// Every write appends one row whose id is the write's revision:
//   name, created (1 for a create), deleted (1 for a tombstone), create_revision,
//   prev_revision (the id of the row this write supersedes, 0 for a first create),
//   value (new value; for a tombstone the last value), old_value (the value replaced).
// UNIQUE (name, prev_revision) means two writes can never both succeed from the same previous
// revision, so compare-and-swap holds even if the read-check-insert ever raced.
//
// Durability: WAL with synchronous=FULL, so a resolved write survives a crash or power loss.
// The file is opened with locking_mode=EXCLUSIVE: one process owns it, which is also why watch
// can be pushed in-process from the write path (no polling) and see every write.
// Revisions survive restart: the counter is sqlite's AUTOINCREMENT sequence, never reused.
//
// Compaction (periodic, see compactor.ts): keeps every row at or after the compacted revision
// and, before it, the newest non-deleted row per key; the compacted revision is kept in `meta`.

import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { startCompactor } from './compactor.js';
import type { CompactionPolicy, Compactor } from './compactor.js';
import { checkCompactRevision, checkKey, checkListRevision, checkWatchRevision, pageResult } from './common.js';
import { StorageError } from './interface.js';
import type {
  KeyValue,
  ListOptions,
  ListResult,
  Storage,
  StorageEvent,
  WatchHandlers,
  WatchOptions,
  Watcher,
} from './interface.js';
import { WatchHub } from './watch-hub.js';

export interface SqliteStorageOptions extends CompactionPolicy {
  /** Path of the database file (created with its directory when absent). */
  readonly file: string;
  /** PRAGMA max_page_count: caps the database's size (tests of a full store). */
  readonly maxPageCount?: number;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
  old_value: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  old_value TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/**
 * The database and its WAL and shared-memory files are 0600, as etcd keeps its data files.
 * SQLite creates the -wal and -shm files with the mode of the database file, so the database
 * is created 0600 before SQLite opens it; files an earlier version left wider are narrowed.
 */
function makePrivate(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export function createSqliteStorage(opts: SqliteStorageOptions): Storage {
  return new SqliteStorage(opts);
}

class SqliteStorage implements Storage {
  readonly backend = 'sqlite';
  private readonly db: Database.Database;
  private readonly hub = new WatchHub();
  private readonly compactor: Compactor;
  private revision: number;
  private compacted: number;
  private closed = false;
  private readonly stmt: ReturnType<SqliteStorage['prepare']>;

  constructor(opts: SqliteStorageOptions) {
    try {
      if (opts.file !== ':memory:') makePrivate(opts.file);
      // No busy waiting: the file has one owner (see locking_mode below); contention means a second owner.
      this.db = new Database(opts.file, { timeout: 0 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('locking_mode = EXCLUSIVE');
      // Take the file's lock now (kept until close), so a second owner fails here, at once.
      this.db.exec('BEGIN EXCLUSIVE; COMMIT');
      this.db.exec(SCHEMA);
      if (opts.maxPageCount !== undefined) this.db.pragma(`max_page_count = ${Math.floor(opts.maxPageCount)}`);
      // An empty store is at revision 1, like an empty etcd: seed the AUTOINCREMENT sequence.
      this.db
        .prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'kine', 1 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'kine')`)
        .run();
    } catch (e) {
      const busy = (e as { code?: string }).code?.startsWith('SQLITE_BUSY') ?? false;
      const hint = busy ? ' (another process has it open: is a second server using this data dir?)' : '';
      throw new StorageError('Unavailable', `cannot open sqlite database ${opts.file}: ${(e as Error).message}${hint}`);
    }
    this.stmt = this.prepare();
    this.revision = (this.stmt.sequence.get() as { seq: number }).seq;
    this.compacted = (this.stmt.getMeta.get('compact_revision') as { value: number } | undefined)?.value ?? 0;
    this.compactor = startCompactor(this, opts);
  }

  private prepare() {
    const db = this.db;
    return {
      sequence: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kine'`),
      getMeta: db.prepare(`SELECT value FROM meta WHERE key = ?`),
      setMeta: db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      latest: db.prepare(`SELECT * FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
      insert: db.prepare(
        `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value, old_value)
         VALUES (@name, @created, @deleted, @create_revision, @prev_revision, @value, @old_value)`,
      ),
      // The newest row per key at or before a revision, within a key range (kine's listSQL).
      list: db.prepare(
        `SELECT k.* FROM kine k JOIN (
           SELECT MAX(id) AS mid FROM kine
           WHERE name >= @from AND name < @to AND name > @after AND id <= @rev GROUP BY name
         ) m ON k.id = m.mid
         WHERE k.deleted = 0 ORDER BY k.name`,
      ),
      listUnbounded: db.prepare(
        `SELECT k.* FROM kine k JOIN (
           SELECT MAX(id) AS mid FROM kine
           WHERE name >= @from AND name > @after AND id <= @rev GROUP BY name
         ) m ON k.id = m.mid
         WHERE k.deleted = 0 ORDER BY k.name`,
      ),
      since: db.prepare(`SELECT * FROM kine WHERE id > @after AND name >= @from AND name < @to ORDER BY id`),
      sinceUnbounded: db.prepare(`SELECT * FROM kine WHERE id > @after AND name >= @from ORDER BY id`),
      // Rows superseded at or before the compaction revision, and tombstones before it.
      compactSuperseded: db.prepare(
        `DELETE FROM kine WHERE id < @rev AND EXISTS (
           SELECT 1 FROM kine newer WHERE newer.name = kine.name AND newer.id > kine.id AND newer.id <= @rev)`,
      ),
      compactTombstones: db.prepare(`DELETE FROM kine WHERE id < @rev AND deleted = 1`),
    };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    checkKey(key);
    const row = this.write(key, (latest) => {
      if (latest && !latest.deleted) throw new StorageError('KeyExists', `key ${key} already exists`, { key });
      return { created: 1, deleted: 0, create_revision: 0, prev_revision: latest?.id ?? 0, value, old_value: null };
    });
    return toKeyValue(row);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.stmt.latest.get(key) as Row | undefined;
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const row = this.write(key, (latest) => {
      const cur = existing(key, latest, expectedModRevision);
      return { created: 0, deleted: 0, create_revision: createRevisionOf(cur), prev_revision: cur.id, value, old_value: cur.value };
    });
    return toKeyValue(row);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const row = this.write(key, (latest) => {
      const cur = existing(key, latest, expectedModRevision);
      return { created: 0, deleted: 1, create_revision: createRevisionOf(cur), prev_revision: cur.id, value: cur.value, old_value: cur.value };
    });
    return toKeyValue(row);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const rev = checkListRevision(opts.revision, this.revision, this.compacted);
    const to = prefixEnd(prefix);
    const params = { from: prefix, to, after: opts.startAfter ?? '', rev };
    const rows = (to === undefined ? this.stmt.listUnbounded.all(params) : this.stmt.list.all(params)) as Row[];
    return pageResult(rows.map(toKeyValue), rev, opts.limit);
  }

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    if (this.closed) return WatchHub.failed(handlers, closedError());
    const err = checkWatchRevision(opts.afterRevision, this.compacted);
    if (err) return WatchHub.failed(handlers, err);
    // Backlog and registration happen in one synchronous turn: no write can fall in between.
    let backlog: StorageEvent[] = [];
    if (opts.afterRevision < this.revision) {
      const to = prefixEnd(prefix);
      const params = { after: opts.afterRevision, from: prefix, to };
      const rows = (to === undefined ? this.stmt.sinceUnbounded.all(params) : this.stmt.since.all(params)) as Row[];
      backlog = rows.map(toEvent);
    }
    return this.hub.add(prefix, opts.afterRevision, backlog, handlers);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    checkCompactRevision(revision, this.revision);
    if (revision <= this.compacted) return;
    this.db.transaction(() => {
      this.stmt.compactSuperseded.run({ rev: revision });
      this.stmt.compactTombstones.run({ rev: revision });
      this.stmt.setMeta.run('compact_revision', revision);
    })();
    this.compacted = revision;
  }

  async ping(): Promise<void> {
    this.checkOpen();
    this.stmt.sequence.get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    this.hub.closeAll(closedError());
    this.db.close();
  }

  /** Read the key's newest row, let `next` check it and build the new row, append it: one transaction. */
  private write(key: string, next: (latest: Row | undefined) => Omit<Row, 'id' | 'name'>): Row {
    const tx = this.db.transaction((): Row => {
      const latest = this.stmt.latest.get(key) as Row | undefined;
      const fields = next(latest);
      const info = this.stmt.insert.run({ name: key, ...fields });
      const id = Number(info.lastInsertRowid);
      return { id, name: key, ...fields, create_revision: fields.created ? id : fields.create_revision };
    });
    let row: Row;
    try {
      row = tx.immediate();
    } catch (e) {
      if (e instanceof StorageError) throw e;
      if (isUniqueViolation(e)) throw new StorageError('Conflict', `key ${key} was modified concurrently`, { key });
      // A full disk (or max_page_count) is no outage to retry: a 500 with sqlite's message,
      // as kube-apiserver answers etcd's "database space exceeded".
      if ((e as { code?: string }).code === 'SQLITE_FULL') throw new StorageError('Internal', `sqlite write failed: ${(e as Error).message}`, { key });
      throw new StorageError('Unavailable', `sqlite write failed: ${(e as Error).message}`, { key });
    }
    this.revision = row.id;
    this.hub.publish([toEvent(row)]);
    return row;
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }
}

function existing(key: string, latest: Row | undefined, expectedModRevision: number | undefined): Row {
  if (!latest || latest.deleted) throw new StorageError('KeyNotFound', `key ${key} not found`, { key });
  if (expectedModRevision !== undefined && latest.id !== expectedModRevision) {
    throw new StorageError('Conflict', `key ${key} was modified: expected revision ${expectedModRevision}, found ${latest.id}`, {
      key,
      revision: latest.id,
    });
  }
  return latest;
}

/** A create row stores create_revision 0 (its id is unknown before insert): it is its own id. */
function createRevisionOf(row: Row): number {
  return row.created ? row.id : row.create_revision;
}

function toKeyValue(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: createRevisionOf(row), modRevision: row.id };
}

function toEvent(row: Row): StorageEvent {
  const base = { key: row.name, value: row.value, revision: row.id, createRevision: createRevisionOf(row) };
  if (row.deleted) return { type: 'delete', ...base, prevModRevision: row.prev_revision };
  if (row.created) return { type: 'put', ...base };
  return { type: 'put', ...base, prevValue: row.old_value ?? undefined, prevModRevision: row.prev_revision };
}

/** The smallest string greater than every string starting with `prefix` (undefined: none). */
function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}
