import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '../../src/runtime/storage/interface.js';
import { createSqliteStorage } from '../../src/runtime/storage/sqlite.js';
import { collect, runStorageConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'aa-gen-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = () => join(dir, `t${++n}`, 'aa-gen.db');

runStorageConformance('sqlite', async () => createSqliteStorage({ file: freshFile(), compactInterval: 0 }));

describe('sqlite backend', () => {
  it('survives reopen: same data, same history, and the revision continues', async () => {
    const file = freshFile();
    const s1 = createSqliteStorage({ file, compactInterval: 0 });
    const a = await s1.create('/r/a', 'a1');
    const a2 = await s1.update('/r/a', 'a2', a.modRevision);
    const b = await s1.create('/r/b', 'b1');
    const del = await s1.delete('/r/b');
    await s1.compact(a2.modRevision);
    const rev = await s1.currentRevision();
    await s1.close();

    const s2 = createSqliteStorage({ file, compactInterval: 0 });
    try {
      expect(await s2.currentRevision()).toBe(rev);
      expect(await s2.compactedRevision()).toBe(a2.modRevision);
      expect(await s2.get('/r/a')).toEqual(a2);
      expect(await s2.get('/r/b')).toBeUndefined();
      expect((await s2.list('/r/', { revision: b.modRevision })).items).toEqual([a2, b]);
      await expect(s2.list('/r/', { revision: a.modRevision })).rejects.toSatisfy((e: unknown) => isStorageError(e, 'Compacted'));
      // Watch resumption across the restart: history after the compacted revision is still there.
      const events = collect(s2, '/r/', a2.modRevision);
      const c = await s2.create('/r/c', 'c1');
      expect(c.modRevision).toBe(rev + 1);
      expect((await events.take(3)).map((e) => `${e.type} ${e.key} @${e.revision}`)).toEqual([
        `put /r/b @${b.modRevision}`,
        `delete /r/b @${del.modRevision}`,
        `put /r/c @${c.modRevision}`,
      ]);
      events.stop();
      // CAS against the pre-restart revision still works.
      expect((await s2.update('/r/a', 'a3', a2.modRevision)).value).toBe('a3');
    } finally {
      await s2.close();
    }
  });

  it('owns its file: a second open of the same file while in use fails with Unavailable', async () => {
    const file = freshFile();
    const s1 = createSqliteStorage({ file, compactInterval: 0 });
    try {
      let err: unknown;
      try {
        const s2 = createSqliteStorage({ file, compactInterval: 0 });
        await s2.create('/r/b', 'y');
        await s2.close();
      } catch (e) {
        err = e;
      }
      expect(isStorageError(err, 'Unavailable')).toBe(true);
    } finally {
      await s1.close();
    }
  });

  it('periodic compaction keeps the configured window of history', async () => {
    const s = createSqliteStorage({ file: freshFile(), compactInterval: 20, compactKeepRevisions: 5, compactKeepMs: 0 });
    try {
      for (let i = 0; i < 20; i++) await s.create(`/r/${i}`, 'x');
      const rev = await s.currentRevision();
      const deadline = Date.now() + 3000;
      while ((await s.compactedRevision()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await s.compactedRevision()).toBe(rev - 5);
      expect((await s.list('/r/')).items).toHaveLength(20);
    } finally {
      await s.close();
    }
  });
});
