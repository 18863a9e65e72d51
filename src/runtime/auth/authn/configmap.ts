// The `kube-system/extension-apiserver-authentication` configmap that kube-apiserver writes
// (API-CONTRACT 8.5; k8s.io/apiserver pkg/server/options/authentication.go and
// pkg/authentication/request/headerrequest/requestheader_controller.go): the client CA, the
// request-header CA, allowed names and header names. It is read before serving and then
// re-read every `pollIntervalMs`, so CA rotation applies without a restart; a failed re-read
// keeps the last good configuration.
import { describeFailure, type KubeClient } from '../kube-client.js';
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
  /** The last good contents (a new object after every change). */
  current(): AuthenticationConfigMapData;
  /** Re-reads now; resolves when done (tests, and the first read before serving). */
  refresh(): Promise<void>;
  close(): void;
}

/** The configmap could not be read at startup; the message says how to fix it. */
export class ConfigMapLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigMapLookupError';
  }
}

const path = `/api/v1/namespaces/${authenticationConfigMap.namespace}/configmaps/${authenticationConfigMap.name}`;

export interface ConfigMapSourceOptions {
  /** Default 30 s. 0 disables polling (read once). */
  readonly pollIntervalMs?: number;
  /** Re-read failures after startup (the last good data stays in use). */
  readonly onError?: (err: Error) => void;
  readonly timeoutMs?: number;
}

/** Reads the configmap once (failing with an actionable message), then keeps it fresh. */
export async function watchAuthenticationConfigMap(
  client: KubeClient,
  opts: ConfigMapSourceOptions = {},
): Promise<AuthenticationConfigMapSource> {
  let data = await fetchData(client, opts.timeoutMs);
  let text = fingerprint(data);
  let closed = false;
  // Unchanged contents keep the same object, so per-connection verdict caches stay valid.
  const refresh = async () => {
    const next = await fetchData(client, opts.timeoutMs);
    const nextText = fingerprint(next);
    if (nextText !== text) {
      text = nextText;
      data = next;
    }
  };
  const interval = opts.pollIntervalMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (closed || interval <= 0) return;
    timer = setTimeout(() => {
      refresh().then(schedule, (e: Error) => {
        opts.onError?.(e);
        schedule();
      });
    }, interval);
    timer.unref();
  };
  schedule();
  return {
    current: () => data,
    refresh,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

function fingerprint(d: AuthenticationConfigMapData): string {
  return JSON.stringify(d, (_k, v: unknown) => (v && typeof v === 'object' && 'roots' in v ? (v as CABundle).pem : v));
}

async function fetchData(client: KubeClient, timeoutMs = 10_000): Promise<AuthenticationConfigMapData> {
  const where = `configmap/${authenticationConfigMap.name} in ${authenticationConfigMap.namespace}`;
  let res;
  try {
    res = await client.request('GET', path, undefined, { timeoutMs });
  } catch (e) {
    throw new ConfigMapLookupError(`unable to get ${where} from ${client.server}: ${(e as Error).message}`);
  }
  // Missing configmap: no in-cluster configuration (kube-apiserver writes it when it has any).
  if (res.status === 404) return parseData({});
  if (res.status === 401 || res.status === 403) {
    throw new ConfigMapLookupError(
      `unable to get ${where}: ${describeFailure(res)}. Usually fixed by ` +
        `'kubectl create rolebinding -n kube-system ROLEBINDING_NAME --role=extension-apiserver-authentication-reader --serviceaccount=YOUR_NS:YOUR_SA'`,
    );
  }
  if (res.status < 200 || res.status > 299) throw new ConfigMapLookupError(`unable to get ${where}: ${describeFailure(res)}`);
  const cm = (res.body ?? {}) as { data?: Record<string, string> };
  return parseData(cm.data ?? {});
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
