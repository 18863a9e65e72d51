// The etcd3 backend, after k8s.io/apiserver pkg/storage/etcd3/store.go and watcher.go, on our
// own small gRPC client for etcd's v3 API (etcd/grpc.ts over etcd/h2.ts, etcd/messages.ts):
// - create: txn if create_revision(key) == 0 then put;
// - update/delete: txn if mod_revision(key) == expected then put/delete, else range (to tell
//   KeyNotFound from Conflict); delete returns the previous kv;
// - list: range [prefix, prefixEnd) at a revision with limit and a start key; `count` gives
//   what remains after the page;
// - watch: one Watch stream per watch, from afterRevision+1, with prev_kv unless the caller
//   knows previous values (`previousKnown`); events are de-duplicated by revision and the
//   resume point is our own last delivered revision, so a reconnect after an etcd restart
//   neither repeats nor skips events, or reports `Compacted` if that history is gone (etcd
//   cancels the watch with a compact_revision);
// - the compacted revision is recorded in `compact_rev_key` (as kube-apiserver's compactor does,
//   pkg/storage/etcd3/compact.go), so every replica sharing the etcd sees the same value.
// Several instances can share one etcd: all state lives there, watches see every writer.

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
import { GrpcChannel } from './etcd/grpc.js';
import type { Decode, GrpcStream } from './etcd/grpc.js';
import type { KeepaliveOptions, TlsClientOptions } from './etcd/h2.js';
import {
  KV_COMPACT,
  KV_RANGE,
  KV_TXN,
  MAINTENANCE_STATUS,
  WATCH,
  compactionRequest,
  decodeHeaderOnly,
  decodeRangeResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  rangeRequest,
  txnRequest,
  watchCreateRequest,
} from './etcd/messages.js';
import type { Compare, KeyValue as EtcdKeyValue, RangeRequest, RangeResponse, TxnRequest, TxnResponse, WatchEvent, WatchResponse } from './etcd/messages.js';
import { grpcFrame } from './etcd/wire.js';
import type { Field } from './etcd/wire.js';

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
  /** For https:// endpoints: the CAs to trust and a client certificate (kube-apiserver's --etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  readonly tls?: TlsClientOptions;
  /**
   * Connection keepalive (default: a PING after 30 s of silence, given up 10 s later: the
   * values k8s.io/apiserver's etcd3 client factory uses).
   */
  readonly keepalive?: KeepaliveOptions;
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
  private readonly channel: GrpcChannel;
  private readonly ns: string;
  private readonly watchers = new Set<EtcdWatch>();
  private readonly compactor: Compactor;
  /** Set once close() starts: no new calls or watches from then on. */
  private closing?: Promise<void>;

  constructor(opts: Etcd3StorageOptions) {
    if (opts.endpoints.length === 0) throw new StorageError('Unavailable', 'etcd3 storage needs at least one endpoint');
    this.ns = opts.prefix ?? '';
    this.channel = new GrpcChannel({
      endpoints: opts.endpoints,
      timeoutMs: opts.requestTimeoutMs ?? 10_000,
      tls: opts.tls,
      keepalive: opts.keepalive ?? { intervalMs: 30_000, timeoutMs: 10_000 },
    });
    this.compactor = startCompactor(this, opts);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkKey(key);
    const k = this.ns + key;
    const res = await this.txn({
      compare: [{ key: k, target: 'create', result: 'equal', revision: 0 }],
      success: [{ put: { key: k, value } }],
      failure: [],
    });
    if (!res.succeeded) throw new StorageError('KeyExists', `key ${key} already exists`, { key });
    return { key, value, createRevision: res.revision, modRevision: res.revision };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.range({ key: this.ns + key });
    const kv = res.kvs[0];
    return kv ? this.toKeyValue(kv) : undefined;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = this.ns + key;
    const res = await this.txn({
      compare: [{ key: k, target: 'mod', result: 'equal', revision: expectedModRevision }],
      success: [{ put: { key: k, value, prevKv: true } }],
      failure: [{ range: { key: k } }],
    });
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.range?.kvs[0], expectedModRevision);
    const prev = res.responses[0]?.put?.prevKv;
    // The compare held, so the key existed: prev_kv is present.
    return { key, value, createRevision: prev ? prev.createRevision : res.revision, modRevision: res.revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.ns + key;
    const compare: Compare =
      expectedModRevision === undefined
        ? { key: k, target: 'create', result: 'greater', revision: 0 }
        : { key: k, target: 'mod', result: 'equal', revision: expectedModRevision };
    const res = await this.txn({
      compare: [compare],
      success: [{ deleteRange: { key: k, prevKv: true } }],
      failure: [{ range: { key: k } }],
    });
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.range?.kvs[0], expectedModRevision);
    const prev = res.responses[0]?.deleteRange?.prevKvs[0];
    if (!prev) throw new StorageError('KeyNotFound', `key ${key} not found`, { key });
    return { key, value: prev.value, createRevision: prev.createRevision, modRevision: res.revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? `${opts.startAfter}\u0000` : prefix;
    const res = await this.range({
      key: this.ns + from,
      rangeEnd: this.rangeEnd(prefix),
      revision: opts.revision || 0,
      limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
    });
    const items = res.kvs.map((kv) => this.toKeyValue(kv));
    const remaining = Math.max(0, res.count - items.length);
    return { items, revision: opts.revision || res.revision, more: res.more, remaining };
  }

  watch(prefix: string, opts: WatchOptions, handlers: WatchHandlers): Watcher {
    if (this.closing) return WatchHub.failed(handlers, closedError());
    const w = new EtcdWatch(this, prefix, opts.afterRevision, !opts.previousKnown, handlers, () => this.watchers.delete(w));
    this.watchers.add(w);
    w.start();
    return w;
  }

  async currentRevision(): Promise<number> {
    return (await this.range({ key: this.ns + COMPACT_REV_KEY, keysOnly: true })).revision;
  }

  async compactedRevision(): Promise<number> {
    const kv = (await this.range({ key: this.ns + COMPACT_REV_KEY })).kvs[0];
    return kv ? Number(kv.value) || 0 : 0;
  }

  async compact(revision: number): Promise<void> {
    const k = this.ns + COMPACT_REV_KEY;
    const current = await this.range({ key: k });
    checkCompactRevision(revision, current.revision);
    const recorded = current.kvs[0];
    if (recorded && Number(recorded.value) >= revision) return;
    // Record first, guarded by the record's own revision: of several replicas compacting at
    // once, one wins and the others skip (compact.go uses the key's version the same way).
    const res = await this.txn({
      compare: [
        recorded
          ? { key: k, target: 'mod', result: 'equal', revision: recorded.modRevision }
          : { key: k, target: 'create', result: 'equal', revision: 0 },
      ],
      success: [{ put: { key: k, value: String(revision) } }],
      failure: [],
    });
    if (!res.succeeded) return;
    try {
      await this.call(KV_COMPACT, compactionRequest(revision, true), decodeHeaderOnly);
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'Compacted')) throw e;
    }
  }

  async ping(): Promise<void> {
    await this.call(MAINTENANCE_STATUS, [], decodeHeaderOnly);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.compactor.stop();
    for (const w of [...this.watchers]) w.fail(closedError());
    this.channel.close();
  }

  // ---- used by EtcdWatch --------------------------------------------------------------------

  /** Open an etcd Watch stream over `prefix` from afterRevision + 1. */
  openWatch(prefix: string, afterRevision: number, prevKv: boolean, onResponse: (res: WatchResponse) => void, onClose: () => void): GrpcStream {
    const stream = this.channel.stream(WATCH, {
      onMessage: (buf, start, end) => onResponse(decodeWatchResponse(buf, start, end)),
      onClose,
    });
    stream.send(grpcFrame(watchCreateRequest(this.ns + prefix, this.rangeEnd(prefix), afterRevision + 1, prevKv)));
    return stream;
  }

  eventOf(ev: WatchEvent): StorageEvent {
    const key = this.unprefix(ev.kv.key);
    const revision = ev.kv.modRevision;
    const prev = ev.prevKv;
    if (ev.type === 'delete') {
      return {
        type: 'delete',
        key,
        value: prev ? prev.value : '',
        revision,
        createRevision: prev ? prev.createRevision : 0,
        prevModRevision: prev ? prev.modRevision : undefined,
      };
    }
    const base = { type: 'put' as const, key, value: ev.kv.value, revision, createRevision: ev.kv.createRevision };
    if (ev.kv.version === 1 || !prev) return base;
    return { ...base, prevValue: prev.value, prevModRevision: prev.modRevision };
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private txn(t: TxnRequest): Promise<TxnResponse> {
    return this.call(KV_TXN, txnRequest(t), decodeTxnResponse);
  }

  private range(r: RangeRequest): Promise<RangeResponse> {
    return this.call(KV_RANGE, rangeRequest(r), decodeRangeResponse);
  }

  /** One unary call; its failure as a StorageError. */
  private async call<T>(path: string, fields: Field[], decode: Decode<T>): Promise<T> {
    if (this.closing) throw closedError();
    try {
      return await this.channel.unary(path, grpcFrame(fields), decode);
    } catch (e) {
      throw toStorageError(e);
    }
  }

  private unprefix(key: string): string {
    return key.slice(this.ns.length);
  }

  /** The etcd range end covering every key that starts with ns+prefix. */
  private rangeEnd(prefix: string): Buffer {
    const start = Buffer.from(this.ns + prefix);
    for (let i = start.length - 1; i >= 0; i--) {
      if (start[i]! < 0xff) {
        const end = Buffer.from(start.subarray(0, i + 1));
        end[i]!++;
        return end;
      }
    }
    return Buffer.from([0]); // every key
  }

  private toKeyValue(kv: EtcdKeyValue): KeyValue {
    return { key: this.unprefix(kv.key), value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision };
  }

  private casFailure(key: string, current: EtcdKeyValue | undefined, expected: number | undefined): StorageError {
    if (!current) return new StorageError('KeyNotFound', `key ${key} not found`, { key });
    const found = current.modRevision;
    return new StorageError('Conflict', `key ${key} was modified: expected revision ${expected}, found ${found}`, {
      key,
      revision: found,
    });
  }
}

/**
 * One watch on one etcd Watch stream. We keep our own resume point (the last revision delivered)
 * and reopen the stream from there whenever it drops (etcd restarted, connection lost), with a
 * backoff from 100 ms doubling to 1 s, until stopped.
 */
class EtcdWatch implements Watcher {
  private stream?: GrpcStream;
  private retryMs = RETRY_MIN_MS;
  private retryTimer?: NodeJS.Timeout;
  private last: number;
  private done = false;

  constructor(
    private readonly store: Etcd3Storage,
    private readonly prefix: string,
    afterRevision: number,
    private readonly prevKv: boolean,
    private readonly handlers: WatchHandlers,
    private readonly onDone: () => void,
  ) {
    this.last = afterRevision;
  }

  start(): void {
    this.retryTimer = undefined;
    if (this.done) return;
    this.stream = this.store.openWatch(
      this.prefix,
      this.last,
      this.prevKv,
      (res) => this.receive(res),
      () => this.reopenLater(),
    );
  }

  stop(): void {
    this.end();
  }

  /** End with `err` (reported after this call returns). */
  fail(err: StorageError): void {
    if (this.done) return;
    this.end();
    queueMicrotask(() => this.handlers.onError(err));
  }

  private receive(res: WatchResponse): void {
    if (this.done) return;
    if (res.created) this.retryMs = RETRY_MIN_MS;
    if (res.canceled) {
      // watch.go: etcd cancels a watch whose start revision is compacted, with compact_revision.
      this.fail(
        res.compactRevision > 0
          ? new StorageError('Compacted', `the requested revision has been compacted (etcd compacted up to ${res.compactRevision})`)
          : new StorageError('Unavailable', `etcd cancelled the watch${res.cancelReason ? `: ${res.cancelReason}` : ''}`),
      );
      return;
    }
    for (const ev of res.events) {
      if (this.done) return;
      const event = this.store.eventOf(ev);
      if (event.revision <= this.last) continue; // replayed after a reconnect
      this.last = event.revision;
      this.deliver(event);
    }
  }

  private reopenLater(): void {
    this.stream = undefined;
    if (this.done) return;
    if (this.store.isClosing) return this.fail(closedError());
    this.retryTimer = setTimeout(() => this.start(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.onDone();
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  private deliver(event: StorageEvent): void {
    try {
      this.handlers.onEvent(event);
    } catch (e) {
      this.fail(new StorageError('Internal', `watch handler failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;

function toStorageError(e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/required revision has been compacted/.test(message)) {
    return new StorageError('Compacted', 'the requested revision has been compacted');
  }
  if (/required revision is a future revision/.test(message)) {
    return new StorageError('TooLarge', 'the requested revision is in the future');
  }
  // etcd refuses a request over its --max-request-bytes; the server answers that as too large.
  if (/request is too large/.test(message)) return new StorageError('ValueTooLarge', message);
  // A full etcd (its quota reached) answers every write with this until defragmented and
  // disarmed; kube-apiserver passes it on as a 500 with etcd's message.
  if (/database space exceeded/.test(message)) return new StorageError('Internal', message);
  return new StorageError('Unavailable', `etcd request failed: ${message}`);
}

function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}
