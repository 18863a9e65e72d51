// The WatchStream handed to HTTP handlers, fed by storage callbacks: read either as an async
// iterable or, for the HTTP fan-out, pushed to a sink. Events queue without blocking the
// producer; a consumer that falls `maxQueue` events behind is cut off (the stream ends, the
// client re-watches from its last resourceVersion), as kube's cacher closes unresponsive watchers
// instead of buffering without bound.
import type { WatchConsumer, WatchEvent, WatchSink, WatchStream } from './interface.js';

export class EventStream implements WatchStream {
  private readonly queue: WatchEvent[] = [];
  private waiter: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  private sink: WatchSink | undefined;
  private paused = false;
  private sinkEnded = false;
  private ended = false;
  private stopped = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly maxQueue: number) {}

  /** Register what stop() must release (storage watcher, timers). */
  onStop(fn: () => void): void {
    if (this.stopped) fn();
    else this.cleanups.push(fn);
  }

  push(event: WatchEvent): void {
    if (this.ended) return;
    if (this.sink !== undefined && !this.paused && this.queue.length === 0) {
      if (!this.sink.event(event)) this.paused = true;
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: event, done: false });
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.end();
      return;
    }
    this.queue.push(event);
  }

  /** No more events: iteration finishes once the queue drains. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    if (this.queue.length > 0) return;
    if (this.sink !== undefined) {
      if (!this.paused) this.endSink();
    } else if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  stop(): void {
    this.queue.length = 0;
    this.end();
    if (this.sink !== undefined) this.endSink(); // also when paused: nothing more will come
  }

  get isEnded(): boolean {
    return this.ended;
  }

  consume(sink: WatchSink): WatchConsumer {
    if (this.sink !== undefined) throw new Error('a watch stream has one consumer');
    this.sink = sink;
    const resume = (): void => {
      if (this.sink !== sink || this.sinkEnded) return;
      this.paused = false;
      while (!this.paused && this.queue.length > 0) {
        if (!sink.event(this.queue.shift()!)) this.paused = true;
      }
      if (!this.paused && this.ended && this.queue.length === 0) this.endSink();
    };
    // What queued before the consumer came (backlog, initial events) goes out first, in order.
    queueMicrotask(resume);
    return { resume };
  }

  private endSink(): void {
    if (this.sinkEnded) return;
    this.sinkEnded = true;
    this.sink!.end();
  }

  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // Releasing is best effort; a failing cleanup must not break the others.
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => {
        const event = this.queue.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: () => {
        this.stop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
