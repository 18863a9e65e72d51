// Command-line flags, named as k8s.io/apiserver names them (pkg/server/options/serving.go,
// etcd.go), parsed with node:util parseArgs. Parsing returns `{value, errors}` and never
// throws; `completeOptions` applies defaults once and yields the CompletedConfig that alone
// builds a server (the Config -> CompletedConfig step of k8s.io/apiserver pkg/server/config.go).
//
// The flag table is data. The authentication, authorization and audit flags are a second table
// (src/runtime/auth/options.ts `authFlags`) merged into the same parseArgs call and the same
// usage text; `completeAuthOptions` checks them at parse time, so a bad value exits 2 like any
// other flag.
//
// Mode (k8s.io/apiserver has only the delegated one): with no authentication source configured
// the server is standalone (its own CA and admin certificate are the only identity, bound to
// 127.0.0.1); any source (--client-ca-file, --requestheader-client-ca-file,
// --authentication-kubeconfig, --token-auth-file, --anonymous-auth=true) makes it delegated: the
// authenticator chain of API-CONTRACT 8.4, SubjectAccessReview, 0.0.0.0.
// In a pod, the service account stands in for a missing --authentication-kubeconfig and
// --authorization-kubeconfig, as upstream's in-cluster fallback does, but only once the server
// is told it is deployed (--serving-cert-secret, which the generated Deployment passes) or
// delegated by another source: a plain `npm start` in a dev container stays standalone.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  authFlags,
  authParseArgsOptions,
  completeAuthOptions,
  hasAuthenticationSource,
  normalizeAuthArgv,
  parseGoDuration,
  type AuthConfig,
  type RawAuthFlags,
} from '../auth/options.js';
import { inClusterAvailable } from '../auth/kube-client.js';
import { parsePluginList, type AdmissionFlags } from '../admission/plugins.js';
import { tlsFlagHelp, tlsProtocolOptions, type TlsFlags, type TlsProtocolOptions } from './tls-options.js';
import { goServingLimits, type ConnectionLimits } from './connection-limits.js';

export type StorageBackend = 'sqlite' | 'etcd3' | 'memory';

export interface SecureServingOptions {
  /** `--bind-address`; undefined: 127.0.0.1 standalone, 0.0.0.0 once authentication is delegated. */
  bindAddress?: string;
  /** `--secure-port`; 0 picks a free port. */
  port: number;
  /** `--cert-dir`; undefined: `<data-dir>/certs`. */
  certDir?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** `--tls-min-version`, `--tls-cipher-suites` (tls-options.ts). */
  tls: TlsFlags;
}

export interface StorageOptions {
  /** `--storage-backend`; undefined: etcd3 when --etcd-servers is set, else sqlite. */
  backend?: StorageBackend;
  etcdServers: string[];
  etcdPrefix: string;
  /** `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile` (kube-apiserver's names): TLS to https:// etcd servers. */
  etcdCaFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  /** `--default-watch-cache-size`: events each resource's watch cache keeps; undefined: adaptive. */
  watchCacheSize?: number;
  /** `--storage-max-object-bytes`: the largest object stored; undefined: etcd's 1.5 MiB. */
  maxObjectBytes?: number;
}

/** A namespaced object name as `--serving-cert-secret` gives it (`<namespace>/<name>`). */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** `--serving-cert-secret`, `--serving-cert-hosts` (src/runtime/server/incluster.ts). */
export interface InClusterServingOptions {
  servingCertSecret?: ObjectRef;
  servingCertHosts: string[];
}

/** Everything the flags say, before defaults that depend on other flags are applied. */
export interface ServerOptions {
  dataDir: string;
  /** `--min-request-timeout`, seconds: watches without timeoutSeconds last 1x-2x this. */
  minRequestTimeoutSeconds: number;
  /** `--request-timeout`, `--max-requests-inflight`, `--max-mutating-requests-inflight` (server_run_options.go). */
  requestLimits: RequestLimits;
  secureServing: SecureServingOptions;
  storage: StorageOptions;
  inCluster: InClusterServingOptions;
  /** Authentication, authorization and audit, checked and completed at parse time. */
  auth: AuthConfig;
  /** Things to print loudly at startup (AlwaysAllow, flags without effect). */
  warnings: string[];
  /** `--kubeconfig`: the core API client of the admission plugins (NamespaceLifecycle). */
  coreKubeconfig?: string;
  /** `--enable-admission-plugins`, `--disable-admission-plugins`; checked against the group's plugins by runMain. */
  admission?: { enablePlugins: string[]; disablePlugins: string[] };
  /** `--help` was given: print `usage()` and exit 0. */
  help: boolean;
}

/** How long a request may take and how many may run at once (0: no limit). */
export interface RequestLimits {
  requestTimeoutMs: number;
  maxRequestsInFlight: number;
  maxMutatingRequestsInFlight: number;
}

export interface ParseResult {
  /** Present when `errors` is empty. */
  readonly value?: ServerOptions;
  /** One line per problem, each naming the flag. */
  readonly errors: readonly string[];
  /** Startup warnings (also in `value.warnings`). */
  readonly warnings: readonly string[];
}

interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly valueName?: string;
  readonly help: string;
  /** Store a raw value into `opts`; return an error message for a bad value. */
  apply(opts: ServerOptions, raw: string | boolean): string | undefined;
}

/** A flag naming a file or directory, kept as given (completeOptions resolves it against the cwd). */
function pathFlag(name: string, help: string, set: (o: ServerOptions, path: string) => void): FlagSpec {
  return {
    name,
    type: 'string',
    valueName: 'path',
    help,
    apply(o, raw) {
      set(o, String(raw));
      return undefined;
    },
  };
}

/** `--max-requests-inflight` and its mutating twin: a non-negative integer, 0 for no limit. */
function inflightFlag(name: string, kind: string, dflt: number, set: (o: ServerOptions, n: number) => void): FlagSpec {
  return {
    name,
    type: 'string',
    valueName: 'int',
    help: `The maximum number of ${kind} requests in flight at a given time (watches not counted); beyond it requests get 429 with Retry-After. Zero for no limit. (default ${dflt})`,
    apply(o, raw) {
      const n = Number(raw);
      if (!/^\d+$/.test(String(raw)) || !Number.isSafeInteger(n)) return `invalid value "${String(raw)}" for --${name}: must be a non-negative integer`;
      set(o, n);
      return undefined;
    },
  };
}

export function defaultOptions(): ServerOptions {
  return {
    dataDir: './.data',
    minRequestTimeoutSeconds: 1800,
    requestLimits: { requestTimeoutMs: 60_000, maxRequestsInFlight: 400, maxMutatingRequestsInFlight: 200 },
    secureServing: { port: 8443, tls: {} },
    storage: { etcdServers: [], etcdPrefix: '/registry' },
    inCluster: { servingCertHosts: [] },
    auth: completeAuthOptions({}).value!,
    warnings: [],
    help: false,
  };
}

// A DNS-1123 label (namespace) and subdomain (secret name).
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const backends: readonly StorageBackend[] = ['sqlite', 'etcd3', 'memory'];

/** The flags, in the order `--help` lists them. */
export const flagTable: FlagSpec[] = [
  {
    name: 'secure-port',
    type: 'string',
    valueName: 'int',
    help: 'The port on which to serve HTTPS. 0 picks a free port and prints it. (default 8443)',
    apply(o, raw) {
      const s = String(raw);
      const n = Number(s);
      if (!/^\d+$/.test(s) || n > 65535) return `invalid value "${s}" for --secure-port: must be an integer between 0 and 65535`;
      o.secureServing.port = n;
      return undefined;
    },
  },
  {
    name: 'bind-address',
    type: 'string',
    valueName: 'ip',
    help:
      'The IP address on which to listen. (default 127.0.0.1 in standalone mode, where only the ' +
      'local admin can authenticate; 0.0.0.0 once an authentication source is configured)',
    apply(o, raw) {
      const s = String(raw);
      if (!isIP(s)) return `invalid value "${s}" for --bind-address: must be an IP address`;
      o.secureServing.bindAddress = s;
      return undefined;
    },
  },
  {
    name: 'data-dir',
    type: 'string',
    valueName: 'path',
    help: 'Directory for the sqlite database, certificates and admin.kubeconfig. (default ./.data)',
    apply(o, raw) {
      if (!String(raw)) return '--data-dir must not be empty';
      o.dataDir = String(raw);
      return undefined;
    },
  },
  {
    name: 'storage-backend',
    type: 'string',
    valueName: 'name',
    help: 'Storage backend: sqlite, etcd3 or memory. (default sqlite; etcd3 when --etcd-servers is set)',
    apply(o, raw) {
      const s = String(raw);
      if (!backends.includes(s as StorageBackend)) {
        return `invalid value "${s}" for --storage-backend: must be one of ${backends.join(', ')}`;
      }
      o.storage.backend = s as StorageBackend;
      return undefined;
    },
  },
  {
    name: 'etcd-servers',
    type: 'string',
    valueName: 'urls',
    help: 'Comma-separated etcd server URLs (http:// or https://). Implies --storage-backend=etcd3.',
    apply(o, raw) {
      const urls = String(raw).split(',').map((u) => u.trim()).filter(Boolean);
      if (urls.length === 0) return '--etcd-servers must list at least one URL';
      for (const u of urls) {
        let ok = false;
        try {
          const p = new URL(u).protocol;
          ok = p === 'http:' || p === 'https:';
        } catch {
          ok = false;
        }
        if (!ok) return `invalid value "${u}" for --etcd-servers: must be an http:// or https:// URL`;
      }
      o.storage.etcdServers.push(...urls);
      return undefined;
    },
  },
  {
    name: 'etcd-prefix',
    type: 'string',
    valueName: 'string',
    help: 'The prefix of every key in storage. (default /registry)',
    apply(o, raw) {
      const s = String(raw);
      if (!s.startsWith('/')) return `invalid value "${s}" for --etcd-prefix: must start with "/"`;
      o.storage.etcdPrefix = s.length > 1 ? s.replace(/\/+$/, '') : s;
      return undefined;
    },
  },
  pathFlag('etcd-cafile', 'PEM CA bundle to verify https:// etcd servers with. (default: the CAs node trusts)', (o, path) => (o.storage.etcdCaFile = path)),
  pathFlag('etcd-certfile', 'PEM client certificate for etcd servers that ask for one (etcd --client-cert-auth).', (o, path) => (o.storage.etcdCertFile = path)),
  pathFlag('etcd-keyfile', 'PEM private key matching --etcd-certfile.', (o, path) => (o.storage.etcdKeyFile = path)),
  {
    name: 'min-request-timeout',
    type: 'string',
    valueName: 'int',
    help: 'Seconds a watch lasts when the client asks for no timeoutSeconds: a random time between this and twice this, as kube-apiserver does. (default 1800)',
    apply(o, raw) {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) return `invalid value "${String(raw)}" for --min-request-timeout: must be a positive integer`;
      o.minRequestTimeoutSeconds = n;
      return undefined;
    },
  },
  {
    name: 'request-timeout',
    type: 'string',
    valueName: 'duration',
    help: 'How long a request other than a watch may take before it is answered 504 Timeout. (default 1m0s)',
    apply(o, raw) {
      const ms = parseGoDuration(String(raw));
      if (ms === undefined || ms < 0) return `invalid value "${String(raw)}" for --request-timeout: must be a duration such as 60s or 1m30s`;
      o.requestLimits.requestTimeoutMs = ms;
      return undefined;
    },
  },
  inflightFlag('max-requests-inflight', 'non-mutating', 400, (o, n) => (o.requestLimits.maxRequestsInFlight = n)),
  inflightFlag('max-mutating-requests-inflight', 'mutating', 200, (o, n) => (o.requestLimits.maxMutatingRequestsInFlight = n)),
  {
    name: 'default-watch-cache-size',
    type: 'string',
    valueName: 'int',
    help:
      'Events of history each resource\'s watch cache keeps for watches to resume from; older resourceVersions get 410 Expired. (default: the last 1000 events or 150 s, whichever keeps more)',
    apply(o, raw) {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) return `invalid value "${String(raw)}" for --default-watch-cache-size: must be a positive integer`;
      o.storage.watchCacheSize = n;
      return undefined;
    },
  },
  {
    name: 'storage-max-object-bytes',
    type: 'string',
    valueName: 'int',
    help: 'The largest object, in bytes as stored, any backend keeps; bigger writes get 413. etcd refuses requests over its --max-request-bytes too. (default 1572864, etcd\'s default)',
    apply(o, raw) {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) return `invalid value "${String(raw)}" for --storage-max-object-bytes: must be a positive integer`;
      o.storage.maxObjectBytes = n;
      return undefined;
    },
  },
  pathFlag('tls-cert-file', 'PEM serving certificate (with intermediates). Without it a CA-signed one is made in --cert-dir.', (o, path) => (o.secureServing.tlsCertFile = path)),
  pathFlag('tls-private-key-file', 'PEM private key matching --tls-cert-file.', (o, path) => (o.secureServing.tlsPrivateKeyFile = path)),
  {
    name: 'tls-min-version',
    type: 'string',
    valueName: 'string',
    help: tlsFlagHelp.minVersion,
    apply(o, raw) {
      o.secureServing.tls = { ...o.secureServing.tls, minVersion: String(raw) };
      return tlsProtocolOptions({ minVersion: String(raw) }).errors[0];
    },
  },
  {
    name: 'tls-cipher-suites',
    type: 'string',
    valueName: 'strings',
    help: tlsFlagHelp.cipherSuites,
    apply(o, raw) {
      // A string slice, as pflag's: repeated flags add to the list.
      const given = String(raw).split(',').map((c) => c.trim()).filter(Boolean);
      o.secureServing.tls = { ...o.secureServing.tls, cipherSuites: [...(o.secureServing.tls.cipherSuites ?? []), ...given] };
      const r = tlsProtocolOptions({ cipherSuites: given });
      o.warnings.push(...r.warnings);
      return r.errors[0];
    },
  },
  pathFlag('cert-dir', 'Directory of the generated CA, serving and admin certificates. (default <data-dir>/certs)', (o, path) => (o.secureServing.certDir = path)),
  {
    name: 'serving-cert-secret',
    type: 'string',
    valueName: 'ns/name',
    help:
      'In a cluster: serve with the kubernetes.io/tls Secret <namespace>/<name> (ca.crt, tls.crt, tls.key), ' +
      'creating it when absent, and write its ca.crt into spec.caBundle of this group\'s APIServices annotated ' +
      'aa-gen.dev/ca-bundle-from=<namespace>/<name>. Uses --authentication-kubeconfig, else the in-cluster service account.',
    apply(o, raw) {
      const s = String(raw);
      const [ns, name, ...rest] = s.split('/');
      if (rest.length || !ns || !name || !dnsLabel.test(ns) || ns.length > 63 || !dnsSubdomain.test(name) || name.length > 253) {
        return `invalid value "${s}" for --serving-cert-secret: must be <namespace>/<name>, e.g. wardle/wardle-apiserver-serving-cert`;
      }
      o.inCluster.servingCertSecret = { namespace: ns, name };
      return undefined;
    },
  },
  {
    name: 'serving-cert-hosts',
    type: 'string',
    valueName: 'names',
    help:
      'Comma-separated DNS names and IPs of the serving certificate created for --serving-cert-secret ' +
      '(kube-aggregator dials <service>.<namespace>.svc).',
    apply(o, raw) {
      const hosts = String(raw).split(',').map((h) => h.trim()).filter(Boolean);
      for (const h of hosts) {
        if (!isIP(h) && !(dnsSubdomain.test(h.toLowerCase()) && h.length <= 253)) {
          return `invalid value "${h}" for --serving-cert-hosts: must be a DNS name or an IP address`;
        }
      }
      o.inCluster.servingCertHosts = hosts;
      return undefined;
    },
  },
  pathFlag(
    'kubeconfig',
    "kubeconfig file pointing at the 'core' kubernetes server: NamespaceLifecycle admission reads its namespaces. (default: the pod's service account when deployed; none: NamespaceLifecycle is off)",
    (o, path) => (o.coreKubeconfig = path),
  ),
  {
    name: 'enable-admission-plugins',
    type: 'string',
    valueName: 'names',
    help: 'Comma-separated admission plugins to turn on besides the ones on by default (every plugin the project registers, unless it says otherwise).',
    apply(o, raw) {
      (o.admission ??= { enablePlugins: [], disablePlugins: [] }).enablePlugins = parsePluginList(String(raw));
      return undefined;
    },
  },
  {
    name: 'disable-admission-plugins',
    type: 'string',
    valueName: 'names',
    help: 'Comma-separated admission plugins to turn off, e.g. BanFlunder.',
    apply(o, raw) {
      (o.admission ??= { enablePlugins: [], disablePlugins: [] }).disablePlugins = parsePluginList(String(raw));
      return undefined;
    },
  },
  {
    name: 'help',
    type: 'boolean',
    help: 'Print this help and exit.',
    apply(o) {
      o.help = true;
      return undefined;
    },
  },
];

/**
 * Parses `argv` (without node and script). Every problem is reported, none thrown. Paths of the
 * authentication flags are resolved against `cwd` (default: the process's) and must exist.
 */
export function parseOptions(argv: readonly string[], parseOpts: { readonly cwd?: string } = {}): ParseResult {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const f of flagTable) options[f.name] = { type: f.type, multiple: f.type === 'string' };
  Object.assign(options, authParseArgsOptions);
  options.help.short = 'h';

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: normalizeAuthArgv(argv), options, strict: true, allowPositionals: true });
  } catch (e) {
    return { errors: [parseArgsMessage(e)], warnings: [] };
  }
  const errors: string[] = [];
  if (parsed.positionals.length > 0) {
    errors.push(`unexpected argument "${parsed.positionals[0]}": flags take the form --name=value`);
  }
  const opts = defaultOptions();
  for (const f of flagTable) {
    const raw = parsed.values[f.name];
    if (raw === undefined) continue;
    // Repeated string flags: the last one wins (pflag), except lists which accumulate.
    const values = Array.isArray(raw) ? raw : [raw];
    const use = f.name === 'etcd-servers' || f.name === 'tls-cipher-suites' ? values : values.slice(-1);
    for (const v of use) {
      const err = f.apply(opts, v as string | boolean);
      if (err) errors.push(err);
    }
  }
  const rawAuth: Record<string, RawAuthFlags[string]> = {};
  for (const f of authFlags) rawAuth[f.name] = parsed.values[f.name] as RawAuthFlags[string];
  const auth = completeAuthOptions(rawAuth, { cwd: parseOpts.cwd });
  errors.push(...auth.errors);
  if (auth.value) opts.auth = auth.value;
  opts.warnings.push(...auth.warnings);
  errors.push(...crossCheck(opts));
  return errors.length ? { errors, warnings: opts.warnings } : { value: opts, errors, warnings: opts.warnings };
}

function etcdTlsFiles(s: StorageOptions, cwd: string): CompletedConfig['storage']['etcdTls'] {
  const path = (p: string | undefined) => (p ? resolve(cwd, p) : undefined);
  if (!s.etcdCaFile && !s.etcdCertFile && !s.etcdKeyFile) return undefined;
  return { caFile: path(s.etcdCaFile), certFile: path(s.etcdCertFile), keyFile: path(s.etcdKeyFile) };
}

/** Rules between flags (k8s.io/apiserver's Validate() step). */
function crossCheck(o: ServerOptions): string[] {
  const errors: string[] = [];
  const s = o.secureServing;
  if (Boolean(s.tlsCertFile) !== Boolean(s.tlsPrivateKeyFile)) {
    errors.push('--tls-cert-file and --tls-private-key-file must be given together');
  }
  const { backend, etcdServers } = o.storage;
  if (backend === 'etcd3' && etcdServers.length === 0) {
    errors.push('--storage-backend=etcd3 needs --etcd-servers');
  }
  if (backend && backend !== 'etcd3' && etcdServers.length > 0) {
    errors.push(`--etcd-servers cannot be used with --storage-backend=${backend}`);
  }
  const { etcdCaFile, etcdCertFile, etcdKeyFile } = o.storage;
  if (Boolean(etcdCertFile) !== Boolean(etcdKeyFile)) errors.push('--etcd-certfile and --etcd-keyfile must be given together');
  if ((etcdCaFile || etcdCertFile || etcdKeyFile) && etcdServers.length === 0) {
    errors.push('--etcd-cafile, --etcd-certfile and --etcd-keyfile need --etcd-servers');
  } else if ((etcdCaFile || etcdCertFile) && !etcdServers.some((u) => u.startsWith('https:'))) {
    o.warnings.push('--etcd-cafile, --etcd-certfile and --etcd-keyfile have no effect: every --etcd-servers URL is http://');
  }
  if (o.inCluster.servingCertSecret && s.tlsCertFile) {
    errors.push('--serving-cert-secret and --tls-cert-file cannot be used together: choose one source of the serving certificate');
  }
  if (o.inCluster.servingCertHosts.length && !o.inCluster.servingCertSecret) {
    errors.push('--serving-cert-hosts needs --serving-cert-secret');
  }
  return errors;
}

function parseArgsMessage(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const m = /'(-{1,2}[^']+)'/.exec(err.message ?? '');
  const flag = m?.[1]?.split(/[ =]/)[0];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag: ${flag ?? err.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag
        ? `flag needs an argument or takes none: ${flag}`
        : (err.message ?? 'invalid flag value').split('\n')[0];
    default:
      return (err.message ?? String(e)).split('\n')[0];
  }
}

/** `--help` text: serving and storage flags, then authentication, authorization and audit. */
export function usage(program = 'server'): string {
  const lines = [`Usage: ${program} [flags]`, '', 'Flags:'];
  const line = (name: string, valueName: string | undefined, help: string) => {
    const left = `  --${name}${valueName ? ` ${valueName}` : ''}`;
    lines.push(left.length < 40 ? left.padEnd(40) + help : `${left}\n${' '.repeat(40)}${help}`);
  };
  for (const f of flagTable) line(f.name, f.valueName, f.help);
  const sections: Array<[string, (name: string) => boolean]> = [
    ['Authentication flags (any source given selects delegated mode; none: standalone):', (n) => !n.startsWith('authorization-') && !n.startsWith('audit-')],
    ['Authorization flags:', (n) => n.startsWith('authorization-')],
    ['Audit flags:', (n) => n.startsWith('audit-')],
  ];
  for (const [title, member] of sections) {
    lines.push('', title);
    for (const f of authFlags) if (member(f.name)) line(f.name, f.kind === 'bool' ? undefined : f.valueName, f.help);
  }
  return lines.join('\n') + '\n';
}

/** Where a kube-apiserver client's credentials come from. */
export type KubeconfigSource = { readonly kind: 'file'; readonly path: string; readonly flag: string } | { readonly kind: 'in-cluster' };

/**
 * The server's configuration with every default applied and every path absolute. Built only
 * by `completeOptions`; `createServer` reads nothing else (no env, no flags).
 */
export interface CompletedConfig {
  readonly dataDir: string;
  readonly minRequestTimeoutSeconds: number;
  /** `--request-timeout` and the in-flight limits (timeout.ts, inflight.ts). */
  readonly requestLimits: Readonly<RequestLimits>;
  /** Header read timeout, idle timeout and header size of every connection, as Go's server (connection-limits.ts). */
  readonly connections: ConnectionLimits;
  readonly secureServing: {
    readonly bindAddress: string;
    readonly port: number;
    readonly certDir: string;
    readonly tlsCertFile?: string;
    readonly tlsPrivateKeyFile?: string;
    /** Protocol versions and cipher suites (tls-options.ts). */
    readonly tls: TlsProtocolOptions;
    /** Extra SANs for a generated serving certificate. */
    readonly extraServingNames: readonly string[];
  };
  readonly storage: {
    readonly backend: StorageBackend;
    readonly etcdServers: readonly string[];
    readonly etcdPrefix: string;
    /** Absolute paths of the etcd TLS files, when any is given. */
    readonly etcdTls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
    readonly watchCacheSize?: number;
    readonly maxObjectBytes?: number;
    /** Test knob (CompleteExtras.sqliteMaxPageCount). */
    readonly sqliteMaxPageCount?: number;
  };
  /** Standalone: our CA's admin certificate is the only identity (no authn source configured). */
  readonly standalone: boolean;
  /** Authentication, authorization and audit settings (src/runtime/auth/options.ts). */
  readonly auth: AuthConfig;
  /**
   * The kube-apiserver to delegate to: the kubeconfig flags, else the in-cluster service
   * account when running in a pod (k8s.io/apiserver's fallback); undefined: none.
   */
  readonly kube: { readonly authentication?: KubeconfigSource; readonly authorization?: KubeconfigSource; readonly core?: KubeconfigSource };
  /** `--serving-cert-secret`: the serving certificate and caBundle come from the cluster. */
  readonly inCluster?: {
    readonly secret: ObjectRef;
    readonly hosts: readonly string[];
    /** undefined: no kubeconfig and not in a pod (createServer reports it). */
    readonly kubeconfig?: KubeconfigSource;
    /** How often the APIServices' caBundle is checked again. */
    readonly caBundleResyncMs: number;
  };
  /** Printed at startup by runMain. */
  readonly warnings: readonly string[];
  /** How often --tls-cert-file/--tls-private-key-file or the serving Secret are read again (serving-reload.ts). */
  readonly servingReloadMs: number;
  /** Body limit of every request: 3 MiB as kube-apiserver (pkg/server/config.go). */
  readonly maxRequestBodyBytes: number;
  /** How long shutdown waits for in-flight requests before cutting connections. */
  readonly shutdownDrainTimeoutMs: number;
  /** pino level for fastify's logger ('silent' in tests). */
  readonly logLevel: string;
  /** Admission plugins turned on or off by flag (src/runtime/admission/plugins.ts). */
  readonly admission?: AdmissionFlags;
}

/** Knobs that are not flags (tests, embedding). */
export interface CompleteExtras {
  readonly cwd?: string;
  readonly extraServingNames?: readonly string[];
  readonly shutdownDrainTimeoutMs?: number;
  readonly logLevel?: string;
  /** Running in a pod with a service account; default: detected as client-go does. */
  readonly inCluster?: boolean;
  /** Default 60 s. */
  readonly caBundleResyncMs?: number;
  /** How often a given serving certificate (files or Secret) is read again; default 60 s. */
  readonly servingReloadMs?: number;
  /** Connection limits other than kube's (ReadHeaderTimeout 32 s, IdleTimeout 90 s, MaxHeaderBytes 1 MiB); tests lower them. */
  readonly connections?: Partial<ConnectionLimits>;
  /** Caps the sqlite database at this many pages (PRAGMA max_page_count), to test a full store. */
  readonly sqliteMaxPageCount?: number;
}

export function completeOptions(o: ServerOptions, extras: CompleteExtras = {}): CompletedConfig {
  const cwd = extras.cwd ?? process.cwd();
  const dataDir = resolve(cwd, o.dataDir);
  const a = o.auth;
  const inPod = extras.inCluster ?? inClusterAvailable();
  const explicitSource = hasAuthenticationSource(a.authentication) || a.authentication.anonymous;
  const useServiceAccount = inPod && (explicitSource || Boolean(o.inCluster.servingCertSecret));
  const source = (path: string | undefined, flag: string): KubeconfigSource | undefined =>
    path ? { kind: 'file', path, flag } : useServiceAccount ? { kind: 'in-cluster' } : undefined;
  const kube = {
    authentication: source(a.authentication.kubeconfig, '--authentication-kubeconfig'),
    authorization: a.authorization.mode === 'Webhook' ? source(a.authorization.kubeconfig, '--authorization-kubeconfig') : undefined,
    // k8s.io/apiserver pkg/server/options/coreapi.go: --kubeconfig, else the in-cluster config.
    core: source(o.coreKubeconfig && resolve(cwd, o.coreKubeconfig), '--kubeconfig'),
  };
  const standalone = !(explicitSource || kube.authentication);
  // The parse-time warning about a missing --authorization-kubeconfig is moot when the pod's
  // service account reviews instead.
  const warnings = o.warnings.filter((w) => !(kube.authorization && w.startsWith('no --authorization-kubeconfig')));
  if (standalone && (a.authorization.kubeconfig || a.authorization.mode !== 'Webhook')) {
    warnings.push('the authorization flags have no effect in standalone mode (no authentication source is configured)');
  }
  if (standalone && a.authentication.trustLocalAdmin) {
    warnings.push('--trust-local-admin has no effect in standalone mode, where the admin certificate is the only identity');
  }
  const s = o.secureServing;
  const bindAddress = s.bindAddress ?? (standalone ? '127.0.0.1' : '0.0.0.0');
  const unspecified = bindAddress === '0.0.0.0' || bindAddress === '::';
  return {
    dataDir,
    minRequestTimeoutSeconds: o.minRequestTimeoutSeconds,
    requestLimits: { ...o.requestLimits },
    connections: { ...goServingLimits, ...extras.connections },
    secureServing: {
      bindAddress,
      port: s.port,
      certDir: resolve(cwd, s.certDir ?? resolve(dataDir, 'certs')),
      tlsCertFile: s.tlsCertFile ? resolve(cwd, s.tlsCertFile) : undefined,
      tlsPrivateKeyFile: s.tlsPrivateKeyFile ? resolve(cwd, s.tlsPrivateKeyFile) : undefined,
      // Checked by the flags' apply; the defaults alone cannot fail.
      tls: tlsProtocolOptions(s.tls).value ?? tlsProtocolOptions({}).value!,
      extraServingNames: [...(unspecified ? [] : [bindAddress]), ...(extras.extraServingNames ?? [])],
    },
    storage: {
      backend: o.storage.backend ?? (o.storage.etcdServers.length ? 'etcd3' : 'sqlite'),
      etcdServers: [...o.storage.etcdServers],
      etcdPrefix: o.storage.etcdPrefix,
      etcdTls: etcdTlsFiles(o.storage, cwd),
      watchCacheSize: o.storage.watchCacheSize,
      maxObjectBytes: o.storage.maxObjectBytes,
      sqliteMaxPageCount: extras.sqliteMaxPageCount,
    },
    standalone,
    auth: a,
    kube,
    inCluster: o.inCluster.servingCertSecret
      ? {
          secret: o.inCluster.servingCertSecret,
          hosts: [...o.inCluster.servingCertHosts],
          kubeconfig: kube.authentication,
          caBundleResyncMs: extras.caBundleResyncMs ?? 60_000,
        }
      : undefined,
    warnings,
    servingReloadMs: extras.servingReloadMs ?? 60_000,
    maxRequestBodyBytes: 3 * 1024 * 1024,
    shutdownDrainTimeoutMs: extras.shutdownDrainTimeoutMs ?? 30_000,
    logLevel: extras.logLevel ?? 'warn',
    ...(o.admission ? { admission: o.admission } : {}),
  };
}
