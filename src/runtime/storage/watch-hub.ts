// In-process watch fan-out for backends whose writes all happen in this process (memory,
// sqlite) and for the watch cache. The write path calls publish() after a write commits; every
// watcher has its own queue drained asynchronously, so a slow or throwing handler never blocks a
// writer or another watcher, and events reach each watcher in revision order exactly once.
// `inline` hubs hand live events to idle watchers from publish() itself, for callers that
// publish outside any writer's path (the watch cache, from setImmediate): a microtask per watcher
// per event is a real cost at thousands of watchers.
//
// Contract for callers: add() must receive the backlog (events after the watcher's start
// revision, read from history) in the same synchronous turn as any publish() that could follow,
// so no event falls between the backlog and the live stream.

import { StorageError } from './interface.js';
import type { StorageEvent, WatchHandlers, Watcher } from './interface.js';

interface Subscription {
  readonly prefix: string;
  readonly handlers: WatchHandlers;
  readonly queue: StorageEvent[];
  /** Revision of the last event queued; publish() skips anything at or below it. */
  lastRevision: number;
  draining: boolean;
  stopped: boolean;
  pendingError?: StorageError;
}

export class WatchHub {
  private readonly subs = new Set<Subscription>();

  constructor(private readonly opts: { readonly inline?: boolean } = {}) {}

  get size(): number {
    return this.subs.size;
  }

  add(prefix: string, afterRevision: number, backlog: readonly StorageEvent[], handlers: WatchHandlers): Watcher {
    const sub: Subscription = {
      prefix,
      handlers,
      queue: backlog.filter((e) => e.revision > afterRevision && e.key.startsWith(prefix)),
      lastRevision: afterRevision,
      draining: false,
      stopped: false,
    };
    const last = sub.queue[sub.queue.length - 1];
    if (last) sub.lastRevision = last.revision;
    this.subs.add(sub);
    this.schedule(sub);
    return {
      stop: () => {
        sub.stopped = true;
        sub.queue.length = 0;
        this.subs.delete(sub);
      },
    };
  }

  /** A watcher that fails at once (e.g. Compacted), delivered asynchronously like any event. */
  static failed(handlers: WatchHandlers, err: StorageError): Watcher {
    let stopped = false;
    queueMicrotask(() => {
      if (!stopped) handlers.onError(err);
    });
    return { stop: () => void (stopped = true) };
  }

  publish(events: readonly StorageEvent[]): void {
    for (const sub of this.subs) {
      let added = false;
      for (const e of events) {
        if (e.revision > sub.lastRevision && e.key.startsWith(sub.prefix)) {
          sub.queue.push(e);
          sub.lastRevision = e.revision;
          added = true;
        }
      }
      if (!added) continue;
      if (this.opts.inline && !sub.draining) {
        sub.draining = true;
        this.drain(sub);
      } else {
        this.schedule(sub);
      }
    }
  }

  /** End every watcher with `err` after the events already queued for it. */
  closeAll(err: StorageError): void {
    for (const sub of this.subs) {
      sub.pendingError = err;
      this.schedule(sub);
    }
    this.subs.clear();
  }

  private schedule(sub: Subscription): void {
    if (sub.draining) return;
    sub.draining = true;
    queueMicrotask(() => this.drain(sub));
  }

  private drain(sub: Subscription): void {
    try {
      while (!sub.stopped && sub.queue.length > 0) {
        const e = sub.queue.shift()!;
        sub.handlers.onEvent(e);
      }
      if (!sub.stopped && sub.pendingError) {
        sub.stopped = true;
        sub.handlers.onError(sub.pendingError);
      }
    } catch (err) {
      // A throwing handler is a bug in the consumer; end its watch rather than skip events.
      sub.stopped = true;
      sub.queue.length = 0;
      this.subs.delete(sub);
      const message = err instanceof Error ? err.message : String(err);
      try {
        sub.handlers.onError(new StorageError('Internal', `watch handler failed: ${message}`));
      } catch {
        // nothing more we can tell this watcher
      }
    } finally {
      sub.draining = false;
    }
  }
}
