// WatchHub: in-process fan-out, queued (the storage's own hub, called from the write path) or
// inline (the watch cache's hub, called from setImmediate).
import { describe, expect, it } from 'vitest';
import { WatchHub } from '../../src/runtime/storage/watch-hub.js';
import type { StorageEvent } from '../../src/runtime/storage/interface.js';

const put = (key: string, revision: number): StorageEvent => ({ type: 'put', key, value: '{}', revision, createRevision: revision });
const turn = () => new Promise<void>((r) => queueMicrotask(r));

function recorder() {
  const got: number[] = [];
  const errors: string[] = [];
  return { got, errors, handlers: { onEvent: (e: StorageEvent) => void got.push(e.revision), onError: (e: Error) => void errors.push(e.message) } };
}

describe('WatchHub', () => {
  it('queued (default): publish returns before any watcher runs', async () => {
    const hub = new WatchHub();
    const r = recorder();
    hub.add('/a/', 0, [], r.handlers);
    hub.publish([put('/a/x', 1)]);
    expect(r.got).toEqual([]);
    await turn();
    expect(r.got).toEqual([1]);
  });

  it('inline: live events reach idle watchers from publish itself, only those under their prefix', async () => {
    const hub = new WatchHub({ inline: true });
    const a = recorder();
    const b = recorder();
    hub.add('/a/', 0, [], a.handlers);
    hub.add('/b/', 0, [], b.handlers);
    await turn();
    hub.publish([put('/a/x', 1), put('/b/y', 2)]);
    expect(a.got).toEqual([1]);
    expect(b.got).toEqual([2]);
  });

  it('inline: a watcher whose backlog is still pending gets live events after it, in order', async () => {
    const hub = new WatchHub({ inline: true });
    const r = recorder();
    hub.add('/a/', 1, [put('/a/x', 1), put('/a/x', 2), put('/a/x', 3)], r.handlers);
    hub.publish([put('/a/x', 3), put('/a/x', 4)]); // 3 is already in the backlog: not twice
    expect(r.got).toEqual([]);
    await turn();
    expect(r.got).toEqual([2, 3, 4]);
  });

  it('inline: a throwing watcher is ended with an Internal error; the others still get the event', async () => {
    const hub = new WatchHub({ inline: true });
    const errors: string[] = [];
    hub.add('/a/', 0, [], {
      onEvent: () => {
        throw new Error('boom');
      },
      onError: (e) => void errors.push(e.message),
    });
    const ok = recorder();
    hub.add('/a/', 0, [], ok.handlers);
    await turn();
    hub.publish([put('/a/x', 1)]);
    hub.publish([put('/a/x', 2)]);
    expect(ok.got).toEqual([1, 2]);
    expect(errors).toEqual(['watch handler failed: boom']);
    expect(hub.size).toBe(1);
  });
});
