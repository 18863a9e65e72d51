// Watches of the generic registry store: storage events translated into watch events in the
// watched version, with the cacher's selector rules, bookmarks and error mapping.
import { errors } from '../errors.js';
import type { StorageError, StorageEvent } from '../storage/interface.js';
import type { StoreCore } from './core.js';
import { parseFieldSelector } from './fields.js';
import type { FieldSelector } from './fields.js';
import type { WatchEvent, WatchQuery, WatchStream } from './interface.js';
import { parseLabelSelector } from './labels.js';
import type { LabelSelector } from './labels.js';
import { parseResourceVersion, tooLargeResourceVersion, validateWatchOptions } from './options.js';
import { matches, matchesHub, waitForRevision } from './reads.js';
import { EventStream } from './watch-stream.js';

type Json = Record<string, unknown>;

/** One store's watches; one instance per store, so watchers of it share translations. */
export class Watches {
  private lastTranslated?: { ev: StorageEvent; version: string; out: WatchEvent | undefined };

  constructor(private readonly core: StoreCore) {}

  async open(namespace: string | undefined, version: string, query: WatchQuery): Promise<WatchStream> {
    const core = this.core;
    core.versionDef(version);
    validateWatchOptions(query);
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector, core.fieldSet);
    const rv = parseResourceVersion(query.resourceVersion, core.gr);
    const prefix = core.listPrefix(namespace);
    const stream = new EventStream(core.maxWatchQueue);
    const initial = query.sendInitialEvents;
    let startRevision: number;
    if (initial === true || (initial === undefined && !rv)) {
      // The current state as synthetic ADDED events, then changes after it: a legacy watch from
      // "" or "0", or watch-list, whose state is not older than the resourceVersion given.
      if (rv) await waitForRevision(core, rv);
      const page = await core.storage.list(prefix);
      startRevision = page.revision;
      for (const kv of page.items) {
        if (matches(core, kv, labels, fields)) stream.push({ type: 'ADDED', object: core.views.view(kv.key, kv.value, kv.modRevision, version) });
      }
      // cacher.go: the end of the initial events is a bookmark, for clients that take bookmarks.
      if (initial && query.allowWatchBookmarks) stream.push(this.bookmark(version, startRevision, { 'k8s.io/initial-events-end': 'true' }));
    } else {
      startRevision = rv || (await core.storage.currentRevision()); // sendInitialEvents=false from "" or "0": from now
    }
    let lastRevision = startRevision;
    const watcher = core.storage.watch(prefix, { afterRevision: startRevision }, {
      onEvent: (ev) => {
        if (stream.isEnded) return;
        lastRevision = Math.max(lastRevision, ev.revision);
        try {
          const out = labels.empty && fields.empty ? this.translateAll(ev, version, labels, fields) : this.translate(ev, version, labels, fields);
          if (out) stream.push(out);
        } catch (e) {
          stream.push({ type: 'ERROR', object: errors.internal(e).toStatus() as unknown as Json });
          stream.end();
        }
      },
      onError: (err) => watchFailed(stream, err, startRevision),
    });
    stream.onStop(() => watcher.stop());
    if (query.allowWatchBookmarks) {
      const timer = setInterval(() => stream.push(this.bookmark(version, lastRevision)), core.bookmarkIntervalMs);
      timer.unref?.();
      stream.onStop(() => clearInterval(timer));
    }
    return stream;
  }

  /** A BOOKMARK: the kind, its version and a resourceVersion, nothing else (watch.go). */
  private bookmark(version: string, revision: number, annotations?: Record<string, string>): WatchEvent {
    const { kind } = this.core;
    return {
      type: 'BOOKMARK',
      object: {
        apiVersion: `${kind.group}/${version}`,
        kind: kind.kind,
        metadata: { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) },
      },
    };
  }

  /**
   * translate() for watchers without selectors, whose result depends only on (event, version):
   * the storage hands the same event to every watcher of a prefix in turn, so the last result
   * is kept and shared (events are never mutated) rather than built again per watcher.
   */
  private translateAll(ev: StorageEvent, version: string, none: LabelSelector, noFields: FieldSelector): WatchEvent | undefined {
    const last = this.lastTranslated;
    if (last && last.ev === ev && last.version === version) return last.out;
    const out = this.translate(ev, version, none, noFields);
    this.lastTranslated = { ev, version, out };
    return out;
  }

  /** The cacher's rule: selectors are applied to the old and new state of every change. */
  private translate(ev: StorageEvent, version: string, labels: LabelSelector, fields: FieldSelector) {
    const { core } = this;
    const views = core.views;
    const prevValue = ev.type === 'delete' ? ev.value : ev.prevValue;
    const prevRevision = ev.prevModRevision;
    const curPasses = ev.type === 'put' && matchesHub(core, views.hubOf(ev.key, ev.value, ev.revision), labels, fields);
    const oldPasses =
      prevValue !== undefined && matchesHub(core, views.hubOf(ev.key, prevValue, prevRevision, ev.revision), labels, fields);
    if (curPasses && !oldPasses) return { type: 'ADDED' as const, object: views.view(ev.key, ev.value, ev.revision, version) };
    if (curPasses && oldPasses) return { type: 'MODIFIED' as const, object: views.view(ev.key, ev.value, ev.revision, version) };
    if (oldPasses) {
      // The last state the watcher saw, with the resourceVersion of the change that removed it.
      return { type: 'DELETED' as const, object: views.view(ev.key, prevValue!, ev.revision, version, 'gone') };
    }
    return undefined;
  }
}

function watchFailed(stream: EventStream, err: StorageError, startRevision: number): void {
  if (stream.isEnded) return;
  if (err.code === 'Compacted') {
    const oldest = (err.revision ?? 1) - 1;
    stream.push({
      type: 'ERROR',
      object: errors.expired(`too old resource version: ${startRevision} (${oldest})`).toStatus() as unknown as Json,
    });
  } else if (err.code === 'TooLarge') {
    stream.push({ type: 'ERROR', object: tooLargeResourceVersion(startRevision, err.revision ?? 0).toStatus() as unknown as Json });
  }
  // Other failures (storage closed or gone) end the stream; clients re-watch from their last RV.
  stream.end();
}
