// Client certificate verification against a CA bundle, with node:crypto, following Go's
// crypto/x509 Certificate.Verify as k8s.io/apiserver calls it (pkg/authentication/request/x509/
// x509.go: DefaultVerifyOptions requires ExtKeyUsageClientAuth; intermediates are the rest of
// the presented chain):
// - a path from the leaf through presented intermediates (each a CA) to a root of the bundle,
//   every signature checked, every certificate (root included) within its validity dates;
// - extended key usage: every certificate of the path that carries the extension must allow
//   clientAuth (or anyExtendedKeyUsage); certificates without it allow any usage.
import { X509Certificate } from 'node:crypto';

const clientAuthOid = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsageOid = '2.5.29.37.0';
/** Longest path tried; Go's default is unlimited, real chains are 2-4 long. */
const maxDepth = 8;

/** A parsed CA bundle (one or more PEM certificates). */
export interface CABundle {
  readonly pem: string;
  readonly roots: readonly X509Certificate[];
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
  return { pem, roots };
}

export type ChainVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Verifies `chain` (leaf first, as presented) for client authentication against `bundle`. */
export function verifyClientChain(chain: readonly X509Certificate[], bundle: CABundle, now = Date.now()): ChainVerdict {
  const leaf = chain[0];
  if (!leaf) return { ok: false, reason: 'no client certificate' };
  const dated = validity(leaf, now);
  if (dated) return { ok: false, reason: dated };
  if (!allowsClientAuth(leaf)) {
    return { ok: false, reason: 'x509: certificate specifies an incompatible key usage' };
  }
  // A leaf that is itself one of the roots is trusted as is (Go does the same).
  if (bundle.roots.some((r) => r.raw.equals(leaf.raw))) return { ok: true };
  const found = buildPath(leaf, chain.slice(1), bundle.roots, now, 0, new Set([leaf.fingerprint256]));
  return found ?? { ok: false, reason: 'x509: certificate signed by unknown authority' };
}

function buildPath(
  cert: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: number,
  depth: number,
  used: Set<string>,
): ChainVerdict | undefined {
  let lastProblem: ChainVerdict | undefined;
  for (const root of roots) {
    if (!signedBy(cert, root)) continue;
    const problem = validity(root, now) ?? (allowsClientAuth(root) ? undefined : 'x509: certificate specifies an incompatible key usage');
    if (!problem) return { ok: true };
    lastProblem = { ok: false, reason: problem };
  }
  if (depth >= maxDepth) return lastProblem;
  for (const next of intermediates) {
    if (used.has(next.fingerprint256) || !next.ca || !signedBy(cert, next)) continue;
    const problem = validity(next, now) ?? (allowsClientAuth(next) ? undefined : 'x509: certificate specifies an incompatible key usage');
    if (problem) {
      lastProblem = { ok: false, reason: problem };
      continue;
    }
    used.add(next.fingerprint256);
    const found = buildPath(next, intermediates, roots, now, depth + 1, used);
    used.delete(next.fingerprint256);
    if (found?.ok) return found;
    lastProblem = found ?? lastProblem;
  }
  return lastProblem;
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

/**
 * Subject attribute values of `cert`, e.g. every `O`. Node prints the subject one attribute per
 * line with RFC 2253 escapes (`\,`, `\+`, control characters as `\XX`), which are undone here.
 */
export function subjectValues(cert: X509Certificate, attribute: string): string[] {
  const out: string[] = [];
  for (const line of cert.subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq) === attribute) out.push(unescape2253(line.slice(eq + 1)));
  }
  return out;
}

function unescape2253(v: string): string {
  return v.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_, e: string) => (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e));
}
