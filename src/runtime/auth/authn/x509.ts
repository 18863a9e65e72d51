// Client certificate authentication (k8s.io/apiserver pkg/authentication/request/x509/x509.go
// with CommonNameUserConversion): a chain to the client CA with clientAuth usage; the user is
// the subject CN, the groups the subject O values. A certificate without a CN is not an
// identity; a certificate that fails verification is a rejection (no anonymous fallback).
import type { X509Certificate } from 'node:crypto';
import { type CABundle, subjectValues, verifyClientChain } from './x509-chain.js';
import { type Authenticator, AuthnError, type AuthnResult } from './types.js';

/** `ca()` is read per request (CA rotation); undefined disables this authenticator. */
export function x509Authenticator(ca: () => CABundle | undefined): Authenticator {
  // A connection's chain cannot change; remember the verdict per connection and bundle.
  const verdicts = new WeakMap<object, { bundle: CABundle; result: AuthnResult | AuthnError | undefined }>();
  return async (req) => {
    const bundle = ca();
    if (!bundle) return undefined;
    const chain = req.peerCertificates();
    if (chain.length === 0) return undefined;
    const key = req.connection;
    const cached = key ? verdicts.get(key) : undefined;
    let result = cached && cached.bundle === bundle ? cached.result : undefined;
    if (!cached || cached.bundle !== bundle) {
      result = authenticateChain(chain, bundle);
      if (key) verdicts.set(key, { bundle, result });
    }
    if (result instanceof AuthnError) throw result;
    return result;
  };
}

function authenticateChain(chain: readonly X509Certificate[], bundle: CABundle): AuthnResult | AuthnError | undefined {
  const verdict = verifyClientChain(chain, bundle);
  if (!verdict.ok) return new AuthnError('x509', `verifying certificate against the client CA: ${verdict.reason}`);
  const username = subjectValues(chain[0], 'CN')[0];
  if (!username) return undefined;
  return { user: { username, groups: subjectValues(chain[0], 'O') }, by: 'x509' };
}
