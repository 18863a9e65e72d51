// Response encoding. Objects from the registry may be shared (watch cache) and are never
// mutated, so their compact JSON is cached by identity: a shared object is serialized once per
// version however many requests and watchers send it.
import { stringify as yamlStringify } from 'yaml';
import type { KindDefinition, KubeObject, ListMeta } from '../api.js';
import type { ObjectList } from '../registry/interface.js';
import { contentTypeOf, type OutputFormat } from './negotiation.js';
import { partialObjectMetadata, toTable } from './table.js';
import type { IncludeObject } from './query.js';

const serialized = new WeakMap<object, string>();

/** Compact JSON of an object, computed once per object identity. */
export function objectJson(obj: object): string {
  let s = serialized.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    serialized.set(obj, s);
  }
  return s;
}

/** A list as JSON, reusing the cached JSON of every item. `items` is `[]`, never null. */
export function listJson(apiVersion: string, listKind: string, list: ObjectList): string {
  const head = JSON.stringify({ apiVersion, kind: listKind, metadata: listMetaOf(list.metadata) });
  const items = list.items.map(objectJson).join(',');
  return `${head.slice(0, -1)},"items":[${items}]}`;
}

function listMetaOf(m: ListMeta): ListMeta {
  return {
    ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.continue ? { continue: m.continue } : {}),
    ...(m.remainingItemCount !== undefined ? { remainingItemCount: m.remainingItemCount } : {}),
  };
}

export interface Encoded {
  readonly contentType: string;
  readonly body: string;
}

function fromJson(format: OutputFormat, json: string, value: () => unknown): Encoded {
  if (format.kind === 'yaml') return { contentType: contentTypeOf(format), body: yamlStringify(value()) };
  return { contentType: contentTypeOf(format), body: json };
}

export interface EncodeContext {
  readonly kind: KindDefinition;
  /** `group/version` of the endpoint. */
  readonly apiVersion: string;
  readonly format: OutputFormat;
  readonly includeObject: IncludeObject;
}

/** Encodes one object (a get, create, update, patch or delete result). */
export function encodeObject(ctx: EncodeContext, obj: KubeObject): Encoded {
  const { format } = ctx;
  if (format.kind === 'table') {
    const table = toTable(ctx.kind, [obj], { resourceVersion: obj.metadata?.resourceVersion }, { version: format.version, includeObject: ctx.includeObject });
    return { contentType: contentTypeOf(format), body: JSON.stringify(table) };
  }
  if (format.kind === 'partial') return { contentType: contentTypeOf(format), body: JSON.stringify(partialObjectMetadata(obj, format.version)) };
  return fromJson(format, format.kind === 'yaml' ? '' : objectJson(obj), () => obj);
}

/** Encodes a list (list or deletecollection). */
export function encodeList(ctx: EncodeContext, list: ObjectList): Encoded {
  const { format } = ctx;
  const metadata = listMetaOf(list.metadata);
  if (format.kind === 'table') {
    const table = toTable(ctx.kind, list.items, metadata, { version: format.version, includeObject: ctx.includeObject });
    return { contentType: contentTypeOf(format), body: JSON.stringify(table) };
  }
  if (format.kind === 'partial') {
    const body = {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${format.version}`,
      metadata,
      items: list.items.map((o) => partialObjectMetadata(o, format.version)),
    };
    return { contentType: contentTypeOf(format), body: JSON.stringify(body) };
  }
  if (format.kind === 'yaml') {
    return fromJson(format, '', () => ({ apiVersion: ctx.apiVersion, kind: ctx.kind.listKind, metadata, items: list.items }));
  }
  return { contentType: contentTypeOf(format), body: listJson(ctx.apiVersion, ctx.kind.listKind, list) };
}

/** Encodes a plain value (a Status, a Scale) as JSON or YAML. */
export function encodeValue(format: OutputFormat, value: unknown): Encoded {
  if (format.kind === 'yaml') return { contentType: contentTypeOf(format), body: yamlStringify(value) };
  return { contentType: 'application/json', body: JSON.stringify(value) };
}
