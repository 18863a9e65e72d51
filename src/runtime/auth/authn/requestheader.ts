// The front-proxy authenticator (k8s.io/apiserver pkg/authentication/request/headerrequest/
// requestheader.go behind x509.NewDynamicCAVerifier): identity headers are believed only from a
// client that presented a certificate chaining to the request-header CA with clientAuth usage
// and, when allowed names are configured, a CN among them (the last CN, as Go reads it).
// Anyone else's identity headers give no identity (and the x509 / token authenticators after
// this one still run).
import type { UserInfo } from '../../api.js';
import { userExtra } from '../user-extra.js';
import { unescape } from '../../util/go-text.js';
import { type CABundle, cachedChainVerifier, commonName } from './x509-chain.js';
import { type Authenticator, type AuthnRequest, AuthnError } from './types.js';

/** What the request-header authenticator needs; flags or the configmap supply it. */
export interface RequestHeaderSettings {
  readonly ca: CABundle;
  /** Allowed client certificate CNs; empty allows any CN the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

/**
 * `settings()` is read per request, so CA rotation and header changes apply to the next
 * request; undefined (no request-header CA known) disables this authenticator.
 */
export function requestHeaderAuthenticator(settings: () => RequestHeaderSettings | undefined): Authenticator {
  const verify = cachedChainVerifier();
  return async (req) => {
    const s = settings();
    if (!s) return undefined;
    const peer = req.peer();
    if (peer.chain.length === 0) return undefined;
    const verdict = verify(req.connection, peer, s.ca);
    if (!verdict.ok) throw new AuthnError('requestheader', `verifying certificate against the request-header CA: ${verdict.reason}`);
    const cn = commonName(peer.chain[0]);
    if (s.allowedNames.length > 0 && !s.allowedNames.includes(cn)) {
      throw new AuthnError('requestheader', `x509: subject with cn=${cn} is not in the allowed list`);
    }
    const user = identityFromHeaders(req, s);
    if (!user) return undefined;
    return { user, by: 'requestheader' };
  };
}

/** Reads and then strips the identity headers; undefined when no username header is set. */
function identityFromHeaders(req: AuthnRequest, s: RequestHeaderSettings): UserInfo | undefined {
  const username = firstValue(req, s.usernameHeaders);
  if (!username) return undefined;
  const uid = firstValue(req, s.uidHeaders);
  const groups: string[] = [];
  for (const h of s.groupHeaders) for (const v of req.headerValues(h)) if (v) groups.push(v);

  // Prefixes first, so values keep the order of the prefixes (requestheader.go newExtra).
  // A Map: any key is an ordinary one (`__proto__`, `constructor`), as in Go's map.
  const extraValues = new Map<string, string[]>();
  const names = req.headerNames();
  const extraHeaders = new Set<string>();
  for (const prefix of s.extraHeaderPrefixes) {
    const p = prefix.toLowerCase();
    for (const name of names) {
      if (!name.startsWith(p)) continue;
      extraHeaders.add(name);
      const key = unescapeExtraKey(name.slice(p.length));
      let values = extraValues.get(key);
      if (!values) extraValues.set(key, (values = []));
      values.push(...req.headerValues(name));
    }
  }

  // Clear every header used for authentication, so nothing downstream can read them.
  for (const h of [...s.usernameHeaders, ...s.uidHeaders, ...s.groupHeaders]) req.removeHeader(h);
  for (const h of extraHeaders) req.removeHeader(h);

  return {
    username,
    ...(uid ? { uid } : {}),
    groups,
    ...(extraValues.size > 0 ? { extra: userExtra(extraValues) } : {}),
  };
}

function firstValue(req: AuthnRequest, headers: readonly string[]): string | undefined {
  for (const h of headers) {
    const v = req.headerValues(h)[0];
    if (v) return v;
  }
  return undefined;
}

/** Header names are lower-cased by now; keys are then percent-decoded as url.PathUnescape (malformed: kept as is). */
function unescapeExtraKey(encoded: string): string {
  const key = unescape(encoded, 'path');
  return key.ok ? key.value : encoded;
}
