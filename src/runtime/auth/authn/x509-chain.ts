// Client certificate verification, in two steps with a fixed cost each:
//
// 1. OpenSSL, in the TLS handshake, verifies the presented chain against the union of every
//    trusted pool (the server's `ca`, see src/runtime/server/secure-context.ts): signatures,
//    validity dates, basic constraints, path length, name constraints, unknown critical
//    extensions, and the "ssl_client" purpose (clientAuth extended key usage). Its chain
//    building is bounded (it uses each presented certificate once, depth <= 100), so no set of
//    presented certificates makes it search. The verdict is `socket.authorized`.
// 2. Per request and per authenticator, this module finds which pool the chain ends in, as Go's
//    k8s.io/apiserver verifies per authenticator against one pool (pkg/authentication/request/
//    x509/x509.go: x509.VerifyOptions{Roots: pool, Intermediates: the rest of the chain,
//    KeyUsages: ClientAuth}). It walks the chain Node links from the presented certificates
//    (leaf first, each issuer found by name and key identifier, then the store's issuers)
//    once, never branching: every link's signature is checked, every certificate must be
//    within its validity dates now (a connection outlives a certificate) and allow clientAuth
//    (Go checks the extended key usage of the whole chain, root included), every issuer must
//    be a CA; the first certificate that is in the pool, or that a certificate of the pool
//    signed, ends the walk. The pool is the current one, so a CA taken out of it stops
//    working at the next request.
//
// Where this differs from Go's crypto/x509 (each is stricter, or a matter of timing):
// - A connection opened before a CA was added stays unverified until the client reconnects
//   (the handshake verdict is per connection); a CA removed applies at once.
// - No TLS session resumption (secure-context.ts): a resumed session would keep only the leaf.
// - OpenSSL rejects a leaf whose only extended key usage is anyExtendedKeyUsage, and a leaf
//   whose key usage has neither digitalSignature nor keyAgreement; Go accepts both.
// - OpenSSL picks one issuer per link where Go tries every candidate (up to 100 signature
//   checks, crypto/x509/verify.go maxChainSignatureChecks): a chain that is valid only
//   through a second presented certificate of the same name (and key identifier, if any) is
//   refused here.
// - Step 2 checks its own path for signatures, dates, CA flag and usage, but path length, name
//   constraints and critical extensions only as OpenSSL checked them on the path it built;
//   the two paths differ only when one certificate was cross-signed into two different pools.
import { X509Certificate } from 'node:crypto';

const clientAuthOid = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsageOid = '2.5.29.37.0';
/** Longest chain walked: OpenSSL's default verify depth (100) plus the leaf and the anchor. */
const maxChainLength = 102;

/** A parsed CA bundle (one or more PEM certificates). */
export interface CABundle {
  readonly pem: string;
  readonly roots: readonly X509Certificate[];
  /** SHA-256 fingerprints of `roots`. */
  readonly fingerprints: ReadonlySet<string>;
}

/** A bundle that cannot be used; the message says where it came from. */
export class CABundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CABundleError';
  }
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses every certificate of `pem`; `source` names it in errors (a flag or configmap key). */
export function parseCABundle(pem: string, source: string): CABundle {
  const blocks = pem.match(pemBlock) ?? [];
  if (blocks.length === 0) throw new CABundleError(`${source}: no PEM certificate found`);
  const roots = blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new CABundleError(`${source}: certificate ${i + 1} is not valid: ${(e as Error).message}`);
    }
  });
  return { pem, roots, fingerprints: new Set(roots.map((r) => r.fingerprint256)) };
}

/** The PEM certificates of every bundle, each once: the TLS server's trusted `ca` list. */
export function unionOfBundles(bundles: ReadonlyArray<CABundle | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const b of bundles) {
    for (const r of b?.roots ?? []) {
      if (seen.has(r.fingerprint256)) continue;
      seen.add(r.fingerprint256);
      out.push(r.toString());
    }
  }
  return out;
}

/** What the TLS handshake says of the client's certificates. */
export interface PeerVerification {
  /** The chain as Node links it, leaf first (see request.ts peerChain); empty: none sent. */
  readonly chain: readonly X509Certificate[];
  /** OpenSSL verified the chain against the server's trusted `ca` union. */
  readonly authorized: boolean;
  /** OpenSSL's error code when not authorized, e.g. CERT_HAS_EXPIRED. */
  readonly authorizationError?: string;
}

export type ChainVerdict =
  | { readonly ok: true; readonly path: readonly X509Certificate[] }
  | { readonly ok: false; readonly reason: string };

const unknownAuthority = 'x509: certificate signed by unknown authority';
const incompatibleUsage = 'x509: certificate specifies an incompatible key usage';

/**
 * Verifies `peer` for client authentication against `bundle` (see the file comment); `path` of
 * a good verdict is the leaf up to the anchor, for `checkValidity` on later requests.
 */
export function verifyClientChain(peer: PeerVerification, bundle: CABundle, now = Date.now()): ChainVerdict {
  const chain = peer.chain.slice(0, maxChainLength);
  if (chain.length === 0) return { ok: false, reason: 'no client certificate' };
  if (!peer.authorized) return { ok: false, reason: goReason(peer.authorizationError) };
  const path: X509Certificate[] = [];
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i];
    const problem = certificateProblem(cert, now);
    if (problem) return { ok: false, reason: problem };
    path.push(cert);
    if (bundle.fingerprints.has(cert.fingerprint256)) return { ok: true, path };
    const root = bundle.roots.find((r) => signedBy(cert, r));
    if (root) {
      const rootProblem = certificateProblem(root, now);
      return rootProblem ? { ok: false, reason: rootProblem } : { ok: true, path: [...path, root] };
    }
    const next = chain[i + 1];
    if (!next || !next.ca || !signedBy(cert, next)) return { ok: false, reason: unknownAuthority };
  }
  return { ok: false, reason: unknownAuthority };
}

/** Rechecks the validity dates of a verified path (certificates expire on open connections). */
export function checkValidity(path: readonly X509Certificate[], now = Date.now()): string | undefined {
  for (const cert of path) {
    const problem = validity(cert, now);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * verifyClientChain, remembered per connection and bundle (a connection's chain and handshake
 * verdict cannot change, the bundle can), with the validity dates checked again each time.
 */
export function cachedChainVerifier(): (connection: object | undefined, peer: PeerVerification, bundle: CABundle) => ChainVerdict {
  const verdicts = new WeakMap<object, { bundle: CABundle; verdict: ChainVerdict }>();
  return (connection, peer, bundle) => {
    const cached = connection ? verdicts.get(connection) : undefined;
    let verdict = cached?.bundle === bundle ? cached.verdict : undefined;
    if (!verdict) {
      verdict = verifyClientChain(peer, bundle);
      if (connection) verdicts.set(connection, { bundle, verdict });
      return verdict;
    }
    if (!verdict.ok) return verdict;
    const expired = checkValidity(verdict.path);
    return expired ? { ok: false, reason: expired } : verdict;
  };
}

function certificateProblem(cert: X509Certificate, now: number): string | undefined {
  return validity(cert, now) ?? (allowsClientAuth(cert) ? undefined : incompatibleUsage);
}

/** `issuer` issued `cert` (names and key identifiers match) and its key verifies the signature. */
function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validity(cert: X509Certificate, now: number): string | undefined {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'x509: certificate has unreadable validity dates';
  if (now < from) return `x509: certificate has expired or is not yet valid: current time ${iso(now)} is before ${iso(from)}`;
  if (now > to) return `x509: certificate has expired or is not yet valid: current time ${iso(now)} is after ${iso(to)}`;
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Node names the extended key usage OIDs `keyUsage`; undefined when the extension is absent. */
function allowsClientAuth(cert: X509Certificate): boolean {
  const ekus = cert.keyUsage as string[] | undefined;
  if (!ekus || ekus.length === 0) return true;
  return ekus.includes(clientAuthOid) || ekus.includes(anyExtendedKeyUsageOid);
}

/** OpenSSL's verify error codes (as Node names them) in the words of Go's crypto/x509. */
function goReason(code: string | undefined): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'x509: certificate has expired or is not yet valid';
    case 'INVALID_PURPOSE':
      return incompatibleUsage;
    case 'INVALID_CA':
      return 'x509: certificate is not authorized to sign other certificates';
    case 'PATH_LENGTH_EXCEEDED':
      return 'x509: too many intermediates for path length constraint';
    case 'PERMITTED_VIOLATION':
    case 'EXCLUDED_VIOLATION':
      return 'x509: a root or intermediate certificate is not authorized to sign for this name';
    case 'UNHANDLED_CRITICAL_EXTENSION':
      return 'x509: unhandled critical extension';
    case undefined:
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return unknownAuthority;
    default:
      return `${unknownAuthority} (${code})`;
  }
}

/**
 * Subject attribute values of `cert`, e.g. every `O`, in certificate order, as Go's
 * FillFromRDNSequence visits them. Node prints the subject one RDN per line, the attributes of
 * a multi-valued RDN joined by ` + `, with RFC 2253 escapes (`\,`, `\+`, control characters as
 * `\XX`), which are undone here.
 */
export function subjectValues(cert: X509Certificate, attribute: string): string[] {
  const out: string[] = [];
  for (const line of cert.subject.split('\n')) {
    for (const ava of splitRDN(line)) {
      const eq = ava.indexOf('=');
      if (eq > 0 && ava.slice(0, eq) === attribute) out.push(unescape2253(ava.slice(eq + 1)));
    }
  }
  return out;
}

/** The attributes of one printed RDN: split at ` + ` outside escapes. */
function splitRDN(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++; // the escaped character (or the first of two hex digits, which are never ` + `)
      continue;
    }
    if (line.startsWith(' + ', i)) {
      out.push(line.slice(start, i));
      start = i + 3;
      i += 2;
    }
  }
  out.push(line.slice(start));
  return out;
}

/**
 * The subject CN as Go reads it: with several CN attributes the last one wins (crypto/x509/pkix
 * Name.FillFromRDNSequence assigns each in turn), so the name Go tooling shows and approves is
 * the name this server authenticates. '' when there is none.
 */
export function commonName(cert: X509Certificate): string {
  return subjectValues(cert, 'CN').at(-1) ?? '';
}

function unescape2253(v: string): string {
  return v.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_, e: string) => (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e));
}
