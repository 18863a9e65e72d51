// EventStream read by push (consume), as the HTTP watch handler reads it: order, back-pressure and
// the cut-off of a consumer that falls too far behind (apiserver pkg/storage/cacher/
// cache_watcher.go closes a watcher whose buffer is full rather than buffering without bound).
import { describe, expect, it } from 'vitest';
import { EventStream } from '../../src/runtime/registry/watch-stream.js';
import type { WatchEvent, WatchSink } from '../../src/runtime/registry/interface.js';

const ev = (n: number): WatchEvent => ({ type: 'MODIFIED', object: { metadata: { name: `o${n}` } } });
const names = (evs: WatchEvent[]) => evs.map((e) => (e.object as { metadata: { name: string } }).metadata.name);

/** A sink that records what it gets; `accept` decides each event's return value. */
function recorder(accept: (n: number) => boolean = () => true): WatchSink & { got: WatchEvent[]; ended: number } {
  const r = {
    got: [] as WatchEvent[],
    ended: 0,
    event(e: WatchEvent) {
      r.got.push(e);
      return accept(r.got.length);
    },
    end() {
      r.ended++;
    },
  };
  return r;
}

const turn = () => new Promise<void>((r) => queueMicrotask(r));

describe('EventStream.consume', () => {
  it('delivers what queued before it asynchronously and in order, then live events synchronously', async () => {
    const s = new EventStream(10);
    s.push(ev(1));
    s.push(ev(2));
    const sink = recorder();
    s.consume(sink);
    expect(sink.got).toEqual([]); // not from inside consume(): the caller may not be ready
    s.push(ev(3)); // behind the backlog, not before it
    await turn();
    expect(names(sink.got)).toEqual(['o1', 'o2', 'o3']);
    s.push(ev(4));
    expect(names(sink.got)).toEqual(['o1', 'o2', 'o3', 'o4']); // no promise in between
  });

  it('pauses when the sink returns false and delivers the queue on resume, in order', async () => {
    const s = new EventStream(10);
    let open = true;
    const sink = recorder(() => open);
    const c = s.consume(sink);
    await turn();
    open = false;
    s.push(ev(1)); // taken, and the sink asks to pause
    s.push(ev(2));
    s.push(ev(3));
    expect(names(sink.got)).toEqual(['o1']);
    open = true;
    c.resume();
    expect(names(sink.got)).toEqual(['o1', 'o2', 'o3']);
    s.push(ev(4));
    expect(names(sink.got)).toEqual(['o1', 'o2', 'o3', 'o4']);
  });

  it('ends the sink once, after the queued events, when the stream ends while paused', async () => {
    const s = new EventStream(10);
    let open = false;
    const sink = recorder(() => open);
    const c = s.consume(sink);
    await turn();
    s.push(ev(1));
    s.push(ev(2));
    s.end();
    expect(sink.ended).toBe(0);
    open = true;
    c.resume();
    expect(names(sink.got)).toEqual(['o1', 'o2']);
    expect(sink.ended).toBe(1);
    c.resume();
    s.end();
    expect(sink.ended).toBe(1);
  });

  it('stop() ends a paused sink at once and drops what was queued', async () => {
    const s = new EventStream(10);
    const sink = recorder(() => false);
    const c = s.consume(sink);
    await turn();
    s.push(ev(1));
    s.push(ev(2));
    s.stop();
    expect(sink.ended).toBe(1);
    c.resume();
    expect(names(sink.got)).toEqual(['o1']);
    s.push(ev(3));
    expect(names(sink.got)).toEqual(['o1']);
  });

  it('a consumer paused for more than maxQueue events is cut off, after what was queued', async () => {
    const s = new EventStream(3);
    let released = 0;
    s.onStop(() => released++);
    let open = false;
    const sink = recorder(() => open);
    const c = s.consume(sink);
    await turn();
    for (let i = 1; i <= 6; i++) s.push(ev(i)); // o1 taken; o2..o4 queue; o5 overflows
    expect(s.isEnded).toBe(true);
    expect(released).toBe(1); // the storage watcher is released at once
    open = true;
    c.resume();
    expect(names(sink.got)).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(sink.ended).toBe(1);
  });

  it('has one consumer', () => {
    const s = new EventStream(3);
    s.consume(recorder());
    expect(() => s.consume(recorder())).toThrow(/one consumer/);
  });

  it('iteration still works for consumers that read with for await', async () => {
    const s = new EventStream(10);
    s.push(ev(1));
    const it = s[Symbol.asyncIterator]();
    expect(names([(await it.next()).value])).toEqual(['o1']);
    const next = it.next();
    s.push(ev(2));
    expect(names([(await next).value])).toEqual(['o2']);
    s.end();
    expect((await it.next()).done).toBe(true);
  });
});
