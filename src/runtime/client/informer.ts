// An informer keeps an in-memory copy of a resource in step with the server, the way
// client-go's reflector + DeltaFIFO + indexer do (k8s.io/client-go/tools/cache/reflector.go,
// shared_informer.go): list (paged), then watch from the list's resourceVersion, resume the
// watch from the last seen version when a stream ends or the connection drops (with backoff),
// relist from scratch on 410 Expired, and on a timer re-deliver every cached object as an update
// (resync). Handlers see add/update/delete; the lister answers reads from the cache.
import type { KubeObject } from '../api.js';
import { parseLabelSelectorOrThrow, type LabelSelector } from '../registry/labels.js';
import { isExpired } from './errors.js';
import type { KubeList, ClientListOptions, Watch, ClientWatchOptions } from './resource-client.js';
import { encodeLabelSelector, type FieldSelectorInput, type LabelSelectorInput } from './selectors.js';

/** What an informer needs from a client: list and watch (a ResourceClient has both). */
export interface ListWatcher<T extends KubeObject, F extends string = string> {
  list(options?: ClientListOptions<F>): Promise<KubeList<T>>;
  watch(options?: ClientWatchOptions<F>): Watch<T>;
  /** When present, `namespace` in InformerOptions narrows the client with it. */
  withNamespace?(namespace: string | undefined): ListWatcher<T, F>;
}

export interface InformerOptions<F extends string = string> {
  /** Only this namespace (needs a client with `withNamespace`, as ResourceClient has). */
  readonly namespace?: string;
  readonly labelSelector?: LabelSelectorInput;
  readonly fieldSelector?: FieldSelectorInput<F>;
  /** Re-deliver every cached object as an update this often; 0 or unset: never. */
  readonly resyncPeriodMs?: number;
  /** Page size of the list (default 500). */
  readonly pageSize?: number;
  /** First retry delay after a failure (default 250 ms); doubles up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  /** Default 30 s. */
  readonly maxBackoffMs?: number;
}

export interface Handlers<T> {
  add: (obj: T) => void;
  /** Also called by resync with the same object twice. */
  update: (oldObj: T, newObj: T) => void;
  /** The last state known (from the DELETED event, or the cache when a relist found it gone). */
  delete: (obj: T) => void;
  /** A list or watch failure the informer will retry after (handlers' own throws too). */
  error: (err: unknown) => void;
}

export interface ListerListOptions {
  readonly namespace?: string;
  readonly labelSelector?: LabelSelectorInput | LabelSelector;
}

/** Reads from an informer's cache; objects are the ones the informer delivered (do not mutate). */
export interface Lister<T> {
  /** A namespaced object, or (one argument) a cluster-scoped one. */
  get(namespace: string | undefined, name: string): T | undefined;
  get(name: string): T | undefined;
  /** Matching objects, sorted by namespace then name. */
  list(options?: ListerListOptions): T[];
}

export interface Informer<T> {
  on<E extends keyof Handlers<T>>(event: E, handler: Handlers<T>[E]): this;
  off<E extends keyof Handlers<T>>(event: E, handler: Handlers<T>[E]): this;
  /** Starts list + watch; resolves once the first list has been delivered (or on stop). */
  start(): Promise<void>;
  /** True once the first list has been delivered to handlers and the lister. */
  hasSynced(): boolean;
  /** Resolves when synced (or stopped). */
  waitForSync(): Promise<void>;
  /** The resourceVersion the informer is at (of the last list or event). */
  readonly resourceVersion: string | undefined;
  readonly lister: Lister<T>;
  /** Ends the watch and every timer; resolves when the loop has exited. Handlers get nothing after. */
  stop(): Promise<void>;
}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function toLabelSelector(s: LabelSelectorInput | LabelSelector | undefined): LabelSelector | undefined {
  if (s === undefined) return undefined;
  if (typeof s === 'object' && 'matches' in s && typeof s.matches === 'function') return s as LabelSelector;
  const text = encodeLabelSelector(s as LabelSelectorInput);
  return text === undefined ? undefined : parseLabelSelectorOrThrow(text);
}

function compareKeys(a: KubeObject, b: KubeObject): number {
  const ka = [a.metadata?.namespace ?? '', a.metadata?.name ?? ''];
  const kb = [b.metadata?.namespace ?? '', b.metadata?.name ?? ''];
  return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
}

export function createInformer<T extends KubeObject, F extends string = string>(
  client: ListWatcher<T, F>,
  options: InformerOptions<F> = {},
): Informer<T> {
  const source = options.namespace !== undefined && client.withNamespace ? client.withNamespace(options.namespace) : client;
  const cache = new Map<string, T>();
  const handlers: { [E in keyof Handlers<T>]: Set<Handlers<T>[E]> } = {
    add: new Set(),
    update: new Set(),
    delete: new Set(),
    error: new Set(),
  };
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let resourceVersion: string | undefined;
  let synced = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let currentWatch: Watch<T> | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  // Aborts an in-flight list on stop (a watch is stopped through currentWatch).
  const stopping = new AbortController();
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));

  function report(err: unknown): void {
    for (const h of handlers.error) {
      try {
        h(err);
      } catch {
        // An error handler that throws has nowhere further to report to.
      }
    }
  }

  function deliver<E extends 'add' | 'update' | 'delete'>(event: E, ...args: Parameters<Handlers<T>[E]>): void {
    if (stopped) return;
    for (const h of handlers[event]) {
      try {
        (h as (...a: unknown[]) => void)(...args);
      } catch (err) {
        report(err);
      }
    }
  }

  /** Sleeps `ms`, or less when stopped. */
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  /** Paged list, then the cache replaced by it: adds, updates (changed RV) and deletes. */
  async function relist(): Promise<void> {
    const items: T[] = [];
    let token: string | undefined;
    let listRV: string | undefined;
    do {
      const page = await source.list({
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.pageSize ?? 500,
        continue: token,
        signal: stopping.signal,
      });
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
      listRV = page.metadata?.resourceVersion;
    } while (token !== undefined && !stopped);
    if (stopped) return;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = cache.get(key);
      cache.set(key, obj);
      if (old === undefined) deliver('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) deliver('update', old, obj);
    }
    for (const [key, old] of [...cache]) {
      if (!seen.has(key)) {
        cache.delete(key);
        deliver('delete', old);
      }
    }
    resourceVersion = listRV;
    if (!synced) {
      synced = true;
      markSynced();
    }
  }

  /** Watches from `resourceVersion` until the stream ends; true when any event arrived. */
  async function watchOnce(): Promise<boolean> {
    const w = source.watch({
      resourceVersion,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      allowWatchBookmarks: true,
      // client-go's reflector: a random 5-10 minutes, so watches of many clients do not end together.
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    });
    currentWatch = w;
    let any = false;
    try {
      for await (const event of w) {
        any = true;
        if (event.type === 'BOOKMARK') {
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          continue;
        }
        const obj = event.object;
        const key = keyOf(obj);
        const old = cache.get(key);
        if (event.type === 'DELETED') {
          cache.delete(key);
          deliver('delete', obj);
        } else {
          cache.set(key, obj);
          if (old === undefined) deliver('add', obj);
          else deliver('update', old, obj);
        }
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
      }
    } finally {
      currentWatch = undefined;
    }
    return any;
  }

  async function run(): Promise<void> {
    let needList = true;
    let backoff = initialBackoff;
    while (!stopped) {
      try {
        if (needList) {
          await relist();
          needList = false;
          backoff = initialBackoff;
        }
        if (stopped) break;
        const progressed = await watchOnce();
        // A stream the server ended right away (e.g. during shutdown) is retried after a pause.
        if (progressed) backoff = initialBackoff;
        else {
          await sleep(backoff);
          backoff = Math.min(backoff * 2, maxBackoff);
        }
      } catch (err) {
        if (stopped) break;
        if (isExpired(err)) {
          // The version we hold is gone from the server's history: start over from a list.
          needList = true;
          resourceVersion = undefined;
          continue;
        }
        report(err);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  function resync(): void {
    if (!synced || stopped) return;
    for (const obj of [...cache.values()]) deliver('update', obj, obj);
  }

  const lister: Lister<T> = {
    get(a: string | undefined, b?: string): T | undefined {
      return b === undefined ? cache.get(`/${a ?? ''}`) : cache.get(`${a ?? ''}/${b}`);
    },
    list(o?: ListerListOptions): T[] {
      const selector = toLabelSelector(o?.labelSelector);
      const out: T[] = [];
      for (const obj of cache.values()) {
        if (o?.namespace !== undefined && (obj.metadata?.namespace ?? '') !== o.namespace) continue;
        if (selector && !selector.matches(obj.metadata?.labels)) continue;
        out.push(obj);
      }
      return out.sort(compareKeys);
    },
  } as Lister<T>;

  const informer: Informer<T> = {
    on(event, handler) {
      (handlers[event] as Set<unknown>).add(handler);
      return informer;
    },
    off(event, handler) {
      (handlers[event] as Set<unknown>).delete(handler);
      return informer;
    },
    start() {
      if (!running && !stopped) {
        running = run();
        if (options.resyncPeriodMs && options.resyncPeriodMs > 0) {
          resyncTimer = setInterval(resync, options.resyncPeriodMs);
        }
      }
      return informer.waitForSync();
    },
    hasSynced: () => synced,
    waitForSync: () => (stopped ? Promise.resolve() : syncedPromise),
    get resourceVersion() {
      return resourceVersion;
    },
    lister,
    async stop() {
      if (stopped) return running;
      stopped = true;
      markSynced();
      stopping.abort();
      if (resyncTimer) clearInterval(resyncTimer);
      currentWatch?.stop();
      wake?.();
      await running;
    },
  };
  return informer;
}
