// Command-line flags, named as k8s.io/apiserver names them (pkg/server/options/serving.go,
// etcd.go), parsed with node:util parseArgs. Parsing returns `{value, errors}` and never
// throws; `completeOptions` applies defaults once and yields the CompletedConfig that alone
// builds a server (the Config -> CompletedConfig step of k8s.io/apiserver pkg/server/config.go).
//
// The flag table is data: issue 4 (authentication, authorization, admission, audit) appends
// its flags to `flagTable` and its section to ServerOptions/CompletedConfig without touching
// the parser.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

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
}

export interface StorageOptions {
  /** `--storage-backend`; undefined: etcd3 when --etcd-servers is set, else sqlite. */
  backend?: StorageBackend;
  etcdServers: string[];
  etcdPrefix: string;
}

/** Everything the flags say, before defaults that depend on other flags are applied. */
export interface ServerOptions {
  dataDir: string;
  secureServing: SecureServingOptions;
  storage: StorageOptions;
  /** `--help` was given: print `usage()` and exit 0. */
  help: boolean;
}

export interface ParseResult {
  /** Present when `errors` is empty. */
  readonly value?: ServerOptions;
  /** One line per problem, each naming the flag. */
  readonly errors: readonly string[];
}

interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly valueName?: string;
  readonly help: string;
  /** Store a raw value into `opts`; return an error message for a bad value. */
  apply(opts: ServerOptions, raw: string | boolean): string | undefined;
}

export function defaultOptions(): ServerOptions {
  return {
    dataDir: './.data',
    secureServing: { port: 8443 },
    storage: { etcdServers: [], etcdPrefix: '/registry' },
    help: false,
  };
}

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
  {
    name: 'tls-cert-file',
    type: 'string',
    valueName: 'path',
    help: 'PEM serving certificate (with intermediates). Without it a CA-signed one is made in --cert-dir.',
    apply(o, raw) {
      o.secureServing.tlsCertFile = String(raw);
      return undefined;
    },
  },
  {
    name: 'tls-private-key-file',
    type: 'string',
    valueName: 'path',
    help: 'PEM private key matching --tls-cert-file.',
    apply(o, raw) {
      o.secureServing.tlsPrivateKeyFile = String(raw);
      return undefined;
    },
  },
  {
    name: 'cert-dir',
    type: 'string',
    valueName: 'path',
    help: 'Directory of the generated CA, serving and admin certificates. (default <data-dir>/certs)',
    apply(o, raw) {
      o.secureServing.certDir = String(raw);
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

/** Parses `argv` (without node and script). Every problem is reported, none thrown. */
export function parseOptions(argv: readonly string[]): ParseResult {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const f of flagTable) options[f.name] = { type: f.type, multiple: f.type === 'string' };
  options.help.short = 'h';

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    return { errors: [parseArgsMessage(e)] };
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
    const use = f.name === 'etcd-servers' ? values : values.slice(-1);
    for (const v of use) {
      const err = f.apply(opts, v as string | boolean);
      if (err) errors.push(err);
    }
  }
  errors.push(...crossCheck(opts));
  return errors.length ? { errors } : { value: opts, errors };
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

/** `--help` text. */
export function usage(program = 'server'): string {
  const lines = [`Usage: ${program} [flags]`, '', 'Flags:'];
  for (const f of flagTable) {
    const left = `  --${f.name}${f.valueName ? ` ${f.valueName}` : ''}`;
    lines.push(left.padEnd(32) + f.help);
  }
  return lines.join('\n') + '\n';
}

/**
 * The server's configuration with every default applied and every path absolute. Built only
 * by `completeOptions`; `createServer` reads nothing else (no env, no flags).
 */
export interface CompletedConfig {
  readonly dataDir: string;
  readonly secureServing: {
    readonly bindAddress: string;
    readonly port: number;
    readonly certDir: string;
    readonly tlsCertFile?: string;
    readonly tlsPrivateKeyFile?: string;
    /** Extra SANs for a generated serving certificate. */
    readonly extraServingNames: readonly string[];
  };
  readonly storage: {
    readonly backend: StorageBackend;
    readonly etcdServers: readonly string[];
    readonly etcdPrefix: string;
  };
  /** Standalone: our CA's admin certificate is the only identity (no authn source configured). */
  readonly standalone: boolean;
  /** Body limit of every request: 3 MiB as kube-apiserver (pkg/server/config.go). */
  readonly maxRequestBodyBytes: number;
  /** How long shutdown waits for in-flight requests before cutting connections. */
  readonly shutdownDrainTimeoutMs: number;
  /** pino level for fastify's logger ('silent' in tests). */
  readonly logLevel: string;
}

/** Knobs that are not flags (tests, embedding). */
export interface CompleteExtras {
  readonly cwd?: string;
  readonly extraServingNames?: readonly string[];
  readonly shutdownDrainTimeoutMs?: number;
  readonly logLevel?: string;
}

export function completeOptions(o: ServerOptions, extras: CompleteExtras = {}): CompletedConfig {
  const cwd = extras.cwd ?? process.cwd();
  const dataDir = resolve(cwd, o.dataDir);
  const standalone = true; // issue 4: false once any authentication source is configured
  const s = o.secureServing;
  const bindAddress = s.bindAddress ?? (standalone ? '127.0.0.1' : '0.0.0.0');
  const unspecified = bindAddress === '0.0.0.0' || bindAddress === '::';
  return {
    dataDir,
    secureServing: {
      bindAddress,
      port: s.port,
      certDir: resolve(cwd, s.certDir ?? resolve(dataDir, 'certs')),
      tlsCertFile: s.tlsCertFile ? resolve(cwd, s.tlsCertFile) : undefined,
      tlsPrivateKeyFile: s.tlsPrivateKeyFile ? resolve(cwd, s.tlsPrivateKeyFile) : undefined,
      extraServingNames: [...(unspecified ? [] : [bindAddress]), ...(extras.extraServingNames ?? [])],
    },
    storage: {
      backend: o.storage.backend ?? (o.storage.etcdServers.length ? 'etcd3' : 'sqlite'),
      etcdServers: [...o.storage.etcdServers],
      etcdPrefix: o.storage.etcdPrefix,
    },
    standalone,
    maxRequestBodyBytes: 3 * 1024 * 1024,
    shutdownDrainTimeoutMs: extras.shutdownDrainTimeoutMs ?? 30_000,
    logLevel: extras.logLevel ?? 'warn',
  };
}
