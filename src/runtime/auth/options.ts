// Flags of authentication, authorization and audit, named as k8s.io/apiserver names them
// (pkg/server/options/authentication.go DelegatingAuthenticationOptions, authorization.go
// DelegatingAuthorizationOptions, audit.go; --token-auth-file and --anonymous-auth as
// kube-apiserver's). The table is data the server's option parser merges into its own
// parseArgs call; `completeAuthOptions` turns the raw values into a typed AuthConfig with every
// default applied, or returns every problem at once (it never throws).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export type AuthFlagKind = 'path' | 'string' | 'list' | 'duration' | 'bool';

export interface AuthFlag {
  readonly name: string;
  readonly kind: AuthFlagKind;
  /** For `--help`: `--name <valueName>`. */
  readonly valueName: string;
  readonly help: string;
}

export type AuthorizationMode = 'Webhook' | 'AlwaysAllow' | 'AlwaysDeny';
const authorizationModes: readonly AuthorizationMode[] = ['Webhook', 'AlwaysAllow', 'AlwaysDeny'];

/** The flags, in `--help` order. */
export const authFlags: readonly AuthFlag[] = [
  { name: 'client-ca-file', kind: 'path', valueName: 'path', help: 'PEM bundle of CAs whose client certificates authenticate users (user = CN, groups = O). Without it, read from configmap kube-system/extension-apiserver-authentication when --authentication-kubeconfig is set.' },
  { name: 'requestheader-client-ca-file', kind: 'path', valueName: 'path', help: 'PEM bundle of CAs that sign front-proxy client certificates; identity headers are trusted only from those clients. Without it, read from the configmap as above.' },
  { name: 'requestheader-allowed-names', kind: 'list', valueName: 'strings', help: 'Client certificate common names allowed to send identity headers. Empty: any CN the request-header CA signed.' },
  { name: 'requestheader-username-headers', kind: 'list', valueName: 'strings', help: 'Request headers to read the user name from; the first non-empty one wins. (default x-remote-user)' },
  { name: 'requestheader-uid-headers', kind: 'list', valueName: 'strings', help: 'Request headers to read the user UID from. (default none)' },
  { name: 'requestheader-group-headers', kind: 'list', valueName: 'strings', help: 'Request headers to read groups from. (default x-remote-group)' },
  { name: 'requestheader-extra-headers-prefix', kind: 'list', valueName: 'strings', help: 'Request header prefixes of user extra values. (default x-remote-extra-)' },
  { name: 'authentication-kubeconfig', kind: 'path', valueName: 'path', help: 'kubeconfig of the kube-apiserver that reviews bearer tokens (TokenReview) and holds the authentication configmap.' },
  { name: 'authentication-skip-lookup', kind: 'bool', valueName: 'bool', help: 'Do not read missing CA settings from the extension-apiserver-authentication configmap. (default false)' },
  { name: 'authentication-token-webhook-cache-ttl', kind: 'duration', valueName: 'duration', help: 'How long to cache TokenReview answers. (default 10s)' },
  { name: 'token-auth-file', kind: 'path', valueName: 'path', help: 'Static bearer tokens, CSV: token,user,uid,"group1,group2" (local use without kube-apiserver).' },
  { name: 'anonymous-auth', kind: 'bool', valueName: 'bool', help: 'Let requests no authenticator recognises in as system:anonymous (group system:unauthenticated). (default false)' },
  { name: 'trust-local-admin', kind: 'bool', valueName: 'bool', help: 'Delegated mode: also accept the admin certificate this server made (<cert-dir>/admin.crt, in <data-dir>/admin.kubeconfig) as user admin in system:masters, allowed everything without a SubjectAccessReview. Off, that certificate gets 401 like any unknown CA\'s. Standalone mode always accepts it. (default false)' },
  { name: 'authorization-kubeconfig', kind: 'path', valueName: 'path', help: 'kubeconfig of the kube-apiserver that reviews requests (SubjectAccessReview).' },
  { name: 'authorization-mode', kind: 'string', valueName: 'mode', help: 'Webhook (SubjectAccessReview; without --authorization-kubeconfig only system:masters and the always-allow paths pass), AlwaysAllow (local experiments only) or AlwaysDeny. (default Webhook)' },
  { name: 'authorization-always-allow-paths', kind: 'list', valueName: 'strings', help: 'Paths allowed without review; a trailing * matches a prefix. (default /healthz,/readyz,/livez)' },
  { name: 'authorization-webhook-cache-authorized-ttl', kind: 'duration', valueName: 'duration', help: 'How long to cache allowed SubjectAccessReview answers. (default 10s)' },
  { name: 'authorization-webhook-cache-unauthorized-ttl', kind: 'duration', valueName: 'duration', help: 'How long to cache denied SubjectAccessReview answers. (default 10s)' },
  { name: 'audit-log-path', kind: 'path', valueName: 'path', help: "Append one audit.k8s.io/v1 Event JSON line per request to this file ('-' for standard out)." },
  { name: 'audit-policy-file', kind: 'path', valueName: 'path', help: 'audit.k8s.io/v1 Policy deciding the level per request. (default: Metadata for every request)' },
];

/**
 * The parseArgs `options` for these flags. Every flag is a repeatable string so that both
 * `--flag=a --flag=b` (lists) and `--anonymous-auth=false` (booleans, which parseArgs' own
 * boolean type rejects) parse; run argv through `normalizeAuthArgv` first so that a bare
 * boolean flag (`--authentication-skip-lookup`) reads as `=true`.
 */
export const authParseArgsOptions: Readonly<Record<string, { readonly type: 'string'; readonly multiple: true }>> =
  Object.fromEntries(authFlags.map((f) => [f.name, { type: 'string', multiple: true }] as const));

/** Rewrites bare boolean auth flags to `--name=true`; everything else is returned as is. */
export function normalizeAuthArgv(argv: readonly string[]): string[] {
  const bools = new Set(authFlags.filter((f) => f.kind === 'bool').map((f) => `--${f.name}`));
  return argv.map((a) => (bools.has(a) ? `${a}=true` : a));
}

/** Values as parseArgs returns them (strings, or booleans if a caller declared them so). */
export type RawAuthFlags = Readonly<Record<string, string | boolean | ReadonlyArray<string | boolean> | undefined>>;

export interface RequestHeaderConfig {
  readonly clientCAFile?: string;
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

export interface AuthenticationConfig {
  readonly clientCAFile?: string;
  readonly requestHeader: RequestHeaderConfig;
  readonly kubeconfig?: string;
  readonly skipLookup: boolean;
  readonly tokenWebhookCacheTtlMs: number;
  /** TokenReview request timeout (upstream's fixed 10 s). */
  readonly tokenWebhookTimeoutMs: number;
  readonly tokenAuthFile?: string;
  readonly anonymous: boolean;
  /** `--trust-local-admin`: delegated mode also trusts the standalone CA (its admin certificate). */
  readonly trustLocalAdmin: boolean;
}

export interface AuthorizationConfig {
  readonly mode: AuthorizationMode;
  readonly kubeconfig?: string;
  readonly alwaysAllowPaths: readonly string[];
  /** Groups allowed everything without review (upstream's AlwaysAllowGroups). */
  readonly alwaysAllowGroups: readonly string[];
  readonly authorizedTtlMs: number;
  readonly unauthorizedTtlMs: number;
  /** SubjectAccessReview request timeout (upstream's fixed 10 s). */
  readonly timeoutMs: number;
}

export interface AuditConfig {
  readonly logPath?: string;
  readonly policyFile?: string;
}

export interface AuthConfig {
  readonly authentication: AuthenticationConfig;
  readonly authorization: AuthorizationConfig;
  readonly audit: AuditConfig;
}

export interface AuthOptionsResult {
  /** Present when `errors` is empty. */
  readonly value?: AuthConfig;
  /** One line per problem, each naming its flag. */
  readonly errors: readonly string[];
  /** Things to print loudly at startup (AlwaysAllow, reviews that cannot work). */
  readonly warnings: readonly string[];
}

/** True when some authentication source besides a standalone server's own CA is configured. */
export function hasAuthenticationSource(a: AuthenticationConfig): boolean {
  return Boolean(a.clientCAFile || a.requestHeader.clientCAFile || a.kubeconfig || a.tokenAuthFile);
}

/** Applies defaults, resolves paths against `cwd`, checks every value and cross-flag rule. */
export function completeAuthOptions(raw: RawAuthFlags, opts: { readonly cwd?: string } = {}): AuthOptionsResult {
  const cwd = opts.cwd ?? process.cwd();
  // Collected per flag, reported in flag-table order.
  const problems: Array<{ flag: string; message: string }> = [];
  const errors = { push: (message: string) => problems.push({ flag: /--([a-z-]+)/.exec(message)?.[1] ?? '', message }) };
  const warnings: string[] = [];
  const given = (name: string) => raw[name] !== undefined;
  const values = (name: string): string[] => {
    const v = raw[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
  };
  const last = (name: string): string | undefined => values(name).at(-1);

  const path = (name: string): string | undefined => {
    const v = last(name);
    if (v === undefined || v === '') return undefined;
    if (name === 'audit-log-path' && v === '-') return v;
    const abs = resolve(cwd, v);
    // The audit log is created; its directory must exist. Every other path is read.
    const mustExist = name === 'audit-log-path' ? resolve(abs, '..') : abs;
    try {
      statSync(mustExist);
    } catch (e) {
      errors.push(`--${name} ${v}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    return abs;
  };
  const list = (name: string, dflt: readonly string[]): string[] => {
    if (!given(name)) return [...dflt];
    // pflag string slices: comma-separated, repeated flags accumulate, `--x=` clears.
    const out = values(name).flatMap((v) => v.split(',')).filter((s) => s !== '');
    for (const s of out) if (s.trim() === '') errors.push(`--${name}: values must not be whitespace only`);
    return out;
  };
  const bool = (name: string, dflt: boolean): boolean => {
    const v = last(name);
    if (v === undefined) return dflt;
    const b = parseGoBool(v);
    if (b === undefined) {
      errors.push(`invalid value "${v}" for --${name}: must be true or false`);
      return dflt;
    }
    return b;
  };
  const duration = (name: string, dfltMs: number): number => {
    const v = last(name);
    if (v === undefined) return dfltMs;
    const ms = parseGoDuration(v);
    if (ms === undefined || ms < 0) {
      errors.push(`invalid value "${v}" for --${name}: must be a duration such as 10s, 1m30s or 500ms`);
      return dfltMs;
    }
    return ms;
  };

  const requestHeader: RequestHeaderConfig = {
    clientCAFile: path('requestheader-client-ca-file'),
    allowedNames: list('requestheader-allowed-names', []),
    usernameHeaders: list('requestheader-username-headers', ['x-remote-user']),
    uidHeaders: list('requestheader-uid-headers', []),
    groupHeaders: list('requestheader-group-headers', ['x-remote-group']),
    extraHeaderPrefixes: list('requestheader-extra-headers-prefix', ['x-remote-extra-']),
  };
  const authentication: AuthenticationConfig = {
    clientCAFile: path('client-ca-file'),
    requestHeader,
    kubeconfig: path('authentication-kubeconfig'),
    skipLookup: bool('authentication-skip-lookup', false),
    tokenWebhookCacheTtlMs: duration('authentication-token-webhook-cache-ttl', 10_000),
    tokenWebhookTimeoutMs: 10_000,
    tokenAuthFile: path('token-auth-file'),
    anonymous: bool('anonymous-auth', false),
    trustLocalAdmin: bool('trust-local-admin', false),
  };

  const modeRaw = last('authorization-mode') ?? 'Webhook';
  const mode = authorizationModes.find((m) => m.toLowerCase() === modeRaw.toLowerCase());
  if (!mode) errors.push(`invalid value "${modeRaw}" for --authorization-mode: must be one of ${authorizationModes.join(', ')}`);
  const alwaysAllowPaths = list('authorization-always-allow-paths', ['/healthz', '/readyz', '/livez']);
  for (const p of alwaysAllowPaths) {
    // pkg/authorization/path/path.go: only a trailing * is a wildcard.
    if (p.includes('*') && p.indexOf('*') !== p.length - 1) {
      errors.push(`--authorization-always-allow-paths: only a trailing * is allowed in "${p}"`);
    }
  }
  const authorization: AuthorizationConfig = {
    mode: mode ?? 'Webhook',
    kubeconfig: path('authorization-kubeconfig'),
    alwaysAllowPaths,
    alwaysAllowGroups: ['system:masters'],
    authorizedTtlMs: duration('authorization-webhook-cache-authorized-ttl', 10_000),
    unauthorizedTtlMs: duration('authorization-webhook-cache-unauthorized-ttl', 10_000),
    timeoutMs: 10_000,
  };
  const audit: AuditConfig = { logPath: path('audit-log-path'), policyFile: path('audit-policy-file') };

  if (authorization.mode === 'AlwaysAllow') {
    warnings.push(
      '--authorization-mode=AlwaysAllow: EVERY authenticated request is allowed, with no authorization at all. ' +
        'Use it for local experiments only, never in a cluster.',
    );
  }
  if (authorization.mode === 'Webhook' && !authorization.kubeconfig && authentication.kubeconfig) {
    warnings.push(
      'no --authorization-kubeconfig: SubjectAccessReview cannot run, so only system:masters and the always-allow paths are authorized',
    );
  }
  if (authorization.mode !== 'Webhook' && authorization.kubeconfig) {
    warnings.push(`--authorization-kubeconfig has no effect with --authorization-mode=${authorization.mode}`);
  }
  if (!requestHeader.clientCAFile) {
    for (const f of ['requestheader-allowed-names', 'requestheader-username-headers', 'requestheader-uid-headers', 'requestheader-group-headers', 'requestheader-extra-headers-prefix']) {
      if (given(f)) warnings.push(`--${f} has no effect without --requestheader-client-ca-file (the configmap supplies it)`);
    }
  }
  if (authentication.skipLookup && !authentication.kubeconfig) {
    warnings.push('--authentication-skip-lookup has no effect without --authentication-kubeconfig');
  }

  if (problems.length) {
    const order = (f: string) => authFlags.findIndex((x) => x.name === f);
    const sorted = problems.map((p, i) => ({ ...p, i })).sort((a, b) => order(a.flag) - order(b.flag) || a.i - b.i);
    return { errors: sorted.map((p) => p.message), warnings };
  }
  return { value: { authentication, authorization, audit }, errors: [], warnings };
}

/** strconv.ParseBool. */
function parseGoBool(v: string | boolean): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration, in milliseconds: `10s`, `1m30s`, `1.5h`, `500ms`, `0`. */
export function parseGoDuration(v: string): number | undefined {
  const s = v.trim();
  if (s === '0') return 0;
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * unitMs[part[2]];
  }
  return m[1] === '-' ? -total : total;
}
