// Rules every backend applies the same way, so the conformance suite holds for all of them.

import { StorageError } from './interface.js';
import type { KeyValue, ListResult } from './interface.js';

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new StorageError('Internal', 'storage key must be a non-empty string');
  }
}

/**
 * The revision a list reads at: the current one when none (or 0) is asked for. Older than the
 * compacted revision -> `Compacted`; newer than the current one -> `TooLarge` (etcd:
 * "mvcc: required revision is a future revision").
 */
export function checkListRevision(requested: number | undefined, current: number, compacted: number): number {
  if (!requested) return current;
  if (requested < compacted) {
    throw new StorageError(
      'Compacted',
      `revision ${requested} has been compacted; the oldest available revision is ${compacted}`,
      { revision: compacted },
    );
  }
  if (requested > current) {
    throw new StorageError('TooLarge', `revision ${requested} is in the future; the current revision is ${current}`, {
      revision: current,
    });
  }
  return requested;
}

/**
 * A watch after `afterRevision` needs the events from afterRevision+1 on; history from the
 * compacted revision on is kept (as in etcd, where a watch may start at the compact revision).
 * A watch after a future revision is allowed: it delivers writes once they happen.
 */
export function checkWatchRevision(afterRevision: number, compacted: number): StorageError | undefined {
  if (afterRevision + 1 < compacted) {
    return new StorageError(
      'Compacted',
      `cannot watch after revision ${afterRevision}: history before revision ${compacted} has been compacted`,
      { revision: compacted },
    );
  }
  return undefined;
}

/** Cut a full, key-sorted result to `limit` items and count what remains. */
export function pageResult(items: KeyValue[], revision: number, limit: number | undefined): ListResult {
  if (!limit || limit <= 0 || items.length <= limit) return { items, revision, more: false, remaining: 0 };
  return { items: items.slice(0, limit), revision, more: true, remaining: items.length - limit };
}

/** Index of the first element >= `target` in a sorted string array. */
export function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Compaction may not pass the current revision (every backend answers TooLarge alike). */
export function checkCompactRevision(revision: number, current: number): void {
  if (revision > current) {
    throw new StorageError('TooLarge', `cannot compact to revision ${revision}: current revision is ${current}`, {
      revision: current,
    });
  }
}
