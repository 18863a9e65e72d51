import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import { startCompactor } from '../../src/runtime/storage/compactor.js';
import { runStorageConformance } from './conformance.js';

runStorageConformance('memory', async () => createMemoryStorage({ compactInterval: 0 }));

describe('compactor (pkg/storage/etcd3/compact.go, with a revision and a time window)', () => {
  it('keeps the larger of the two windows', async () => {
    const s = createMemoryStorage({ compactInterval: 0 });
    let now = 0;
    const c = startCompactor(s, { compactInterval: 0, compactKeepRevisions: 5, compactKeepMs: 1000 }, () => now);
    for (let i = 0; i < 20; i++) await s.create(`/k/${i}`, 'x');
    // No sample is old enough yet: the time window keeps everything.
    expect(await c.tick()).toBe(0);
    for (let i = 20; i < 30; i++) await s.create(`/k/${i}`, 'x');
    now = 1500;
    // The time window reaches back to revision 21 (seen at t=0); the revision window to 31-5=26.
    expect(await c.tick()).toBe(21);
    expect(await s.compactedRevision()).toBe(21);
    now = 3000;
    // Nothing written since: the revision window (31-5=26) now bounds it.
    expect(await c.tick()).toBe(26);
    c.stop();
    await s.close();
  });
});
