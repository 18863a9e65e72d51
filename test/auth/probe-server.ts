// A minimal real HTTPS server for the auth tests: it runs a built authenticator (and, when
// given, the authorizer and audit logger) in the order the runtime's handler chain will, and
// answers with what it decided: 200 {user, by, headers} (the header lines left after
// authentication), 401/403/500 Status otherwise. TLS requests client certificates without
// requiring them and trusts the authenticator's CAs, kept current, as the runtime's server does
// (src/runtime/server/secure-context.ts).
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { authnRequestFromIncoming, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import { forbiddenError, requestAttributes, type BuiltAuthorizer } from '../../src/runtime/auth/authz/index.js';
import { sourceIPs, type AuditLogger } from '../../src/runtime/auth/audit.js';
import { errors, type StatusError } from '../../src/runtime/errors.js';
import { secureContextHolder } from '../../src/runtime/server/secure-context.js';
import { tlsProtocolOptions } from '../../src/runtime/server/tls-options.js';
import { issueServing, makeCA } from '../doubles/pki.js';

export interface ProbeServer {
  readonly url: string;
  /** PEM that verifies the probe's serving certificate. */
  readonly ca: string;
  close(): Promise<void>;
}

export async function startProbeServer(o: {
  authenticator: BuiltAuthenticator;
  authorizer?: BuiltAuthorizer;
  audit?: AuditLogger;
}): Promise<ProbeServer> {
  const ca = await makeCA('probe-serving-ca');
  const serving = await issueServing(ca);
  const context = secureContextHolder({ ...serving, trustedCAs: o.authenticator.trustedCAs(), protocol: tlsProtocolOptions({}).value! });
  const server: Server = createServer(
    context.serverOptions(),
    (req, res) => {
      const received = new Date();
      void (async () => {
        const result = await o.authenticator.authenticate(authnRequestFromIncoming(req));
        const attrs = requestAttributes(req.method ?? 'GET', req.url ?? '/');
        let code = 200;
        let body: unknown;
        let failure: StatusError | undefined;
        if (!result) failure = errors.unauthorized();
        else if (o.authorizer) {
          const d = await o.authorizer.authorize(attrs, result.user);
          if (d.decision !== 'allow') failure = d.error ? errors.internal(d.error) : forbiddenError(attrs, result.user, d.reason);
        }
        if (failure) {
          code = failure.code;
          body = failure.toStatus();
        } else {
          const lines: Array<[string, string]> = [];
          for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
          body = { user: result!.user, by: result!.by, headers: lines, headerObject: req.headers };
        }
        o.audit?.logRequest({
          requestURI: req.url ?? '/',
          attributes: attrs,
          user: result?.user,
          sourceIPs: sourceIPs(req.headers, req.socket.remoteAddress),
          userAgent: req.headers['user-agent'],
          responseCode: code,
          requestReceived: received,
        });
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      })().catch((e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    },
  );
  context.attach(server);
  const unsubscribe = o.authenticator.onTrustedCAsChange((cas) => context.setTrustedCAs(cas));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: ca.cert,
    async close() {
      unsubscribe();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
