// The TLS server's secure context, made of parts that change at different times: the serving
// pair (serving-reload.ts, rotation), the trusted client CAs (the authentication CA sources:
// files re-read, the extension-apiserver-authentication configmap), and the protocol options
// (tls-options.ts, fixed at startup). Any change builds the whole context again and installs
// it with tls.Server.setSecureContext: new connections get it, open ones keep theirs, as Go's
// dynamic certificate controllers feed tls.Config.GetConfigForClient
// (k8s.io/apiserver pkg/server/dynamiccertificates/tlsconfig.go).
import { constants } from 'node:crypto';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { TlsProtocolOptions } from './tls-options.js';

export interface SecureContextParts {
  readonly cert: string;
  readonly key: string;
  /** PEM certificates client certificate chains may end in; also the CertificateRequest's acceptable-CA list. */
  readonly trustedCAs: readonly string[];
  readonly protocol: TlsProtocolOptions;
}

export interface SecureContextHolder {
  /** Options for creating the TLS server: the context, and client certificates requested, not required. */
  serverOptions(): SecureContextOptions & { requestCert: true; rejectUnauthorized: false };
  /** The server whose context the setters replace. */
  attach(server: TlsServer): void;
  /** A new serving pair; throws (and keeps the old one) when the key does not match. */
  setServing(pair: { readonly cert: string; readonly key: string }): void;
  setTrustedCAs(cas: readonly string[]): void;
}

export function secureContextHolder(initial: SecureContextParts): SecureContextHolder {
  let parts = initial;
  let server: TlsServer | undefined;
  const contextOf = (p: SecureContextParts): SecureContextOptions => ({
    ...p.protocol,
    cert: p.cert,
    key: p.key,
    ca: [...p.trustedCAs],
    // Any certificate of a pool is an anchor, as in Go's x509.CertPool (an intermediate CA
    // given as --client-ca-file too), not only self-signed roots.
    allowPartialTrustChain: true,
    // No session tickets, hence no resumption (Node keeps no server-side session cache): a
    // resumed session keeps only the client's leaf, not its intermediates, so the chain could
    // not be matched to a pool (auth/authn/x509-chain.ts). Go keeps the chain in its tickets;
    // here every new connection is a full handshake.
    secureOptions: constants.SSL_OP_NO_TICKET,
  });
  const install = (next: SecureContextParts) => {
    const context = contextOf(next);
    createSecureContext(context); // throws on a bad pair, before anything changes
    server?.setSecureContext(context);
    parts = next;
  };
  return {
    serverOptions: () => ({ ...contextOf(parts), requestCert: true, rejectUnauthorized: false }),
    attach(s) {
      server = s;
    },
    setServing(pair) {
      install({ ...parts, cert: pair.cert, key: pair.key });
    },
    setTrustedCAs(cas) {
      install({ ...parts, trustedCAs: cas });
    },
  };
}
