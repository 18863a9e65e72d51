// The request target (path and query) parsed once per request, with one decoder, as Go's
// net/http reads it (url.ParseRequestURI: the path percent-decoded into URL.Path, the query
// kept raw and read by url.ParseQuery). Routing, authorization (requestinfo.go), audit and the
// handlers all read this one parse, so what is authorized is what is served:
//   - fastify's `querystringParser` is `decodeQuery`, so `request.query` is this parse;
//   - the chain (chain.ts) stores the target on the request and derives the request
//     attributes from it once.
// Two deliberate differences from Go, where Go's reading could not be kept by fastify's router
// or would silently change the meaning of a request:
//   - a `#` in the target is 400: Go keeps it in the path (the fragment is not split off a
//     request URI), while fastify's router cuts the path at it and reads what follows as a
//     query (`flunders#&watch=1` would be routed as a watch);
//   - a query pair that cannot be decoded (a bad `%` escape, a `;`) is 400: Go's ParseQuery
//     drops such a pair, which changes what the request asks for without telling the client.
import { errors, type StatusError } from '../errors.js';
import { unescape } from '../util/go-text.js';

/** A decoded query: one value per key as a string, repeated keys as arrays (in order). */
export type Query = Readonly<Record<string, string | readonly string[]>>;

export interface RequestTarget {
  /** The path, percent-decoded (Go's URL.Path). */
  readonly path: string;
  /** The query after `?`, as received. */
  readonly rawQuery: string;
  readonly query: Query;
}

/** Set on a query `decodeQuery` returns when a pair did not decode: the first error. */
const decodeError = Symbol('aa-gen.queryDecodeError');
/** Every query `decodeQuery` returned (so the chain knows the router used it). */
const decodedQueries = new WeakSet<object>();

type DecodedQuery = Record<string, string | string[]> & { [decodeError]?: string };

/**
 * url.ParseQuery: `&`-separated pairs, `key=value` or `key`, `+` as space, percent-escapes
 * read as UTF-8. Never throws (it runs inside fastify's router): a pair that cannot be decoded
 * is left out and the first such error is kept on the result for `queryDecodeError`. The
 * result has no prototype, so any key (`__proto__`, `constructor`) is an ordinary one.
 */
export function decodeQuery(raw: string): Query {
  const out = Object.create(null) as DecodedQuery;
  let error = '';
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    const pair = raw.slice(start, end);
    start = end + 1;
    if (pair === '') continue;
    if (pair.includes(';')) {
      error ||= 'invalid semicolon separator in query';
      continue;
    }
    const eq = pair.indexOf('=');
    const key = unescape(eq < 0 ? pair : pair.slice(0, eq), 'query');
    const value = unescape(eq < 0 ? '' : pair.slice(eq + 1), 'query');
    if (!key.ok || !value.ok) {
      error ||= !key.ok ? key.error : (value as { error: string }).error;
      continue;
    }
    const prev = out[key.value];
    if (prev === undefined) out[key.value] = value.value;
    else if (typeof prev === 'string') out[key.value] = [prev, value.value];
    else prev.push(value.value);
  }
  if (error) Object.defineProperty(out, decodeError, { value: error });
  decodedQueries.add(out);
  return out;
}

/** The first pair `decodeQuery` could not decode; undefined when all decoded (or `q` is not its result). */
function queryDecodeError(q: unknown): string | undefined {
  return (q as DecodedQuery | undefined)?.[decodeError] || undefined;
}

function isDecodedQuery(q: unknown): q is Query {
  return typeof q === 'object' && q !== null && decodedQueries.has(q);
}

/**
 * The target of a request as received (`request.raw.url`), or the 400 it gets. `routerQuery`
 * is what fastify's router made of the same query with `decodeQuery` (then it is not decoded
 * a second time).
 */
export function parseRequestTarget(url: string, routerQuery?: unknown): RequestTarget | StatusError {
  if (url.includes('#')) return errors.badRequest(`invalid request URI ${JSON.stringify(url)}: a request target has no fragment ("#")`);
  // Origin form only (RFC 9112 3.2.1); `*` is OPTIONS's asterisk form.
  if (!url.startsWith('/') && url !== '*') return errors.badRequest(`invalid request URI ${JSON.stringify(url)}`);
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const path = unescape(rawPath, 'path');
  if (!path.ok) return errors.badRequest(`invalid request URI ${JSON.stringify(url)}: ${path.error}`);
  const query = isDecodedQuery(routerQuery) ? routerQuery : decodeQuery(rawQuery);
  const bad = queryDecodeError(query);
  if (bad) return errors.badRequest(`invalid query parameters: ${bad}`);
  return { path: path.value, rawQuery, query };
}

/**
 * The same parse for callers that only have a URL and want attributes whatever it holds
 * (metrics, tests): the part that decodes, without the 400.
 */
export function lenientRequestTarget(url: string): RequestTarget {
  const parsed = parseRequestTarget(url);
  if (!(parsed instanceof Error)) return parsed;
  const cut = url.search(/[?#]/);
  const rawPath = cut < 0 ? url : url.slice(0, cut);
  const path = unescape(rawPath, 'path');
  const rawQuery = cut < 0 || url[cut] === '#' ? '' : url.slice(cut + 1).split('#')[0];
  return { path: path.ok ? path.value : rawPath, rawQuery, query: decodeQuery(rawQuery) };
}
