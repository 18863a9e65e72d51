// The storage contract, after k8s.io/apiserver pkg/storage/interfaces.go but at the key-value
// level (like etcd3's API): the registry store above it deals in objects, this layer in bytes.
//
// MVCC: one global revision counter for the whole store, incremented by every write. An item's
// modRevision is the revision of the write that produced it; the registry uses it as
// metadata.resourceVersion. Keys look like `<prefix>/<group>/<resource>/<namespace>/<name>`.

export interface KeyValue {
  readonly key: string;
  /** Serialized object (UTF-8 JSON written by the registry). */
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
}

export interface ListOptions {
  /**
   * Read the state as of this revision (0 or absent: the latest). A revision older than the
   * last compaction fails with StorageError code `Compacted`; one in the future with `TooLarge`.
   */
  readonly revision?: number;
  /** Return at most this many items (0 or absent: all). */
  readonly limit?: number;
  /** Resume after this key (exclusive), for paging in key order. */
  readonly startAfter?: string;
}

export interface ListResult {
  /** Items under the prefix, sorted by key. */
  readonly items: readonly KeyValue[];
  /** The revision the list was read at (the current revision when none was asked for). */
  readonly revision: number;
  /** True when `limit` cut the result short. */
  readonly more: boolean;
  /** How many items remain after this page, when known. */
  readonly remaining?: number;
}

export type StorageEventType = 'put' | 'delete';

export interface StorageEvent {
  readonly type: StorageEventType;
  readonly key: string;
  /** The new value for `put`; for `delete`, the last value before deletion. */
  readonly value: string;
  /** The previous value of a `put` that updated an existing key. */
  readonly prevValue?: string;
  /** Revision of this event (the write's revision). */
  readonly revision: number;
  readonly createRevision: number;
  /**
   * The modRevision of the value this write replaced (an update's `prevValue`, a delete's
   * `value`); absent for a create. Lets a watch cache roll its state back to a recent revision.
   */
  readonly prevModRevision?: number;
}

export interface WatchOptions {
  /** Deliver events with revision > this one. A compacted revision fails with `Compacted`. */
  readonly afterRevision: number;
  /**
   * The caller keeps every key's current value itself (a watch cache that listed first): a
   * backend may then leave out what it would have to read back for an event, `prevValue` and
   * `prevModRevision`, and a delete's `value` (empty) and `createRevision` (0). etcd3 does
   * (no prev_kv: etcd skips a read of the previous revision for every update and delete).
   */
  readonly previousKnown?: boolean;
}

export interface Watcher {
  /** Stop delivering events; idempotent. */
  stop(): void;
}

export interface WatchHandlers {
  /** Events arrive in revision order, each exactly once. */
  onEvent(event: StorageEvent): void;
  /** A terminal error (compaction, backend gone); no more events follow. */
  onError(err: StorageError): void;
}

export type StorageErrorCode =
  | 'KeyExists'
  | 'KeyNotFound'
  | 'Conflict'
  | 'Compacted'
  | 'TooLarge'
  /** A value over the store's size limit (etcd: "request is too large"). */
  | 'ValueTooLarge'
  | 'Unavailable'
  | 'Internal';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key?: string;
  /** For Compacted/TooLarge: the current (or compacted) revision, to put in messages. */
  readonly revision?: number;

  constructor(code: StorageErrorCode, message: string, opts: { key?: string; revision?: number } = {}) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = opts.key;
    this.revision = opts.revision;
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}

export interface Storage {
  /** Backend name for logs and health checks: `memory`, `sqlite`, `etcd3`. */
  readonly backend: string;

  /** Create `key` if absent; `KeyExists` otherwise. Resolves to the new item. */
  create(key: string, value: string): Promise<KeyValue>;

  get(key: string): Promise<KeyValue | undefined>;

  /**
   * Compare-and-swap: replace `key` only when its modRevision is `expectedModRevision`.
   * `KeyNotFound` when absent, `Conflict` when the revision differs.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;

  /**
   * Delete `key`, only when its modRevision is `expectedModRevision` if given.
   * Resolves to the deleted item with `modRevision` set to the deletion's revision.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;

  /** Items whose key starts with `prefix`, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /** Watch keys starting with `prefix`. */
  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher;

  /** The latest revision of the store. */
  currentRevision(): Promise<number>;

  /** The oldest revision still readable (history before it was compacted). */
  compactedRevision(): Promise<number>;

  /** Drop history older than `revision`. */
  compact(revision: number): Promise<void>;

  /** Health probe: rejects when the backend cannot serve. */
  ping(): Promise<void>;

  /** Stop watches and release the backend. */
  close(): Promise<void>;
}
