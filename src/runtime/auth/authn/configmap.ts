// The `kube-system/extension-apiserver-authentication` configmap that kube-apiserver writes
// (API-CONTRACT 8.5; k8s.io/apiserver pkg/server/options/authentication.go): the client CA, the
// request-header CA, allowed names and header names. It is read before serving and then kept
// fresh the way upstream's informers do (pkg/authentication/request/headerrequest/
// requestheader_controller.go, pkg/server/dynamiccertificates/configmap_cafile_content.go): a
// list filtered to that one configmap, a watch from the list's resourceVersion, a re-list
// whenever the watch ends or fails (backing off 1 s doubling to 30 s while it keeps failing),
// and a slow periodic re-read as a backstop. A watch refused by the server (401/403) falls back
// to re-reading every `pollIntervalMs`. A failed re-read or a malformed value keeps the last
// good configuration, so CA rotation applies without a restart.
import { describeFailure, type KubeClient, type KubeWatch, KubeWatchError, type KubeWatchEvent } from '../kube-client.js';
import { type CABundle, parseCABundle } from './x509-chain.js';

export const authenticationConfigMap = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;

/** The configmap's contents, parsed. Lists are empty when their key is missing. */
export interface AuthenticationConfigMapData {
  readonly clientCA?: CABundle;
  readonly requestHeaderCA?: CABundle;
  readonly requestHeaderAllowedNames: readonly string[];
  readonly requestHeaderUsernameHeaders: readonly string[];
  readonly requestHeaderUIDHeaders: readonly string[];
  readonly requestHeaderGroupHeaders: readonly string[];
  readonly requestHeaderExtraHeadersPrefix: readonly string[];
}

export interface AuthenticationConfigMapSource {
  /** The last good contents (the same object until they change). */
  current(): AuthenticationConfigMapData;
  /** Re-reads now; resolves when done (tests, and the first read before serving). */
  refresh(): Promise<void>;
  /** Stops the watch and every timer. */
  close(): void;
}

/** The configmap could not be read at startup; the message says how to fix it. */
export class ConfigMapLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigMapLookupError';
  }
}

// The list endpoint filtered to the one configmap, as upstream's filtered informer asks; the
// RBAC role extension-apiserver-authentication-reader grants get, list and watch on that name.
const collection = `/api/v1/namespaces/${authenticationConfigMap.namespace}/configmaps`;
const selector = `fieldSelector=${encodeURIComponent(`metadata.name=${authenticationConfigMap.name}`)}`;

export interface ConfigMapSourceOptions {
  /** Re-read interval while the watch runs (a backstop, like an informer resync). Default 5 min; 0 disables. */
  readonly resyncIntervalMs?: number;
  /** Re-read interval when the server refuses the watch (401/403). Default 30 s; 0 disables. */
  readonly pollIntervalMs?: number;
  /** Re-list delay after a failed or short-lived watch: doubles from this up to 30 s. Default 1 s. */
  readonly retryDelayMs?: number;
  /** Background failures (the last good data stays in use). */
  readonly onError?: (err: Error) => void;
  /** After `current()` changed (the TLS server's trusted CAs follow it). */
  readonly onChange?: () => void;
  readonly timeoutMs?: number;
}

const maxRetryDelayMs = 30_000;

/** Reads the configmap once (failing with an actionable message), then keeps it fresh. */
export async function watchAuthenticationConfigMap(
  client: KubeClient,
  opts: ConfigMapSourceOptions = {},
): Promise<AuthenticationConfigMapSource> {
  const first = await fetchData(client, opts.timeoutMs);
  let data = first.data;
  let text = fingerprint(data);
  let resourceVersion = first.resourceVersion;
  let closed = false;
  let mode: 'watch' | 'poll' = 'watch';
  let watch: KubeWatch | undefined;
  let watchStarted = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let periodicTimer: NodeJS.Timeout | undefined;
  const initialDelay = opts.retryDelayMs ?? 1_000;
  let delay = initialDelay;
  const report = (e: Error) => opts.onError?.(e);

  // Unchanged contents keep the same object, so per-connection verdict caches stay valid.
  const apply = (next: AuthenticationConfigMapData) => {
    const nextText = fingerprint(next);
    if (nextText !== text) {
      text = nextText;
      data = next;
      opts.onChange?.();
    }
  };
  const refresh = async () => {
    const next = await fetchData(client, opts.timeoutMs);
    if (next.resourceVersion) resourceVersion = next.resourceVersion;
    apply(next.data);
  };

  const onEvent = (e: KubeWatchEvent) => {
    const o = e.object as WatchedObject | undefined;
    const rv = o?.metadata?.resourceVersion;
    if (e.type === 'ERROR') {
      // A Status: 410 Gone/Expired means our resourceVersion is too old; re-list at once.
      watch?.stop();
      const expired = o?.code === 410;
      onWatchEnd(expired ? undefined : new KubeWatchError(`watch of configmap ${authenticationConfigMap.name}: ${o?.message ?? 'ERROR event'}`), expired);
      return;
    }
    if (typeof rv === 'string' && rv) resourceVersion = rv;
    if (e.type === 'BOOKMARK' || o?.metadata?.name !== authenticationConfigMap.name) return;
    if (e.type === 'DELETED') return apply(parseData({}));
    try {
      apply(parseData(o?.data ?? {}));
    } catch (err) {
      report(err as Error);
    }
  };

  const startWatch = () => {
    if (closed || mode !== 'watch') return;
    // The server ends the watch after timeoutSeconds (spread, as client-go's reflector does);
    // silence well past that means a dead connection.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const rv = resourceVersion ? `&resourceVersion=${encodeURIComponent(resourceVersion)}` : '';
    watchStarted = Date.now();
    watch = client.watch(
      `${collection}?watch=1&${selector}${rv}&allowWatchBookmarks=true&timeoutSeconds=${timeoutSeconds}`,
      { onEvent, onEnd: (err) => onWatchEnd(err, false) },
      { timeoutMs: opts.timeoutMs, idleTimeoutMs: (timeoutSeconds + 60) * 1000 },
    );
  };

  const onWatchEnd = (err: KubeWatchError | undefined, expired: boolean) => {
    watch = undefined;
    if (closed) return;
    const status = err?.response?.status;
    if (status === 401 || status === 403) {
      // Not allowed to watch: keep the configuration fresh by polling, and say so once.
      mode = 'poll';
      report(new Error(`${err!.message}; re-reading the configmap every ${(opts.pollIntervalMs ?? 30_000) / 1000}s instead`));
      schedulePeriodic();
      return;
    }
    if (err) report(err);
    // A watch that ran for a long time ended normally (server timeout): re-list now. One that
    // ended quickly backs off, so a failing server is not hammered.
    const ranLong = Date.now() - watchStarted >= maxRetryDelayMs;
    if (ranLong) delay = initialDelay;
    relistAfter(expired || ranLong ? 0 : nextDelay());
  };

  const nextDelay = () => {
    const d = delay;
    delay = Math.min(delay * 2, maxRetryDelayMs);
    return d;
  };

  const relistAfter = (ms: number) => {
    if (closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      refresh().then(startWatch, (e: Error) => {
        report(e);
        relistAfter(nextDelay());
      });
    }, ms);
    retryTimer.unref();
  };

  const schedulePeriodic = () => {
    if (periodicTimer) clearTimeout(periodicTimer);
    periodicTimer = undefined;
    const interval = mode === 'watch' ? (opts.resyncIntervalMs ?? 5 * 60_000) : (opts.pollIntervalMs ?? 30_000);
    if (closed || interval <= 0) return;
    periodicTimer = setTimeout(() => {
      refresh().then(schedulePeriodic, (e: Error) => {
        report(e);
        schedulePeriodic();
      });
    }, interval);
    periodicTimer.unref();
  };

  startWatch();
  schedulePeriodic();
  return {
    current: () => data,
    refresh,
    close() {
      closed = true;
      watch?.stop();
      watch = undefined;
      if (retryTimer) clearTimeout(retryTimer);
      if (periodicTimer) clearTimeout(periodicTimer);
    },
  };
}

function fingerprint(d: AuthenticationConfigMapData): string {
  return JSON.stringify(d, (_k, v: unknown) => (v && typeof v === 'object' && 'roots' in v ? (v as CABundle).pem : v));
}

interface Fetched {
  readonly data: AuthenticationConfigMapData;
  /** Of the list: where a watch starts. */
  readonly resourceVersion?: string;
}

async function fetchData(client: KubeClient, timeoutMs = 10_000): Promise<Fetched> {
  const where = `configmap/${authenticationConfigMap.name} in ${authenticationConfigMap.namespace}`;
  let res;
  try {
    res = await client.request('GET', `${collection}?${selector}`, undefined, { timeoutMs });
  } catch (e) {
    throw new ConfigMapLookupError(`unable to get ${where} from ${client.server}: ${(e as Error).message}`);
  }
  // Missing configmap: no in-cluster configuration (kube-apiserver writes it when it has any).
  if (res.status === 404) return { data: parseData({}) };
  if (res.status === 401 || res.status === 403) {
    throw new ConfigMapLookupError(
      `unable to get ${where}: ${describeFailure(res)}. Usually fixed by ` +
        `'kubectl create rolebinding -n kube-system ROLEBINDING_NAME --role=extension-apiserver-authentication-reader --serviceaccount=YOUR_NS:YOUR_SA'`,
    );
  }
  if (res.status < 200 || res.status > 299) throw new ConfigMapLookupError(`unable to get ${where}: ${describeFailure(res)}`);
  const list = (res.body ?? {}) as { metadata?: { resourceVersion?: string }; items?: Array<{ metadata?: { name?: string }; data?: Record<string, string> }> };
  const cm = (list.items ?? []).find((i) => i.metadata?.name === authenticationConfigMap.name);
  const rv = list.metadata?.resourceVersion;
  return { data: parseData(cm?.data ?? {}), ...(rv ? { resourceVersion: rv } : {}) };
}

/** Parses the data keys; a malformed value is an error naming the key. */
export function parseData(d: Readonly<Record<string, string>>): AuthenticationConfigMapData {
  const where = (key: string) => `configmap ${authenticationConfigMap.namespace}/${authenticationConfigMap.name} key ${key}`;
  const ca = (key: string) => (d[key]?.trim() ? parseCABundle(d[key], where(key)) : undefined);
  const list = (key: string): string[] => {
    const raw = d[key];
    if (raw === undefined || raw.trim() === '') return [];
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new ConfigMapLookupError(`${where(key)}: not a JSON array of strings: ${raw}`);
    }
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      throw new ConfigMapLookupError(`${where(key)}: not a JSON array of strings: ${raw}`);
    }
    return v as string[];
  };
  return {
    clientCA: ca('client-ca-file'),
    requestHeaderCA: ca('requestheader-client-ca-file'),
    requestHeaderAllowedNames: list('requestheader-allowed-names'),
    requestHeaderUsernameHeaders: list('requestheader-username-headers'),
    requestHeaderUIDHeaders: list('requestheader-uid-headers'),
    requestHeaderGroupHeaders: list('requestheader-group-headers'),
    requestHeaderExtraHeadersPrefix: list('requestheader-extra-headers-prefix'),
  };
}

/** What a watch event's object may hold: the configmap, or a Status in an ERROR event. */
interface WatchedObject {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
  readonly data?: Record<string, string>;
  readonly code?: number;
  readonly message?: string;
}
