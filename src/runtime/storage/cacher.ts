// The watch cache, after k8s.io/apiserver pkg/storage/cacher (cacher.go, watch_cache.go): one
// per resource key prefix. It lists the backend once, then follows the backend's watch, and
// serves from memory:
// - get, and list at the latest revision or at any revision inside its window of recent events
//   (the state is rolled back from the current one with each event's previous value);
// - watch from any revision inside the window (backlog from the window, then live); a watch
//   from before the window fails with `Compacted` (the handler answers 410 Gone), as upstream's
//   "too old resource version".
// Writes pass through to the backend; a write resolves only after the cache has applied the
// write's own event, so its caller reads its own write at once (as upstream's consistent reads
// wait until the cache is fresh). Keys outside the prefix are passed straight to the backend.
//
// When the backend watch fails (its history was compacted under us, the backend went away),
// the cache ends every watcher with `Unavailable` (clients re-watch from their last revision
// and get events or 410), re-lists, and serves again; reads wait meanwhile (upstream blocks
// reads until the cache is ready the same way).
//
// Lists that the window cannot answer go to the backend: a revision older than the window, or
// one ahead of the cache that the cache does not reach within `freshnessWaitMs`.
//
// close() stops this cache only; the backend is shared by every resource and closed by its
// owner (unless `ownsBackend`).

import { StorageError, isStorageError } from './interface.js';
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
import { lowerBound, pageResult } from './common.js';
import { WatchHub } from './watch-hub.js';

export interface CachedStorage extends Storage {
  /** Resolves once the first list is loaded and the cache follows the backend's watch. */
  ready(): Promise<void>;
}

export interface CacherOptions {
  /** Keep at least this many recent events for watch resumption (default 1000). */
  readonly windowEvents?: number;
  /** Keep at least this much recent history, in ms (default 150 000), up to `maxWindowEvents`. */
  readonly windowMs?: number;
  /** Hard cap on kept events, whatever their age (default 100 000). */
  readonly maxWindowEvents?: number;
  /** How long a write waits for the cache to see it before resolving anyway (default 10 000 ms). */
  readonly writeVisibleTimeoutMs?: number;
  /** How long a list at a revision ahead of the cache waits for it (default 1000 ms). */
  readonly freshnessWaitMs?: number;
  /** Delay before re-listing after the backend watch failed (default 100 ms, doubling to 2 s). */
  readonly relistBackoffMs?: number;
  /** Close the backend when this cache closes (default false: the backend is shared). */
  readonly ownsBackend?: boolean;
}

export function createCachedStorage(backend: Storage, prefix: string, opts: CacherOptions = {}): CachedStorage {
  return new Cacher(backend, prefix, opts);
}

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
}

class Cacher implements CachedStorage {
  readonly backend: string;
  private readonly windowEvents: number;
  private readonly windowMs: number;
  private readonly maxWindowEvents: number;
  private readonly writeVisibleTimeoutMs: number;
  private readonly freshnessWaitMs: number;
  private readonly relistBackoffMs: number;

  private readonly items = new Map<string, KeyValue>();
  private sortedKeys: string[] = [];
  /** Every backend event up to `rev` has been applied. */
  private rev = 0;
  /** The oldest revision whose state the window can rebuild (all events after it are kept). */
  private oldest = 0;
  private window: StorageEvent[] = [];
  private windowTimes: number[] = [];

  private hub = new WatchHub();
  private backendWatch?: Watcher;
  private waiters: Waiter[] = [];
  private synced = false;
  private syncWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly firstSync: Promise<void>;
  private resolveFirstSync!: () => void;
  private rejectFirstSync!: (e: unknown) => void;
  private closed = false;
  private relistTimer?: NodeJS.Timeout;

  constructor(
    private readonly inner: Storage,
    private readonly prefix: string,
    private readonly opts: CacherOptions,
  ) {
    this.backend = inner.backend;
    this.windowEvents = opts.windowEvents ?? 1000;
    this.windowMs = opts.windowMs ?? 150_000;
    this.maxWindowEvents = Math.max(opts.maxWindowEvents ?? 100_000, this.windowEvents);
    this.writeVisibleTimeoutMs = opts.writeVisibleTimeoutMs ?? 10_000;
    this.freshnessWaitMs = opts.freshnessWaitMs ?? 1000;
    this.relistBackoffMs = opts.relistBackoffMs ?? 100;
    this.firstSync = new Promise<void>((resolve, reject) => {
      this.resolveFirstSync = resolve;
      this.rejectFirstSync = reject;
    });
    this.firstSync.catch(() => undefined); // observed through ready()
    void this.sync(this.relistBackoffMs);
  }

  ready(): Promise<void> {
    return this.firstSync;
  }

  // ---- writes: through to the backend, then wait until the cache has seen them -------------

  async create(key: string, value: string): Promise<KeyValue> {
    return this.visible(key, await this.inner.create(key, value));
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.visible(key, await this.inner.update(key, value, expectedModRevision));
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.visible(key, await this.inner.delete(key, expectedModRevision));
  }

  // ---- reads: from memory ------------------------------------------------------------------

  async get(key: string): Promise<KeyValue | undefined> {
    if (!this.owns(key)) return this.inner.get(key);
    await this.whenSynced();
    return this.items.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    if (!this.owns(prefix)) return this.inner.list(prefix, opts);
    await this.whenSynced();
    const requested = opts.revision || 0;
    if (requested === 0 || requested === this.rev) return this.listLatest(prefix, opts);
    if (requested > this.rev) {
      const current = await this.inner.currentRevision();
      if (requested > current) {
        throw new StorageError('TooLarge', `revision ${requested} is in the future; the current revision is ${current}`, {
          revision: current,
        });
      }
      if (!(await this.waitForRevision(requested, this.freshnessWaitMs))) return this.inner.list(prefix, opts);
      if (requested === this.rev) return this.listLatest(prefix, opts);
    }
    if (requested < this.oldest) return this.inner.list(prefix, opts);
    return this.listAt(prefix, requested, opts);
  }

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    if (!this.owns(prefix)) return this.inner.watch(prefix, opts, handlers);
    if (this.closed) return WatchHub.failed(handlers, closedError());
    if (this.synced) return this.watchNow(prefix, opts, handlers);
    // Not synced yet (or re-listing): start once the cache is, unless stopped first.
    let inner: Watcher | undefined;
    let stopped = false;
    this.whenSynced().then(
      () => {
        if (!stopped) inner = this.watchNow(prefix, opts, handlers);
      },
      (e: unknown) => {
        if (!stopped) handlers.onError(isStorageError(e) ? e : closedError());
      },
    );
    return {
      stop: () => {
        stopped = true;
        inner?.stop();
      },
    };
  }

  async currentRevision(): Promise<number> {
    if (this.synced) return this.rev;
    return this.inner.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  /** Compacts the backend and drops this cache's history before `revision` too. */
  async compact(revision: number): Promise<void> {
    await this.inner.compact(revision);
    if (revision > this.oldest && revision <= this.rev) {
      const keepFrom = firstAfter(this.window, revision);
      this.window = this.window.slice(keepFrom);
      this.windowTimes = this.windowTimes.slice(keepFrom);
      this.oldest = revision;
    }
  }

  ping(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return this.inner.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.relistTimer);
    this.backendWatch?.stop();
    this.backendWatch = undefined;
    this.hub.closeAll(closedError());
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    this.failSyncWaiters(closedError());
    this.rejectFirstSync(closedError());
    if (this.opts.ownsBackend) await this.inner.close();
  }

  // ---- sync with the backend ----------------------------------------------------------------

  /** List, then watch from the list's revision; on failure retry with backoff. */
  private async sync(backoffMs: number): Promise<void> {
    if (this.closed) return;
    let listed: ListResult;
    try {
      listed = await this.inner.list(this.prefix);
    } catch {
      this.scheduleSync(backoffMs);
      return;
    }
    if (this.closed) return;
    this.items.clear();
    for (const kv of listed.items) this.items.set(kv.key, kv);
    this.sortedKeys = listed.items.map((kv) => kv.key); // backends return key order
    this.rev = listed.revision;
    this.oldest = listed.revision;
    this.window = [];
    this.windowTimes = [];
    this.backendWatch = this.inner.watch(this.prefix, { afterRevision: listed.revision }, {
      onEvent: (e) => this.apply(e),
      onError: () => this.resync(),
    });
    this.synced = true;
    this.resolveFirstSync();
    for (const w of this.syncWaiters.splice(0)) w.resolve();
    this.releaseWaiters();
  }

  private scheduleSync(backoffMs: number): void {
    if (this.closed) return;
    this.relistTimer = setTimeout(() => void this.sync(Math.min(backoffMs * 2, 2000)), backoffMs);
    this.relistTimer.unref();
  }

  /** The backend watch ended: end our watchers (they cannot be told what they missed), re-list. */
  private resync(): void {
    if (this.closed) return;
    this.synced = false;
    this.backendWatch?.stop();
    this.backendWatch = undefined;
    this.hub.closeAll(new StorageError('Unavailable', 'the watch cache is re-synchronizing with storage; watch again'));
    this.hub = new WatchHub();
    this.scheduleSync(this.relistBackoffMs);
  }

  private apply(e: StorageEvent): void {
    if (e.revision <= this.rev) return;
    if (e.type === 'put') {
      if (!this.items.has(e.key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, e.key), 0, e.key);
      this.items.set(e.key, { key: e.key, value: e.value, createRevision: e.createRevision, modRevision: e.revision });
    } else if (this.items.delete(e.key)) {
      this.sortedKeys.splice(lowerBound(this.sortedKeys, e.key), 1);
    }
    this.rev = e.revision;
    this.window.push(e);
    this.windowTimes.push(Date.now());
    this.trimWindow();
    this.hub.publish([e]);
    this.releaseWaiters();
  }

  /** Keep the larger of (last windowEvents events, last windowMs of events), capped. */
  private trimWindow(): void {
    const cutoff = Date.now() - this.windowMs;
    let drop = 0;
    const n = this.window.length;
    while (n - drop > this.windowEvents && (this.windowTimes[drop] <= cutoff || n - drop > this.maxWindowEvents)) drop++;
    if (drop === 0) return;
    this.oldest = this.window[drop - 1].revision;
    this.window = this.window.slice(drop);
    this.windowTimes = this.windowTimes.slice(drop);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private owns(keyOrPrefix: string): boolean {
    return keyOrPrefix.startsWith(this.prefix);
  }

  private whenSynced(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  private failSyncWaiters(err: StorageError): void {
    for (const w of this.syncWaiters.splice(0)) w.reject(err);
  }

  /** Resolve the write once the cache holds it (or after a timeout: the write did succeed). */
  private async visible(key: string, kv: KeyValue): Promise<KeyValue> {
    if (this.owns(key)) await this.waitForRevision(kv.modRevision, this.writeVisibleTimeoutMs);
    return kv;
  }

  /** Wait until the cache is synced to `revision`; false on timeout. */
  private waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.synced && this.rev >= revision) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.synced && this.rev >= revision);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private releaseWaiters(): void {
    if (!this.synced || this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.revision <= this.rev) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private watchNow(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    if (opts.afterRevision < this.oldest) {
      return WatchHub.failed(
        handlers,
        new StorageError(
          'Compacted',
          `too old resource version: ${opts.afterRevision} (the watch cache holds history from ${this.oldest})`,
          { revision: this.oldest },
        ),
      );
    }
    const backlog = this.window.slice(firstAfter(this.window, opts.afterRevision));
    return this.hub.add(prefix, opts.afterRevision, backlog, handlers);
  }

  private listLatest(prefix: string, opts: ListOptions): ListResult {
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const items: KeyValue[] = [];
    let i = lowerBound(this.sortedKeys, from ?? prefix);
    for (; i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i];
      if (!key.startsWith(prefix)) break;
      if (from !== undefined && key <= from) continue;
      items.push(this.items.get(key)!);
    }
    return pageResult(items, this.rev, opts.limit);
  }

  /** The state at `revision` (oldest <= revision < rev): undo the window's later events. */
  private listAt(prefix: string, revision: number, opts: ListOptions): ListResult | Promise<ListResult> {
    const undone = new Map<string, KeyValue | null>();
    for (let j = this.window.length - 1; j >= 0 && this.window[j].revision > revision; j--) {
      const e = this.window[j];
      if (!e.key.startsWith(prefix)) continue;
      if (e.type === 'put' && e.prevValue === undefined) {
        undone.set(e.key, null);
      } else {
        if (e.prevModRevision === undefined) return this.inner.list(prefix, { ...opts, revision });
        const value = e.type === 'put' ? e.prevValue! : e.value;
        undone.set(e.key, { key: e.key, value, createRevision: e.createRevision, modRevision: e.prevModRevision });
      }
    }
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const keys = new Set<string>();
    for (let i = lowerBound(this.sortedKeys, from ?? prefix); i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i];
      if (!key.startsWith(prefix)) break;
      keys.add(key);
    }
    for (const key of undone.keys()) keys.add(key);
    const items: KeyValue[] = [];
    for (const key of [...keys].sort()) {
      if (from !== undefined && key <= from) continue;
      const kv = undone.has(key) ? undone.get(key) : this.items.get(key);
      if (kv) items.push(kv);
    }
    return pageResult(items, revision, opts.limit);
  }
}

/** Index of the first event with revision > `revision`. */
function firstAfter(events: readonly StorageEvent[], revision: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].revision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}
