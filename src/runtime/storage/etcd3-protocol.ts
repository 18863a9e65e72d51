// The messages between the etcd3 storage proxy (server thread, etcd3-threaded.ts) and the worker
// thread that runs the etcd3 client (etcd3-worker.ts). Both sides send arrays of messages, one
// array per event-loop turn, so postMessage's fixed cost is paid once per batch, not per call.
// Messages are small tuples (structured clone of arrays of strings and numbers is cheap).

import { StorageError } from './interface.js';
import type { StorageErrorCode } from './interface.js';
import type { Etcd3StorageOptions } from './etcd3.js';

/** Data handed to the worker at start: the options for the in-thread etcd3 storage it runs. */
export interface Etcd3WorkerData {
  readonly options: Etcd3StorageOptions;
}

/** Server thread -> worker: one call or watch control. `id` is a call id or a watch id. */
export type ToWorker =
  | readonly [op: 'create', id: number, key: string, value: string]
  | readonly [op: 'get', id: number, key: string]
  | readonly [op: 'update', id: number, key: string, value: string, expectedModRevision: number]
  | readonly [op: 'delete', id: number, key: string, expectedModRevision: number | undefined]
  | readonly [op: 'list', id: number, prefix: string, revision: number, limit: number, startAfter: string | undefined]
  | readonly [op: 'currentRevision' | 'compactedRevision' | 'ping', id: number]
  | readonly [op: 'compact', id: number, revision: number]
  | readonly [op: 'watch', watchId: number, prefix: string, afterRevision: number, previousKnown: boolean]
  | readonly [op: 'unwatch', watchId: number];

/** A StorageError across the thread boundary. */
export type ErrorTuple = readonly [code: StorageErrorCode, message: string, key: string | undefined, revision: number | undefined];

/**
 * Worker -> server thread. `ok` results are per op: create -> revision; update -> [createRevision,
 * modRevision]; get/delete/list/... -> what the Storage method returns. A watch's events and its
 * terminal error carry the watch id.
 */
export type FromWorker =
  | readonly [kind: 'ok', id: number, result: unknown]
  | readonly [kind: 'err', id: number, error: ErrorTuple]
  | readonly [kind: 'event', watchId: number, event: unknown]
  | readonly [kind: 'watchError', watchId: number, error: ErrorTuple];

/** Sent (alone, not in a batch) to ask the worker to close its storage; it answers 'closed'. */
export const CLOSE = 'close';
export const CLOSED = 'closed';

export function errorTuple(e: unknown): ErrorTuple {
  if (e instanceof StorageError) return [e.code, e.message, e.key, e.revision];
  return ['Internal', e instanceof Error ? e.message : String(e), undefined, undefined];
}

export function errorOf(t: ErrorTuple): StorageError {
  const opts: { key?: string; revision?: number } = {};
  if (t[2] !== undefined) opts.key = t[2];
  if (t[3] !== undefined) opts.revision = t[3];
  return new StorageError(t[0], t[1], opts);
}

/** Collects messages and sends them as one array at the end of this event-loop turn. */
export class Batcher<T> {
  private queue: T[] = [];
  private scheduled = false;

  constructor(private readonly send: (batch: T[]) => void) {}

  push(msg: T): void {
    this.queue.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Drop what is queued and not yet sent. */
  discard(): void {
    this.queue = [];
  }

  /** Send what is queued now (also what the scheduled turn does). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.send(batch);
  };
}
