// The etcd3 backend, after k8s.io/apiserver pkg/storage/etcd3/store.go and watcher.go, on the
// `etcd3` package's gRPC clients:
// - create: txn if create_revision(key) == 0 then put;
// - update/delete: txn if mod_revision(key) == expected then put/delete, else range (to tell
//   KeyNotFound from Conflict); delete returns the previous kv;
// - list: range [prefix, prefixEnd) at a revision with limit and a start key; `count` gives
//   what remains after the page;
// - watch: from afterRevision+1 with prev_kv; events are de-duplicated by revision and the
//   resume point is our own last delivered revision, so a reconnect after an etcd restart
//   neither repeats nor skips events, or reports `Compacted` if that history is gone;
// - the compacted revision is recorded in `compact_rev_key` (as kube-apiserver's compactor does,
//   pkg/storage/etcd3/compact.go), so every replica sharing the etcd sees the same value.
// Several instances can share one etcd: all state lives there, watches see every writer.

import { Etcd3, Range } from 'etcd3';
import type { IKeyValue, IOptions, IWatchResponse, Watcher as EtcdWatcher } from 'etcd3';
import { startCompactor } from './compactor.js';
import type { CompactionPolicy, Compactor } from './compactor.js';
import { checkCompactRevision, checkKey } from './common.js';
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
import { createThreadedEtcd3Storage } from './etcd3-threaded.js';

export interface Etcd3StorageOptions extends CompactionPolicy {
  /** Client URLs, e.g. ['http://127.0.0.1:2379']. */
  readonly endpoints: readonly string[];
  /**
   * A namespace prepended to every key in etcd (default ''); keys given to this Storage and
   * returned by it never include it. Lets several independent stores share one etcd.
   */
  readonly prefix?: string;
  /** Per-call deadline in ms (default 10 000). */
  readonly requestTimeoutMs?: number;
  /**
   * Where the gRPC client runs: `worker` (default), a worker thread of its own, so its CPU time
   * (about a third of a create's on the server thread) is off the thread that serves HTTPS
   * (etcd3-threaded.ts); `main`, this thread.
   */
  readonly clientThread?: 'worker' | 'main';
}

/** Where the compacted revision is recorded (under `prefix`), as kube-apiserver does. */
const COMPACT_REV_KEY = 'compact_rev_key';

export function createEtcd3Storage(opts: Etcd3StorageOptions): Storage {
  return (opts.clientThread ?? 'worker') === 'worker' ? createThreadedEtcd3Storage(opts) : new Etcd3Storage(opts);
}

class Etcd3Storage implements Storage {
  readonly backend = 'etcd3';
  private readonly client: Etcd3;
  private readonly ns: string;
  private readonly timeoutMs: number;
  private readonly watchers = new Set<EtcdWatch>();
  /** Calls in flight, oldest first (one timeout for all, so deadlines come in this order). */
  private readonly inFlight = new Set<InFlightCall>();
  private deadlineTimer?: NodeJS.Timeout;
  private readonly compactor: Compactor;
  /** Set once close() starts: no new calls or watches from then on. */
  private closing?: Promise<void>;
  /** Set once the client is closed. */
  private closed = false;

  constructor(opts: Etcd3StorageOptions) {
    if (opts.endpoints.length === 0) throw new StorageError('Unavailable', 'etcd3 storage needs at least one endpoint');
    this.ns = opts.prefix ?? '';
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: [...opts.endpoints],
      // No client-side retries (a retried txn could apply twice; callers retry on Unavailable)
      // and no circuit breaker (it would refuse calls for seconds after etcd comes back).
      // Watch streams reconnect with a backoff capped at one second.
      faultHandling: { host: () => noopPolicy, global: noopPolicy, watchBackoff: cappedBackoff(100, 1000) },
      // channelz is gRPC's introspection service; we never serve it, so skip its per-call books.
      grpcOptions: { 'grpc.enable_channelz': 0 },
    } as unknown as IOptions);
    this.compactor = startCompactor(this, opts);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkKey(key);
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw new StorageError('KeyExists', `key ${key} already exists`, { key });
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: this.k(key) }));
    const kv = res.kvs[0];
    return kv ? this.toKeyValue(kv) : undefined;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs[0], expectedModRevision);
    const prev = res.responses[0]?.response_put?.prev_kv;
    const rev = Number(res.header.revision);
    // The compare held, so the key existed: prev_kv is present.
    return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.k(key);
    const compare =
      expectedModRevision === undefined
        ? { key: k, target: 'Create' as const, result: 'Greater' as const, create_revision: 0 }
        : { key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision };
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [compare],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs[0], expectedModRevision);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new StorageError('KeyNotFound', `key ${key} not found`, { key });
    return { key, value: prev.value.toString(), createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? `${opts.startAfter}\u0000` : prefix;
    const res = await this.call(() =>
      this.client.kv.range({
        key: this.k(from),
        range_end: this.rangeEnd(prefix),
        revision: opts.revision || 0,
        limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
      }),
    );
    const items = res.kvs.map((kv) => this.toKeyValue(kv));
    const remaining = Math.max(0, Number(res.count) - items.length);
    return { items, revision: opts.revision || Number(res.header.revision), more: res.more, remaining };
  }

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    if (this.closing) return WatchHub.failed(handlers, closedError());
    const w = new EtcdWatch(this, prefix, opts.afterRevision, handlers, () => this.watchers.delete(w));
    this.watchers.add(w);
    w.start();
    return w;
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: this.k(COMPACT_REV_KEY), keys_only: true }));
    return Number(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: this.k(COMPACT_REV_KEY) }));
    const kv = res.kvs[0];
    return kv ? Number(kv.value.toString()) || 0 : 0;
  }

  async compact(revision: number): Promise<void> {
    const k = this.k(COMPACT_REV_KEY);
    const current = await this.call(() => this.client.kv.range({ key: k }));
    checkCompactRevision(revision, Number(current.header.revision));
    const recorded = current.kvs[0];
    if (recorded && Number(recorded.value.toString()) >= revision) return;
    // Record first, guarded by the record's own revision: of several replicas compacting at
    // once, one wins and the others skip (compact.go uses the key's version the same way).
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [
          recorded
            ? { key: k, target: 'Mod', result: 'Equal', mod_revision: recorded.mod_revision }
            : { key: k, target: 'Create', result: 'Equal', create_revision: 0 },
        ],
        success: [{ request_put: { key: k, value: Buffer.from(String(revision)) } }],
        failure: [],
      }),
    );
    if (!res.succeeded) return;
    try {
      await this.call(() => this.client.kv.compact({ revision, physical: true }));
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'Compacted')) throw e;
    }
  }

  async ping(): Promise<void> {
    await this.call(() => this.client.maintenance.status());
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.compactor.stop();
    clearInterval(this.deadlineTimer);
    this.deadlineTimer = undefined;
    // Cancel the etcd watchers while the client is still open: a watcher left attached would
    // make the etcd3 package try to reconnect its stream forever after close.
    const cancels = [...this.watchers].map((w) => w.fail(closedError()));
    await Promise.race([Promise.allSettled(cancels), new Promise((r) => setTimeout(r, 1000).unref())]);
    this.closed = true;
    this.client.close();
  }

  // ---- used by EtcdWatch --------------------------------------------------------------------

  /** Open the etcd watch stream for one of our watchers. */
  openWatch(prefix: string, afterRevision: number): EtcdWatcher {
    const builder = this.client.watch().inRange(new Range(this.k(prefix), this.rangeEnd(prefix))).withPreviousKV();
    return builder.startRevision(String(afterRevision + 1)).watcher();
  }

  /** Tell why a watch stream was cancelled: its start revision compacted, or something else. */
  async cancelReason(resumeRevision: number): Promise<StorageError> {
    try {
      await this.call(() => this.client.kv.range({ key: this.k(COMPACT_REV_KEY), revision: resumeRevision }));
    } catch (e) {
      if (e instanceof StorageError) return e;
    }
    return new StorageError('Unavailable', 'etcd cancelled the watch');
  }

  eventOf(ev: { type: string; kv: IKeyValue; prev_kv?: IKeyValue }): StorageEvent {
    const key = this.unprefix(ev.kv.key);
    const revision = Number(ev.kv.mod_revision);
    const prev = ev.prev_kv;
    if (ev.type === 'Delete') {
      return {
        type: 'delete',
        key,
        value: prev ? prev.value.toString() : '',
        revision,
        createRevision: prev ? Number(prev.create_revision) : 0,
        prevModRevision: prev ? Number(prev.mod_revision) : undefined,
      };
    }
    const base = { type: 'put' as const, key, value: ev.kv.value.toString(), revision, createRevision: Number(ev.kv.create_revision) };
    if (ev.kv.version === '1' || !prev) return base;
    return { ...base, prevValue: prev.value.toString(), prevModRevision: Number(prev.mod_revision) };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private k(key: string): Buffer {
    return Buffer.from(this.ns + key);
  }

  private unprefix(key: Buffer): string {
    return key.toString().slice(this.ns.length);
  }

  /** The etcd range end covering every key that starts with ns+prefix. */
  private rangeEnd(prefix: string): Buffer {
    const start = Buffer.from(this.ns + prefix);
    for (let i = start.length - 1; i >= 0; i--) {
      if (start[i] < 0xff) {
        const end = Buffer.from(start.subarray(0, i + 1));
        end[i]++;
        return end;
      }
    }
    return Buffer.from([0]); // every key
  }

  private toKeyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.unprefix(kv.key),
      value: kv.value.toString(),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  private casFailure(key: string, current: IKeyValue | undefined, expected: number | undefined): StorageError {
    if (!current) return new StorageError('KeyNotFound', `key ${key} not found`, { key });
    const found = Number(current.mod_revision);
    return new StorageError('Conflict', `key ${key} was modified: expected revision ${expected}, found ${found}`, {
      key,
      revision: found,
    });
  }

  /**
   * Run one etcd call with a deadline; map its failure to a StorageError. The deadline is
   * checked by one shared timer (every tenth of the timeout, at most every second) instead of
   * a timer per call: a call that takes too long fails within 1.1x the timeout.
   */
  call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(closedError());
    return new Promise<T>((resolve, reject) => {
      const entry: InFlightCall = { deadline: performance.now() + this.timeoutMs, reject };
      this.inFlight.add(entry);
      this.deadlineTimer ??= this.startDeadlineTimer();
      const settle = (): boolean => this.inFlight.delete(entry);
      let pending: Promise<T>;
      try {
        pending = fn();
      } catch (e) {
        pending = Promise.reject(e);
      }
      pending.then(
        (value) => {
          if (settle()) resolve(value);
        },
        (e: unknown) => {
          if (settle()) reject(toStorageError(e));
        },
      );
    });
  }

  private startDeadlineTimer(): NodeJS.Timeout {
    const period = Math.max(5, Math.min(1000, Math.floor(this.timeoutMs / 10)));
    const timer = setInterval(() => {
      const now = performance.now();
      for (const entry of this.inFlight) {
        if (entry.deadline > now) break;
        this.inFlight.delete(entry);
        entry.reject(new StorageError('Unavailable', `etcd did not answer within ${this.timeoutMs} ms`));
      }
    }, period);
    timer.unref();
    return timer;
  }
}

interface InFlightCall {
  readonly deadline: number;
  readonly reject: (e: StorageError) => void;
}

/**
 * One watch over the etcd3 package's Watcher. We keep our own resume point (the last revision
 * delivered) and put it back into the request whenever the stream drops, because the package
 * advances its own from response headers, which may run ahead of the events delivered.
 */
class EtcdWatch implements Watcher {
  private etcdWatcher?: EtcdWatcher;
  private last: number;
  private done = false;

  constructor(
    private readonly store: Etcd3Storage,
    private readonly prefix: string,
    afterRevision: number,
    private readonly handlers: WatchHandlers,
    private readonly onDone: () => void,
  ) {
    this.last = afterRevision;
  }

  start(): void {
    const w = this.store.openWatch(this.prefix, this.last);
    this.etcdWatcher = w;
    w.on('data', (res: IWatchResponse) => {
      for (const ev of res.events) {
        if (this.done) return;
        const event = this.store.eventOf(ev);
        if (event.revision <= this.last) continue; // replayed after a reconnect
        this.last = event.revision;
        this.deliver(event);
      }
    });
    w.on('disconnected', () => {
      w.request.start_revision = String(this.last + 1);
    });
    w.on('error', () => {
      if (this.done) return;
      void this.store.cancelReason(this.last + 1).then((err) => void this.fail(err));
    });
  }

  stop(): void {
    void this.cancel();
  }

  /** End with `err`; resolves once etcd has dropped the watch. */
  fail(err: StorageError): Promise<void> {
    if (this.done) return Promise.resolve();
    const cancelled = this.cancel();
    queueMicrotask(() => this.handlers.onError(err));
    return cancelled;
  }

  private cancel(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.done = true;
    this.onDone();
    const w = this.etcdWatcher;
    this.etcdWatcher = undefined;
    if (!w || this.store.isClosed) return Promise.resolve();
    return w.cancel().catch(() => undefined);
  }

  private deliver(event: StorageEvent): void {
    try {
      this.handlers.onEvent(event);
    } catch (e) {
      this.fail(new StorageError('Internal', `watch handler failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
}

function toStorageError(e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/required revision has been compacted/.test(message)) {
    return new StorageError('Compacted', 'the requested revision has been compacted');
  }
  if (/required revision is a future revision/.test(message)) {
    return new StorageError('TooLarge', 'the requested revision is in the future');
  }
  return new StorageError('Unavailable', `etcd request failed: ${message}`);
}

function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}

/** Handed to calls that are never cancelled (nothing in the etcd3 package aborts it). */
const neverAborted = new AbortController().signal;

/** A cockatiel-compatible policy that just runs the call (at once, without a signal of its own). */
const noopPolicy = {
  execute<T>(fn: (ctx: { signal: AbortSignal }) => T | Promise<T>, signal: AbortSignal = neverAborted): Promise<T> {
    try {
      return Promise.resolve(fn({ signal }));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};

/** A cockatiel-compatible backoff: doubles from `initialMs` up to `maxMs`. */
function cappedBackoff(initialMs: number, maxMs: number): { duration: number; next(): unknown } {
  const make = (d: number): { duration: number; next(): unknown } => ({ duration: d, next: () => make(Math.min(d * 2, maxMs)) });
  return make(initialMs);
}
