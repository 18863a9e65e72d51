// Content negotiation for resource endpoints: which representation a response takes (Accept)
// and which decoder a request body needs (Content-Type). After k8s.io/apiserver
// pkg/endpoints/handlers/negotiation/negotiate.go; protobuf is not offered (every client we
// serve falls back to JSON, API-CONTRACT 9.9).
import { errors } from '../errors.js';

export interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  /** Lower-cased parameter names; `q` is removed into `q`. */
  readonly params: Readonly<Record<string, string>>;
  readonly q: number;
}

/** Parses an Accept header into ranges, most preferred first (by q, then header order). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*', subtype: '*', params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [essence, ...rawParams] = part.split(';');
    const [type, subtype] = essence.trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else params[name] = value;
    }
    if (q > 0) ranges.push({ type, subtype, params, q });
  }
  // Array.prototype.sort is stable: equal q keeps the client's order.
  return ranges.sort((a, b) => b.q - a.q);
}

/** What the response body will be. */
export type OutputFormat =
  | { readonly kind: 'json' }
  | { readonly kind: 'yaml' }
  | { readonly kind: 'table'; readonly version: 'v1' | 'v1beta1' }
  | { readonly kind: 'partial'; readonly version: 'v1' | 'v1beta1' };

export interface NegotiateOptions {
  /** Table and PartialObjectMetadata are offered only on reads (get/list/watch). */
  readonly transforms: boolean;
  /** A list (or watch of a collection): `as=PartialObjectMetadataList` applies instead of `as=PartialObjectMetadata`. */
  readonly list: boolean;
  /** Watches are JSON streams: YAML is not offered. */
  readonly watch?: boolean;
}

export const jsonMediaType = 'application/json';
export const yamlMediaType = 'application/yaml';

/** The Content-Type header for a negotiated format. */
export function contentTypeOf(format: OutputFormat): string {
  switch (format.kind) {
    case 'json':
      return jsonMediaType;
    case 'yaml':
      return yamlMediaType;
    case 'table':
      return `application/json;as=Table;v=${format.version};g=meta.k8s.io`;
    case 'partial':
      return 'application/json';
  }
}

/** Chooses the response format, or throws 406 NotAcceptable when nothing offered matches. */
export function negotiateOutput(accept: string | undefined, opts: NegotiateOptions): OutputFormat {
  for (const range of parseAccept(accept)) {
    const format = match(range, opts);
    if (format) return format;
  }
  throw errors.notAcceptable(opts.watch ? [jsonMediaType] : [jsonMediaType, yamlMediaType]);
}

function match(range: MediaRange, opts: NegotiateOptions): OutputFormat | undefined {
  const { type, subtype, params } = range;
  const as = params['as'];
  if (as !== undefined) {
    // `as=` asks for a transformed object: only JSON, only on reads, only meta.k8s.io.
    if (!opts.transforms || type !== 'application' || subtype !== 'json') return undefined;
    if (params['g'] !== 'meta.k8s.io') return undefined;
    const version = params['v'];
    if (version !== 'v1' && version !== 'v1beta1') return undefined;
    if (as === 'Table') return { kind: 'table', version };
    if (as === (opts.list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return { kind: 'partial', version };
    return undefined;
  }
  if (type === '*' && subtype === '*') return { kind: 'json' };
  if (type !== 'application') return undefined;
  if (subtype === '*' || subtype === 'json') return { kind: 'json' };
  if (subtype === 'yaml' && !opts.watch) return { kind: 'yaml' };
  return undefined;
}

/** The media type of a request body: lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  // indexOf + slice rather than split: no array per request body.
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** Patch types we accept, in the order kube lists them in 415 messages. */
export const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchMediaType = (typeof patchMediaTypes)[number];

/** Body types for create/update/delete. */
export const objectMediaTypes = [jsonMediaType, yamlMediaType] as const;
