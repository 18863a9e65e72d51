// The memory backend: an MVCC revision log held in process memory, for tests and throwaway
// demos. It follows etcd's semantics so the same conformance suite holds for every backend:
// - the store starts at revision 1 (like an empty etcd) and every write adds one;
// - each key keeps its versions (tombstones included) so a list can read any revision not yet
//   compacted; compact(R) keeps, per key, the version visible at R and everything newer;
// - the event log keeps every write at or after the compacted revision, so a watch can resume
//   from afterRevision >= compacted - 1 (etcd: start revision >= compact revision).
// Nothing survives the process.

import { startCompactor } from './compactor.js';
import type { CompactionPolicy, Compactor } from './compactor.js';
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
import { checkCompactRevision, checkKey, checkListRevision, checkWatchRevision, lowerBound, pageResult } from './common.js';
import { WatchHub } from './watch-hub.js';

export type MemoryStorageOptions = CompactionPolicy;

interface Version {
  readonly modRevision: number;
  readonly createRevision: number;
  readonly value: string;
  readonly deleted: boolean;
}

export function createMemoryStorage(opts: MemoryStorageOptions = {}): Storage {
  return new MemoryStorage(opts);
}

class MemoryStorage implements Storage {
  readonly backend = 'memory';
  private revision = 1;
  private compacted = 0;
  /** Versions per key, oldest first; the last one is the current state (maybe a tombstone). */
  private readonly history = new Map<string, Version[]>();
  /** Every key with history, sorted, for prefix scans. */
  private sortedKeys: string[] = [];
  /** Writes with revision >= compacted, in revision order. */
  private log: StorageEvent[] = [];
  private readonly hub = new WatchHub();
  private readonly compactor: Compactor;
  private closed = false;

  constructor(opts: MemoryStorageOptions) {
    this.compactor = startCompactor(this, opts);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    checkKey(key);
    const latest = this.latest(key);
    if (latest && !latest.deleted) throw new StorageError('KeyExists', `key ${key} already exists`, { key });
    const rev = ++this.revision;
    const version: Version = { modRevision: rev, createRevision: rev, value, deleted: false };
    this.append(key, version, { type: 'put', key, value, revision: rev, createRevision: rev });
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const latest = this.latest(key);
    if (!latest || latest.deleted) return undefined;
    return toKeyValue(key, latest);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.existing(key, expectedModRevision);
    const rev = ++this.revision;
    const version: Version = { modRevision: rev, createRevision: latest.createRevision, value, deleted: false };
    this.append(key, version, {
      type: 'put',
      key,
      value,
      prevValue: latest.value,
      revision: rev,
      createRevision: latest.createRevision,
      prevModRevision: latest.modRevision,
    });
    return toKeyValue(key, version);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.existing(key, expectedModRevision);
    const rev = ++this.revision;
    const tombstone: Version = { modRevision: rev, createRevision: latest.createRevision, value: latest.value, deleted: true };
    this.append(key, tombstone, {
      type: 'delete',
      key,
      value: latest.value,
      revision: rev,
      createRevision: latest.createRevision,
      prevModRevision: latest.modRevision,
    });
    return toKeyValue(key, tombstone);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const at = checkListRevision(opts.revision, this.revision, this.compacted);
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    let i = from === undefined ? lowerBound(this.sortedKeys, prefix) : lowerBound(this.sortedKeys, from);
    const items: KeyValue[] = [];
    for (; i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i];
      if (!key.startsWith(prefix)) break;
      if (from !== undefined && key <= from) continue;
      const v = visibleAt(this.history.get(key)!, at);
      if (v && !v.deleted) items.push(toKeyValue(key, v));
    }
    return pageResult(items, at, opts.limit);
  }

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    if (this.closed) return WatchHub.failed(handlers, closedError());
    const err = checkWatchRevision(opts.afterRevision, this.compacted);
    if (err) return WatchHub.failed(handlers, err);
    const start = lowerBoundByRevision(this.log, opts.afterRevision + 1);
    return this.hub.add(prefix, opts.afterRevision, this.log.slice(start), handlers);
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
    const survivors: string[] = [];
    for (const key of this.sortedKeys) {
      const versions = this.history.get(key)!;
      // Keep the version visible at `revision` (unless it is a tombstone) and all newer ones.
      let keepFrom = versions.length;
      for (let j = versions.length - 1; j >= 0; j--) {
        keepFrom = j;
        if (versions[j].modRevision <= revision) break;
      }
      let kept = versions.slice(keepFrom);
      if (kept.length > 0 && kept[0].modRevision <= revision && kept[0].deleted) kept = kept.slice(1);
      if (kept.length === 0) {
        this.history.delete(key);
      } else {
        this.history.set(key, kept);
        survivors.push(key);
      }
    }
    this.sortedKeys = survivors;
    this.log = this.log.slice(lowerBoundByRevision(this.log, revision));
    this.compacted = revision;
  }

  async ping(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    this.hub.closeAll(closedError());
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }

  private latest(key: string): Version | undefined {
    const versions = this.history.get(key);
    return versions?.[versions.length - 1];
  }

  /** The live version of `key`, checked against `expectedModRevision` when given. */
  private existing(key: string, expectedModRevision: number | undefined): Version {
    const latest = this.latest(key);
    if (!latest || latest.deleted) throw new StorageError('KeyNotFound', `key ${key} not found`, { key });
    if (expectedModRevision !== undefined && latest.modRevision !== expectedModRevision) {
      throw new StorageError(
        'Conflict',
        `key ${key} was modified: expected revision ${expectedModRevision}, found ${latest.modRevision}`,
        { key, revision: latest.modRevision },
      );
    }
    return latest;
  }

  private append(key: string, version: Version, event: StorageEvent): void {
    let versions = this.history.get(key);
    if (!versions) {
      versions = [];
      this.history.set(key, versions);
      this.sortedKeys.splice(lowerBound(this.sortedKeys, key), 0, key);
    }
    versions.push(version);
    this.log.push(event);
    this.hub.publish([event]);
  }
}

function toKeyValue(key: string, v: Version): KeyValue {
  return { key, value: v.value, createRevision: v.createRevision, modRevision: v.modRevision };
}

/** The newest version with modRevision <= `revision`. */
function visibleAt(versions: readonly Version[], revision: number): Version | undefined {
  for (let j = versions.length - 1; j >= 0; j--) {
    if (versions[j].modRevision <= revision) return versions[j];
  }
  return undefined;
}

/** Index of the first event with revision >= `revision`. */
function lowerBoundByRevision(log: readonly StorageEvent[], revision: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid].revision < revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}
