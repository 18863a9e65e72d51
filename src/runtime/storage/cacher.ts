// The watch cache, after k8s.io/apiserver pkg/storage/cacher (cacher.go, watch_cache.go): one
// per resource key prefix. It lists the backend once, then follows the backend's watch, and
// serves from memory:
// - get, and list at the latest revision or at any revision inside its window of recent events
//   (the state is rolled back from the current one with each event's previous value);
// - watch from any revision inside the window (backlog from the window, then live); a watch
//   from before the window fails with `Compacted` (the handler answers 410 Gone), as upstream's
//   "too old resource version".
// Writes pass through to the backend and resolve as soon as it has committed them, as upstream's
// do; reads through the cache first wait until it holds every write made through it, so a
// caller reads its own writes at once (as upstream's consistent reads wait until the cache is
// fresh). Keys outside the prefix are passed straight to the backend.
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
  /** How long a read waits for the cache to hold this cache's own writes before answering anyway (default 10 000 ms). */
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
  private sortedKeys = new SortedKeys();
  /** Every backend event up to `rev` has been applied. */
  private rev = 0;
  /** The newest revision written through this cache: reads wait until `rev` reaches it. */
  private written = 0;
  /** The oldest revision whose state the window can rebuild (all events after it are kept). */
  private oldest = 0;
  /** Recent events, oldest first: those from `windowHead` on are kept (see trimWindow). */
  private window: StorageEvent[] = [];
  private windowTimes: number[] = [];
  private windowHead = 0;
  /** Applied events not yet handed to watchers (see apply). */
  private unpublished: StorageEvent[] = [];
  private publishScheduled = false;

  private hub = new WatchHub({ inline: true });
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

  // ---- writes: through to the backend; later reads wait until the cache has them ----------

  async create(key: string, value: string): Promise<KeyValue> {
    return this.wrote(key, await this.inner.create(key, value));
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.wrote(key, await this.inner.update(key, value, expectedModRevision));
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.wrote(key, await this.inner.delete(key, expectedModRevision));
  }

  // ---- reads: from memory ------------------------------------------------------------------

  async get(key: string): Promise<KeyValue | undefined> {
    if (!this.owns(key)) return this.inner.get(key);
    if (!this.isFresh()) await this.fresh();
    return this.items.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    if (!this.owns(prefix)) return this.inner.list(prefix, opts);
    if (!this.isFresh()) await this.fresh();
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
    if (!this.synced) return this.inner.currentRevision();
    if (!this.isFresh()) await this.fresh();
    return this.rev;
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  /** Compacts the backend and drops this cache's history before `revision` too. */
  async compact(revision: number): Promise<void> {
    await this.inner.compact(revision);
    if (revision > this.oldest && revision <= this.rev) {
      this.dropWindowBefore(firstAfter(this.window, revision, this.windowHead));
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
    this.publish();
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
    this.sortedKeys = new SortedKeys(listed.items.map((kv) => kv.key)); // backends return key order
    this.rev = listed.revision;
    this.oldest = listed.revision;
    this.window = [];
    this.windowTimes = [];
    this.windowHead = 0;
    this.backendWatch = this.inner.watch(this.prefix, { afterRevision: listed.revision, previousKnown: true }, {
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
    this.publish(); // what was applied reaches the watchers before their end
    this.hub.closeAll(new StorageError('Unavailable', 'the watch cache is re-synchronizing with storage; watch again'));
    this.hub = new WatchHub({ inline: true });
    this.scheduleSync(this.relistBackoffMs);
  }

  private apply(received: StorageEvent): void {
    if (received.revision <= this.rev) return;
    const e = withPrevious(received, this.items.get(received.key));
    if (e.type === 'put') {
      if (!this.items.has(e.key)) this.sortedKeys.insert(e.key);
      this.items.set(e.key, { key: e.key, value: e.value, createRevision: e.createRevision, modRevision: e.revision });
    } else if (this.items.delete(e.key)) {
      this.sortedKeys.delete(e.key);
    }
    this.rev = e.revision;
    const now = Date.now();
    this.window.push(e);
    this.windowTimes.push(now);
    this.trimWindow(now);
    // Writers first, watchers next: the write's own waiter is released now (its response goes
    // out in this turn), and watchers get the event from setImmediate, with every event applied
    // meanwhile, in order. A watcher that starts in between takes the event from the window as
    // backlog; the hub skips what a watcher already has, so nothing is repeated or missed.
    this.unpublished.push(e);
    if (!this.publishScheduled) {
      this.publishScheduled = true;
      setImmediate(() => this.publish());
    }
    this.releaseWaiters();
  }

  /** Hand the applied events to the watchers (of the current hub). */
  private publish(): void {
    this.publishScheduled = false;
    if (this.unpublished.length === 0) return;
    const events = this.unpublished;
    this.unpublished = [];
    this.hub.publish(events);
  }

  /** Keep the larger of (last windowEvents events, last windowMs of events), capped. */
  private trimWindow(now: number): void {
    const cutoff = now - this.windowMs;
    const head = this.windowHead;
    const n = this.window.length - head;
    let drop = 0;
    while (n - drop > this.windowEvents && (this.windowTimes[head + drop] <= cutoff || n - drop > this.maxWindowEvents)) drop++;
    if (drop === 0) return;
    this.oldest = this.window[head + drop - 1].revision;
    this.dropWindowBefore(head + drop);
  }

  /**
   * Forget window[0..index). Dropping only moves `windowHead`; the arrays are copied once the
   * dropped part is half of them, so a full window costs O(1) per event, not a copy of it.
   */
  private dropWindowBefore(index: number): void {
    this.windowHead = index;
    if (index >= 1024 && index * 2 >= this.window.length) {
      this.window = this.window.slice(index);
      this.windowTimes = this.windowTimes.slice(index);
      this.windowHead = 0;
    }
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

  private wrote(key: string, kv: KeyValue): KeyValue {
    if (this.owns(key) && kv.modRevision > this.written) this.written = kv.modRevision;
    return kv;
  }

  /** Open, synced, and holding every write made through this cache. */
  private isFresh(): boolean {
    return this.synced && !this.closed && this.rev >= this.written;
  }

  /** Wait until isFresh() (after a timeout, go on: the backend's watch is late, and a stale answer beats none). */
  private async fresh(): Promise<void> {
    await this.whenSynced();
    if (this.rev < this.written) await this.waitForRevision(this.written, this.writeVisibleTimeoutMs);
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
    const backlog = this.window.slice(firstAfter(this.window, opts.afterRevision, this.windowHead));
    return this.hub.add(prefix, opts.afterRevision, backlog, handlers);
  }

  private listLatest(prefix: string, opts: ListOptions): ListResult {
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const items: KeyValue[] = [];
    this.sortedKeys.forEachFrom(from ?? prefix, (key) => {
      if (!key.startsWith(prefix)) return false;
      if (from === undefined || key > from) items.push(this.items.get(key)!);
      return true;
    });
    return pageResult(items, this.rev, opts.limit);
  }

  /** The state at `revision` (oldest <= revision < rev): undo the window's later events. */
  private listAt(prefix: string, revision: number, opts: ListOptions): ListResult | Promise<ListResult> {
    const undone = new Map<string, KeyValue | null>();
    for (let j = this.window.length - 1; j >= this.windowHead && this.window[j].revision > revision; j--) {
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
    this.sortedKeys.forEachFrom(from ?? prefix, (key) => {
      if (!key.startsWith(prefix)) return false;
      keys.add(key);
      return true;
    });
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

/** Index of the first event at or after `from` with revision > `revision`. */
function firstAfter(events: readonly StorageEvent[], revision: number, from: number): number {
  let lo = from;
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

/**
 * The cached keys in order, in blocks of a few hundred: adding or removing a key moves the keys
 * of one block, where one sorted array would move half of all keys (O(n) per write, which at a
 * million objects costs more than the rest of the write).
 */
class SortedKeys {
  private static readonly maxBlock = 512;
  /** Non-empty sorted blocks; every key of a block is below every key of the next. */
  private blocks: string[][] = [];

  constructor(sorted: readonly string[] = []) {
    const half = SortedKeys.maxBlock / 2;
    for (let i = 0; i < sorted.length; i += half) this.blocks.push(sorted.slice(i, i + half));
  }

  /** Adds a key that is not present. */
  insert(key: string): void {
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      return;
    }
    const b = this.blockFor(key);
    const block = this.blocks[b];
    block.splice(lowerBound(block, key), 0, key);
    if (block.length > SortedKeys.maxBlock) this.blocks.splice(b + 1, 0, block.splice(block.length >>> 1));
  }

  delete(key: string): void {
    if (this.blocks.length === 0) return;
    const b = this.blockFor(key);
    const block = this.blocks[b];
    const i = lowerBound(block, key);
    if (block[i] !== key) return;
    block.splice(i, 1);
    if (block.length === 0) this.blocks.splice(b, 1);
  }

  /** Calls `visit` with each key >= `start`, in order, until it returns false. */
  forEachFrom(start: string, visit: (key: string) => boolean): void {
    if (this.blocks.length === 0) return;
    let b = this.blockFor(start);
    let i = lowerBound(this.blocks[b], start);
    for (; b < this.blocks.length; b++, i = 0) {
      const block = this.blocks[b];
      for (; i < block.length; i++) if (!visit(block[i])) return;
    }
  }

  /** The block that holds (or would hold) `key`: the last one whose first key is <= it, else the first. */
  private blockFor(key: string): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.blocks[mid][0] <= key) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }
}

/**
 * The event with what a backend may leave out when watched with `previousKnown` filled in from
 * the cached value it replaced: the cache holds every key's value as of the event before.
 */
function withPrevious(e: StorageEvent, old: KeyValue | undefined): StorageEvent {
  if (old === undefined || e.prevModRevision !== undefined) return e;
  if (e.type === 'put') return { ...e, prevValue: old.value, prevModRevision: old.modRevision };
  return { ...e, value: old.value, createRevision: old.createRevision, prevModRevision: old.modRevision };
}
