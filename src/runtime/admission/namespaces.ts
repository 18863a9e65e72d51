// A watched cache of the cluster's namespaces, as the namespace informer NamespaceLifecycle reads
// (client-go tools/cache reflector): list, then watch from the list's resourceVersion; a watch
// that ends is resumed from the last resourceVersion seen, one that answers 410 Expired re-lists.
// Failures back off (1 s doubling to 30 s) and are reported, never thrown.
import { describeFailure, type KubeClient, type KubeWatch, type KubeWatchError, type KubeWatchEvent } from '../auth/kube-client.js';

/** The fields of a core/v1 Namespace that admission reads. */
export interface NamespaceObject {
  readonly metadata: { readonly name: string; readonly resourceVersion?: string };
  readonly status?: { readonly phase?: string };
}

export interface NamespaceCache {
  /** The namespace as last seen, or undefined when the cache has not seen it. */
  get(name: string): NamespaceObject | undefined;
  /** True once the first list is in; false if that takes longer than `timeoutMs` (WaitForReady). */
  waitForReady(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export interface NamespaceCacheOptions {
  /** Called with each failure of the list or the watch (the cache retries by itself). */
  readonly onError?: (e: Error) => void;
  /** First retry delay; default 1 s. */
  readonly retryDelayMs?: number;
}

const collection = '/api/v1/namespaces';
const maxRetryDelayMs = 30_000;

export function watchNamespaces(client: KubeClient, opts: NamespaceCacheOptions = {}): NamespaceCache {
  const items = new Map<string, NamespaceObject>();
  let resourceVersion = '';
  let closed = false;
  let watch: KubeWatch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = opts.retryDelayMs ?? 1_000;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const report = (e: Error) => opts.onError?.(e);

  const list = async () => {
    const res = await client.request('GET', collection);
    if (res.status !== 200) throw new Error(`list of namespaces failed: ${describeFailure(res)}`);
    const body = res.body as { metadata?: { resourceVersion?: string }; items?: NamespaceObject[] };
    items.clear();
    for (const ns of body.items ?? []) if (ns?.metadata?.name) items.set(ns.metadata.name, ns);
    resourceVersion = body.metadata?.resourceVersion ?? '';
    markReady();
  };

  const onEvent = (e: KubeWatchEvent) => {
    const o = e.object as (NamespaceObject & { code?: number; message?: string }) | undefined;
    if (e.type === 'ERROR') {
      watch?.stop();
      watch = undefined;
      // 410: our resourceVersion is older than the server keeps: list again at once.
      if (o?.code === 410) resourceVersion = '';
      else report(new Error(`watch of namespaces: ${o?.message ?? 'ERROR event'}`));
      return after(o?.code === 410 ? 0 : backoff());
    }
    const rv = o?.metadata?.resourceVersion;
    if (rv) resourceVersion = rv;
    const name = o?.metadata?.name;
    if (e.type === 'BOOKMARK' || !name) return;
    if (e.type === 'DELETED') items.delete(name);
    else items.set(name, o);
  };

  const startWatch = () => {
    if (closed) return;
    // The server ends the watch after timeoutSeconds, spread as client-go's reflector does.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const started = Date.now();
    watch = client.watch(
      `${collection}?watch=1&resourceVersion=${encodeURIComponent(resourceVersion)}&allowWatchBookmarks=true&timeoutSeconds=${timeoutSeconds}`,
      {
        onEvent,
        onEnd: (err?: KubeWatchError) => {
          watch = undefined;
          if (err) report(err);
          if (err?.response?.status === 410) resourceVersion = '';
          // A watch that ran long ended normally: resume now. One that ended quickly backs off.
          if (Date.now() - started >= maxRetryDelayMs) delay = opts.retryDelayMs ?? 1_000;
          after(err || Date.now() - started < maxRetryDelayMs ? backoff() : 0);
        },
      },
      { idleTimeoutMs: (timeoutSeconds + 60) * 1000 },
    );
  };

  const backoff = () => {
    const d = delay;
    delay = Math.min(delay * 2, maxRetryDelayMs);
    return d;
  };

  /** After `ms`: list when there is no resourceVersion to resume from, then watch. */
  const after = (ms: number) => {
    if (closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      (resourceVersion ? Promise.resolve() : list()).then(startWatch, (e: Error) => {
        report(e);
        after(backoff());
      });
    }, ms);
    timer.unref();
  };

  after(0);
  return {
    get: (name) => items.get(name),
    async waitForReady(timeoutMs) {
      let t: NodeJS.Timeout | undefined;
      const late = new Promise<false>((r) => (t = setTimeout(() => r(false), timeoutMs)));
      try {
        return await Promise.race([ready.then(() => true as const), late]);
      } finally {
        clearTimeout(t);
      }
    },
    close() {
      closed = true;
      watch?.stop();
      watch = undefined;
      if (timer) clearTimeout(timer);
    },
  };
}
