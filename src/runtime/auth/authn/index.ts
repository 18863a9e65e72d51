// buildAuthenticator: the delegated authentication chain of k8s.io/apiserver
// pkg/authentication/authenticatorfactory/delegating.go, from an AuthenticationConfig:
//
//   1. request-header (front proxy)   2. x509 client certificates   3. bearer token
//      (token file, then TokenReview)  -> the first that recognises the request wins, and
//      `system:authenticated` is added (group.NewAuthenticatedGroupAdder);
//   4. anonymous, when enabled, only for requests that presented no rejected credential
//      (union.NewFailOnError).
//
// CAs come from flags (files re-read periodically) or, when --authentication-kubeconfig is set
// and a CA flag is not, from the extension-apiserver-authentication configmap, kept fresh by
// a watch (configmap.ts).
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import type { UserInfo } from '../../api.js';
import { kubeClientFromFile, type KubeClient } from '../kube-client.js';
import type { AuthenticationConfig } from '../options.js';
import { type AuthenticationConfigMapSource, watchAuthenticationConfigMap } from './configmap.js';
import { requestHeaderAuthenticator, type RequestHeaderSettings } from './requestheader.js';
import { authnRequestFromIncoming } from './request.js';
import { bearerTokenAuthenticator, loadTokenFile, tokenFileLookup, tokenReviewLookup } from './token.js';
import { type Authenticator, AuthnError, type AuthnRequest, type AuthnResult, wellKnown } from './types.js';
import { type CABundle, parseCABundle, unionOfBundles } from './x509-chain.js';
import { x509Authenticator } from './x509.js';

export type { Authenticator, AuthnRequest, AuthnResult, AuthenticatorName } from './types.js';
export { AuthnError } from './types.js';
export { authnRequestFromIncoming, authnRequestOf } from './request.js';

export interface BuildAuthenticatorOptions {
  readonly config: AuthenticationConfig;
  /**
   * One more client CA (PEM) for x509, e.g. a standalone server's own CA whose admin
   * certificate is the local identity.
   */
  readonly additionalClientCA?: string;
  /** A client for TokenReview and the configmap; default: loaded from config.kubeconfig. */
  readonly client?: KubeClient;
  /**
   * The configmap is watched (changes apply at once) and re-read every this often as a
   * backstop. Default 5 min; 0 disables.
   */
  readonly configMapResyncIntervalMs?: number;
  /** How often the configmap is re-read when the server refuses the watch. Default 30 s. */
  readonly configMapPollIntervalMs?: number;
  /** How often CA files are re-read (upstream: every minute). Default 60 s; 0 disables. */
  readonly fileReloadIntervalMs?: number;
  /** Rejected credentials of unauthenticated requests, and background refresh errors. */
  readonly log?: { warn(message: string): void };
}

export interface BuiltAuthenticator {
  /** The user, or undefined: answer 401 Unauthorized. Never rejects. */
  authenticate(req: AuthnRequest): Promise<AuthnResult | undefined>;
  /**
   * Every CA a client certificate may chain to now (client CA, request-header CA, the extra
   * one), each once: the TLS server's `ca`, which verifies chains in the handshake and names
   * the acceptable CAs in its CertificateRequest, as Go's union of ClientCAs does
   * (pkg/server/dynamiccertificates/union.go). x509-chain.ts explains the split.
   */
  trustedCAs(): readonly string[];
  /** Calls `listener` with the new list whenever it changes (CA files, configmap); returns an unsubscribe. */
  onTrustedCAsChange(listener: (cas: readonly string[]) => void): () => void;
  /** Stops the configmap watch, its timers and file reloading. */
  close(): void;
}

/** Reads every file and the configmap (when needed) before returning; errors name their flag. */
export async function buildAuthenticator(opts: BuildAuthenticatorOptions): Promise<BuiltAuthenticator> {
  const c = opts.config;
  const closers: Array<() => void> = [];
  const reloadMs = opts.fileReloadIntervalMs ?? 60_000;

  // A client (from the flag's kubeconfig, or given: the in-cluster service account) enables the
  // configmap lookup and TokenReview, as upstream's in-cluster fallback does.
  const client = opts.client ?? (c.kubeconfig ? kubeClientFromFile(c.kubeconfig, '--authentication-kubeconfig') : undefined);
  const lookup = Boolean(client) && !c.skipLookup;
  const listeners = new Set<(cas: readonly string[]) => void>();
  let trusted: readonly string[] = [];
  // Called by every CA source after a change: recompute the union, tell the listeners.
  const caChanged = () => {
    const next = unionOfBundles([clientCA(), requestHeader()?.ca]);
    if (next.length === trusted.length && next.every((pem, i) => pem === trusted[i])) return;
    trusted = next;
    for (const l of listeners) {
      try {
        l(trusted);
      } catch (e) {
        opts.log?.warn(`cannot apply the new trusted client CAs: ${(e as Error).message}`);
      }
    }
  };
  const needConfigMap = lookup && (!c.clientCAFile || !c.requestHeader.clientCAFile);
  let configMap: AuthenticationConfigMapSource | undefined;
  if (needConfigMap && client) {
    configMap = await watchAuthenticationConfigMap(client, {
      resyncIntervalMs: opts.configMapResyncIntervalMs,
      pollIntervalMs: opts.configMapPollIntervalMs,
      onError: (e) => opts.log?.warn(`keeping the last authentication configuration: ${e.message}`),
      onChange: () => caChanged(),
    });
    closers.push(() => configMap?.close());
  }

  // Client CA: the flag's file, else the configmap; plus the caller's extra CA.
  let clientCA: () => CABundle | undefined = () => undefined;
  if (c.clientCAFile) {
    const file = fileCA(c.clientCAFile, '--client-ca-file', reloadMs, caChanged, opts.log);
    closers.push(file.close);
    clientCA = file.current;
  } else if (configMap) {
    const cm = configMap;
    clientCA = () => cm.current().clientCA;
  }
  if (opts.additionalClientCA) clientCA = withExtraCA(clientCA, parseCABundle(opts.additionalClientCA, 'additional client CA'));

  // Request-header: all settings from flags when the CA flag is set, else all from the configmap.
  let requestHeader: () => RequestHeaderSettings | undefined = () => undefined;
  const rh = c.requestHeader;
  if (rh.clientCAFile) {
    const file = fileCA(rh.clientCAFile, '--requestheader-client-ca-file', reloadMs, caChanged, opts.log);
    closers.push(file.close);
    requestHeader = () => ({
      ca: file.current(),
      allowedNames: rh.allowedNames,
      usernameHeaders: rh.usernameHeaders,
      uidHeaders: rh.uidHeaders,
      groupHeaders: rh.groupHeaders,
      extraHeaderPrefixes: rh.extraHeaderPrefixes,
    });
  } else if (configMap) {
    const cm = configMap;
    requestHeader = () => {
      const d = cm.current();
      if (!d.requestHeaderCA) return undefined;
      return {
        ca: d.requestHeaderCA,
        allowedNames: d.requestHeaderAllowedNames,
        usernameHeaders: d.requestHeaderUsernameHeaders,
        uidHeaders: d.requestHeaderUIDHeaders,
        groupHeaders: d.requestHeaderGroupHeaders,
        extraHeaderPrefixes: d.requestHeaderExtraHeadersPrefix,
      };
    };
  }

  caChanged();

  const chain: Authenticator[] = [requestHeaderAuthenticator(requestHeader), x509Authenticator(clientCA)];
  if (c.tokenAuthFile) chain.push(bearerTokenAuthenticator(tokenFileLookup(await loadTokenFile(c.tokenAuthFile)), 'token-file'));
  if (client) {
    chain.push(
      bearerTokenAuthenticator(
        tokenReviewLookup(client, { cacheTtlMs: c.tokenWebhookCacheTtlMs, timeoutMs: c.tokenWebhookTimeoutMs }),
        'token-webhook',
      ),
    );
  }

  return {
    async authenticate(req) {
      const rejections: string[] = [];
      for (const a of chain) {
        let result: AuthnResult | undefined;
        try {
          result = await a(req);
        } catch (e) {
          rejections.push(e instanceof AuthnError ? `${e.by}: ${e.message}` : String((e as Error)?.message ?? e));
          continue;
        }
        if (result) return { by: result.by, user: withAuthenticatedGroup(result.user) };
      }
      if (rejections.length) {
        opts.log?.warn(`Unable to authenticate the request: [${rejections.join(', ')}]`);
        return undefined;
      }
      if (c.anonymous) {
        return { by: 'anonymous', user: { username: wellKnown.anonymous, groups: [wellKnown.allUnauthenticated] } };
      }
      return undefined;
    },
    trustedCAs: () => trusted,
    onTrustedCAsChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      for (const close of closers) close();
    },
  };
}

/** Adds system:authenticated unless the user already has it or system:unauthenticated. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const g = user.groups;
  if (g.includes(wellKnown.allAuthenticated) || g.includes(wellKnown.allUnauthenticated)) return user;
  return { ...user, groups: [...g, wellKnown.allAuthenticated] };
}

/** A CA bundle file, re-read every `intervalMs`; a bad re-read keeps the previous bundle. */
function fileCA(path: string, flag: string, intervalMs: number, onChange: () => void, log?: { warn(m: string): void }) {
  const read = () => parseCABundle(readFileSync(path, 'utf8'), `${flag} ${path}`);
  let bundle: CABundle;
  try {
    bundle = read();
  } catch (e) {
    throw new AuthnConfigError(e instanceof Error && e.name === 'CABundleError' ? e.message : `cannot read ${flag} ${path}: ${(e as Error).message}`);
  }
  let timer: NodeJS.Timeout | undefined;
  if (intervalMs > 0) {
    timer = setInterval(() => {
      try {
        const next = read();
        if (next.pem !== bundle.pem) {
          bundle = next;
          onChange();
        }
      } catch (e) {
        log?.warn(`keeping the previous ${flag}: ${(e as Error).message}`);
      }
    }, intervalMs);
    timer.unref();
  }
  return { current: () => bundle, close: () => timer && clearInterval(timer) };
}

function withExtraCA(base: () => CABundle | undefined, extra: CABundle): () => CABundle {
  let lastBase: CABundle | undefined;
  let merged: CABundle = extra;
  return () => {
    const b = base();
    if (b !== lastBase) {
      lastBase = b;
      merged = b ? parseCABundle(`${b.pem}\n${extra.pem}`, 'client CA') : extra;
    }
    return merged;
  };
}

/** The configuration cannot build an authenticator (unreadable file, bad PEM). */
export class AuthnConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthnConfigError';
  }
}

/**
 * Adapts the built authenticator to the server's handler chain (src/runtime/server/chain.ts):
 * `authenticate(fastifyRequest)` resolves to the user or undefined. The identity headers and a
 * recognised bearer token are stripped from `request.raw` as a side effect.
 */
export function requestAuthenticator(built: BuiltAuthenticator): {
  authenticate(request: { readonly raw: IncomingMessage }): Promise<UserInfo | undefined>;
} {
  return {
    async authenticate(request) {
      return (await built.authenticate(authnRequestFromIncoming(request.raw)))?.user;
    },
  };
}
