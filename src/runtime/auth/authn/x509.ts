// Client certificate authentication (k8s.io/apiserver pkg/authentication/request/x509/x509.go
// with CommonNameUserConversion): a chain to the client CA with clientAuth usage; the user is
// the subject CN (the last one, as Go reads it), the groups the subject O values. A certificate
// without a CN is not an identity; a certificate that fails verification is a rejection (no
// anonymous fallback). Verification: x509-chain.ts.
import { type CABundle, cachedChainVerifier, commonName, subjectValues } from './x509-chain.js';
import { type Authenticator, type AuthnRequest, type AuthnResult, AuthnError } from './types.js';

/** `ca()` is read per request (CA rotation); undefined disables this authenticator. */
export function x509Authenticator(ca: () => CABundle | undefined): Authenticator {
  const identify = x509Identifier(ca);
  return async (req) => identify(req);
}

/** The authenticator's synchronous core: the result, undefined (not applicable), or throws AuthnError. */
export function x509Identifier(ca: () => CABundle | undefined): (req: AuthnRequest) => AuthnResult | undefined {
  const verify = cachedChainVerifier();
  return (req) => {
    const bundle = ca();
    if (!bundle) return undefined;
    const peer = req.peer();
    if (peer.chain.length === 0) return undefined;
    const verdict = verify(req.connection, peer, bundle);
    if (!verdict.ok) throw new AuthnError('x509', `verifying certificate against the client CA: ${verdict.reason}`);
    const leaf = peer.chain[0];
    const username = commonName(leaf);
    if (!username) return undefined;
    return { user: { username, groups: subjectValues(leaf, 'O') }, by: 'x509' };
  };
}
