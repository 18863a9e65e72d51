// AuthnRequest over a Node request (fastify's `request.raw` is one). Header values are read from
// `rawHeaders`, because Node joins repeated headers in `headers` ("a, b"), while kube-aggregator
// sends one X-Remote-Group line per group and a group name may contain a comma. Node reads
// header bytes as latin1; Go keeps the bytes, which are UTF-8 (`josé`), so values are read
// back as UTF-8 (textFromLatin1), as Go's JSON of them reads.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { textFromLatin1 } from '../../util/go-text.js';
import type { AuthnRequest } from './types.js';
import type { PeerVerification } from './x509-chain.js';

const chains = new WeakMap<object, readonly X509Certificate[]>();

/** The AuthnRequest view of `req`; `removeHeader` edits both `headers` and `rawHeaders`. */
export function authnRequestFromIncoming(req: IncomingMessage): AuthnRequest {
  const socket = req.socket as TLSSocket | undefined;
  return {
    connection: socket,
    peer: () => peerVerification(socket),
    headerValues(name) {
      const want = name.toLowerCase();
      const out: string[] = [];
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].toLowerCase() === want) out.push(textFromLatin1(raw[i + 1]));
      return out;
    },
    headerNames() {
      const names = new Set<string>();
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) names.add(raw[i].toLowerCase());
      return [...names];
    },
    removeHeader(name) {
      const want = name.toLowerCase();
      delete req.headers[want];
      const raw = req.rawHeaders;
      for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].toLowerCase() === want) raw.splice(i, 2);
    },
  };
}

/** The socket's peer chain and OpenSSL's verdict on it (x509-chain.ts step 1). */
export function peerVerification(socket: TLSSocket | undefined): PeerVerification {
  if (!socket) return { chain: [], authorized: false };
  const authorizationError = socket.authorizationError as Error | string | undefined;
  return {
    chain: peerChain(socket),
    authorized: socket.authorized === true,
    ...(authorizationError ? { authorizationError: String(authorizationError) } : {}),
  };
}

/**
 * The certificates the client presented, leaf first, cached per connection (they cannot change
 * on a connection). Node's detailed peer certificate links each certificate to its issuer; the
 * walk stops at a self-signed certificate or a repeat.
 */
export function peerChain(socket: TLSSocket): readonly X509Certificate[] {
  const cached = chains.get(socket);
  if (cached) return cached;
  const out: X509Certificate[] = [];
  if (typeof socket.getPeerCertificate === 'function') {
    let c = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
    const seen = new Set<string>();
    while (c && c.raw && c.raw.length > 0) {
      const fp = c.fingerprint256;
      if (seen.has(fp)) break;
      seen.add(fp);
      out.push(new X509Certificate(c.raw));
      if (!c.issuerCertificate || c.issuerCertificate === c) break;
      c = c.issuerCertificate;
    }
  }
  chains.set(socket, out);
  return out;
}

/** An in-memory AuthnRequest (embedding, tests): header lines in order, chain leaf first. */
export function authnRequestOf(init: {
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** The client's chain and whether a TLS handshake verified it. */
  readonly peer?: PeerVerification;
}): AuthnRequest & { headerLines(): Array<[string, string]> } {
  let lines = (init.headers ?? []).map(([n, v]) => [n, v] as [string, string]);
  return {
    peer: () => init.peer ?? { chain: [], authorized: false },
    headerValues: (name) => lines.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
    headerNames: () => [...new Set(lines.map(([n]) => n.toLowerCase()))],
    removeHeader(name) {
      lines = lines.filter(([n]) => n.toLowerCase() !== name.toLowerCase());
    },
    headerLines: () => lines.map(([n, v]) => [n, v]),
  };
}
