// Authentication contracts, after k8s.io/apiserver pkg/authentication/authenticator: an
// authenticator either recognises the request (a user), does not apply to it (undefined), or
// rejects credentials the request did present (throws AuthnError: a bad client certificate, an
// invalid token). The union keeps going after a rejection, but a rejection anywhere means the
// request is not demoted to anonymous (union.NewFailOnError in authenticatorfactory/delegating.go).
import type { UserInfo } from '../../api.js';
import type { PeerVerification } from './x509-chain.js';

export type AuthenticatorName = 'requestheader' | 'x509' | 'token-file' | 'token-webhook' | 'anonymous';

/** The request as authentication sees it: TLS peer chain and header lines. */
export interface AuthnRequest {
  /** The client's certificate chain, leaf first (empty when it sent none), and the handshake's verdict. */
  peer(): PeerVerification;
  /** Every value of header `name` (case-insensitive), one per header line, in order; the bytes read as UTF-8. */
  headerValues(name: string): readonly string[];
  /** The header names present, lower-cased, each once. */
  headerNames(): readonly string[];
  /** Removes every line of header `name`, so handlers never see used credentials. */
  removeHeader(name: string): void;
  /** The TLS connection, for per-connection caches; undefined when not known. */
  readonly connection?: object;
}

export interface AuthnResult {
  readonly user: UserInfo;
  /** Which authenticator answered (for logs and audit). */
  readonly by: AuthenticatorName;
}

/** One authentication source; see the file comment for the three outcomes. */
export type Authenticator = (req: AuthnRequest) => Promise<AuthnResult | undefined>;

/** Credentials were presented and are not valid. */
export class AuthnError extends Error {
  constructor(
    readonly by: AuthenticatorName,
    message: string,
  ) {
    super(message);
    this.name = 'AuthnError';
  }
}

/** kube's well-known groups and users (k8s.io/apiserver pkg/authentication/user/user.go). */
export const wellKnown = {
  allAuthenticated: 'system:authenticated',
  allUnauthenticated: 'system:unauthenticated',
  anonymous: 'system:anonymous',
  masters: 'system:masters',
} as const;
