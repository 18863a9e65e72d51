// Continue tokens for paged lists, in the shape of k8s.io/apiserver@v0.32.4 pkg/storage/continue.go:
// base64url (no padding) of {"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<next key>"},
// the key relative to the list's key prefix so a token cannot range outside it. Opaque to
// clients; it "expires" when its revision is compacted (the store answers 410 then).
import { errors } from '../errors.js';
import type { StatusError } from '../errors.js';

interface Token {
  v?: unknown;
  rv?: unknown;
  start?: unknown;
}

const tokenVersion = 'meta.k8s.io/v1';

/** Token that resumes after `lastKey` (exclusive) at `revision`. */
export function encodeContinue(lastKey: string, keyPrefix: string, revision: number): string {
  if (!lastKey.startsWith(keyPrefix) || lastKey === keyPrefix) {
    throw new Error(`unable to encode next field: the key and key prefix do not match`);
  }
  // kube resumes at lastKey + "\x00"; the same key range as "strictly after lastKey".
  const start = `${lastKey.slice(keyPrefix.length)}\u0000`;
  return Buffer.from(JSON.stringify({ v: tokenVersion, rv: revision, start }), 'utf8').toString('base64url');
}

export interface DecodedContinue {
  /** Resume strictly after this key. */
  readonly startAfter: string;
  readonly revision: number;
}

function invalidToken(why: string): StatusError {
  return errors.badRequest(`invalid continue token: continue key is not valid${why}`);
}

/** Decodes a token for a list under `keyPrefix`; a malformed one is a 400 BadRequest. */
export function decodeContinue(token: string, keyPrefix: string): DecodedContinue {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw invalidToken(': illegal base64 data');
  let parsed: Token;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
  } catch (e) {
    throw invalidToken(`: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object') throw invalidToken(': not an object');
  if (parsed.v !== tokenVersion) {
    throw invalidToken(`: server does not recognize this encoded version ${String(parsed.v ?? '')}`);
  }
  const rv = parsed.rv;
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) {
    throw invalidToken(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof parsed.start !== 'string' || parsed.start.length === 0) {
    throw invalidToken(': encoded start key empty (version meta.k8s.io/v1)');
  }
  let rel = parsed.start;
  if (!rel.endsWith('\u0000')) throw invalidToken(`: ${rel}`);
  rel = rel.slice(0, -1);
  // Defend against path traversal: the key must already be in clean form.
  const segments = rel.split('/');
  if (rel.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw invalidToken(`: ${parsed.start}`);
  }
  return { startAfter: keyPrefix + rel, revision: rv };
}
