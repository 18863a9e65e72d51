// Periodic compaction that keeps a window of history (after k8s.io/apiserver
// pkg/storage/etcd3/compact.go, which compacts every 5 minutes to the revision seen at the
// previous tick). Here the window is "the last `keepRevisions` revisions or the last `keepMs`
// of history, whichever keeps more": each tick compacts to
//   min(current - keepRevisions, the revision current `keepMs` ago)
// so a watcher that fell behind by less than either bound can always resume.

export interface CompactionPolicy {
  /** How often to compact, in ms (default 60 000; 0 disables periodic compaction). */
  readonly compactInterval?: number;
  /** Always keep at least this many recent revisions (default 1000). */
  readonly compactKeepRevisions?: number;
  /** Always keep at least this much recent history, in ms (default 300 000 = 5 minutes). */
  readonly compactKeepMs?: number;
}

export const DEFAULT_COMPACT_INTERVAL_MS = 60_000;
export const DEFAULT_COMPACT_KEEP_REVISIONS = 1000;
export const DEFAULT_COMPACT_KEEP_MS = 300_000;

export interface CompactTarget {
  currentRevision(): Promise<number>;
  compactedRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
}

export interface Compactor {
  /** Run one compaction step now (also what the timer calls). Resolves to the revision compacted to, or 0. */
  tick(): Promise<number>;
  stop(): void;
}

export function startCompactor(target: CompactTarget, policy: CompactionPolicy = {}, now: () => number = Date.now): Compactor {
  const interval = policy.compactInterval ?? DEFAULT_COMPACT_INTERVAL_MS;
  const keepRevisions = policy.compactKeepRevisions ?? DEFAULT_COMPACT_KEEP_REVISIONS;
  const keepMs = policy.compactKeepMs ?? DEFAULT_COMPACT_KEEP_MS;
  // (time, revision) samples, oldest first; only the newest one older than keepMs matters.
  const samples: { at: number; revision: number }[] = [];
  let running = false;

  async function tick(): Promise<number> {
    if (running) return 0;
    running = true;
    try {
      const t = now();
      const current = await target.currentRevision();
      samples.push({ at: t, revision: current });
      while (samples.length >= 2 && samples[1].at <= t - keepMs) samples.shift();
      const timeBound = samples[0].at <= t - keepMs ? samples[0].revision : 0;
      const target_ = Math.min(current - keepRevisions, keepMs > 0 ? timeBound : current);
      if (target_ <= (await target.compactedRevision())) return 0;
      await target.compact(target_);
      return target_;
    } finally {
      running = false;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  if (interval > 0) {
    timer = setInterval(() => {
      tick().catch(() => {
        // Compaction is best effort: a failed tick retries at the next one.
      });
    }, interval);
    timer.unref();
  }
  return {
    tick,
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
