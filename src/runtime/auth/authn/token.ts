// Bearer tokens (k8s.io/apiserver pkg/authentication/request/bearertoken/bearertoken.go): the
// `Authorization: Bearer <token>` header, checked by a static token file
// (plugin/pkg/authenticator/token/tokenfile/tokenfile.go) or a delegated TokenReview
// (plugin/pkg/authenticator/token/webhook/webhook.go) with a response cache
// (pkg/authentication/token/cache). A recognised token's header is removed from the request.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UserInfo } from '../../api.js';
import { describeFailure, type KubeClient } from '../kube-client.js';
import { TtlCache } from '../ttl-cache.js';
import { type Authenticator, type AuthenticatorName, AuthnError } from './types.js';

/** Looks a token up: a user, or undefined when the token is unknown. Throws on lookup errors. */
export type TokenLookup = (token: string) => Promise<UserInfo | undefined>;

/** Reads the bearer token; undefined when the request has none (not a Bearer Authorization). */
export function bearerTokenAuthenticator(lookup: TokenLookup, by: AuthenticatorName): Authenticator {
  return async (req) => {
    const header = req.headerValues('authorization')[0];
    if (!header) return undefined;
    const m = /^\s*bearer\s+(.*)$/i.exec(header);
    if (!m) return undefined;
    const token = m[1].trim();
    // An empty token is an attempt that fails, not an absent credential (bearertoken.go).
    if (!token) throw new AuthnError(by, 'invalid bearer token');
    const user = await lookup(token);
    if (!user) throw new AuthnError(by, 'invalid bearer token');
    req.removeHeader('authorization');
    return { user, by };
  };
}

/** A token file that cannot be used; the message names the file and the line. */
export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

/**
 * kube-apiserver's `--token-auth-file`: CSV lines `token,user,uid[,"group1,group2"]`; at least
 * three columns; an empty token is skipped; a later duplicate wins. Read once, at startup.
 */
export async function loadTokenFile(path: string): Promise<Map<string, UserInfo>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new TokenFileError(`cannot read --token-auth-file ${path}: ${(e as Error).message}`);
  }
  const tokens = new Map<string, UserInfo>();
  parseCsv(text).forEach(({ fields, line }) => {
    if (fields.length < 3) {
      throw new TokenFileError(
        `token file '${path}' must have at least 3 columns (token, user name, user uid), found ${fields.length} (line ${line})`,
      );
    }
    const [token, username, uid, groups] = fields;
    if (!token) return;
    tokens.set(token, { username, uid, groups: groups === undefined ? [] : groups.split(',') });
  });
  return tokens;
}

export function tokenFileLookup(tokens: ReadonlyMap<string, UserInfo>): TokenLookup {
  return async (token) => tokens.get(token);
}

/** RFC 4180 CSV as Go's encoding/csv reads it with TrimLeadingSpace; blank lines skipped. */
function parseCsv(text: string): Array<{ fields: string[]; line: number }> {
  const records: Array<{ fields: string[]; line: number }> = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let atLineEnd = false;
    while (!atLineEnd) {
      while (text[i] === ' ' || text[i] === '\t') i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new TokenFileError(`token file: unterminated quoted field starting on line ${startLine}`);
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === '\n') line++;
          value += text[i++];
        }
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      }
      fields.push(value);
      if (text[i] === ',') i++;
      else {
        if (text[i] === '\r') i++;
        if (text[i] === '\n') i++;
        line++;
        atLineEnd = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: startLine });
  }
  return records;
}

export interface TokenReviewOptions {
  /** How long answers (authenticated or not) are kept. Default 10 s. */
  readonly cacheTtlMs?: number;
  /** Per review request. Default 10 s. */
  readonly timeoutMs?: number;
  /** `spec.audiences`, when the server has API audiences. */
  readonly audiences?: readonly string[];
}

/**
 * Delegated TokenReview. Both positive and negative answers are cached for the TTL, keyed by a
 * hash of the token; failed reviews (transport errors, `status.error`) are not cached.
 */
export function tokenReviewLookup(client: KubeClient, opts: TokenReviewOptions = {}): TokenLookup {
  const ttl = opts.cacheTtlMs ?? 10_000;
  const cache = new TtlCache<{ user?: UserInfo }>();
  return async (token) => {
    const key = createHash('sha256').update(token).digest('hex');
    const hit = cache.get(key);
    if (hit) return hit.user;
    const review = {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { token, ...(opts.audiences?.length ? { audiences: [...opts.audiences] } : {}) },
      status: { user: {} },
    };
    let res;
    try {
      res = await client.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', review, { timeoutMs: opts.timeoutMs ?? 10_000 });
    } catch (e) {
      throw new AuthnError('token-webhook', `TokenReview failed: ${(e as Error).message}`);
    }
    if (res.status < 200 || res.status > 299) throw new AuthnError('token-webhook', `TokenReview failed: ${describeFailure(res)}`);
    const status = ((res.body ?? {}) as { status?: TokenReviewStatus }).status ?? {};
    if (!status.authenticated) {
      if (status.error) throw new AuthnError('token-webhook', status.error);
      cache.set(key, {}, ttl);
      return undefined;
    }
    const u = status.user ?? {};
    const user: UserInfo = {
      username: u.username ?? '',
      ...(u.uid ? { uid: u.uid } : {}),
      groups: u.groups ?? [],
      ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
    };
    cache.set(key, { user }, ttl);
    return user;
  };
}

interface TokenReviewStatus {
  authenticated?: boolean;
  error?: string;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}
