// What a lossy conversion leaves behind, and how to put it back. Converting a hub object to a
// version that cannot hold all of it stores the hub's lost fields in one annotation on the
// converted object; converting that object back restores them. This is what kube-apiserver
// does by hand for its lossy conversions (autoscaling/v1 HorizontalPodAutoscaler keeps the
// v2 metrics in `autoscaling.alpha.kubernetes.io/metrics`, pkg/apis/autoscaling/v1/conversion.go);
// here it is generic: the lost fields are found by converting back and comparing.
//
// The annotation's value is JSON:
//   {"apiVersion":"<group>/<hub version>","fields":{"<JSON pointer>":<hub value>,...},"absent":["<JSON pointer>",...]}
// `fields` holds hub values the round trip lost or changed, `absent` the paths the round trip
// added that the hub object did not have. Pointers are RFC 6901 (`/spec/labels/a~1b`).
import type { KubeObject } from '../api.js';

/** The annotation holding the hub fields a version cannot represent. */
export const hubFieldsAnnotation = 'aa-gen.dev/hub-fields';

/** One saved difference: the hub's value at `path`, or `absent` when the hub had none there. */
export type HubFieldEntry = { readonly path: string; readonly value: unknown } | { readonly path: string; readonly absent: true };

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep equality of JSON values; a property set to undefined counts as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

const escapeToken = (t: string) => t.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapeToken = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');
const tokensOf = (pointer: string): string[] => (pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken));

/**
 * The differences that turn `after` back into `before`: objects are compared key by key,
 * anything else (arrays, scalars) as a whole. `metadata`, `apiVersion` and `kind` are never
 * compared (conversions copy metadata; the others name the version).
 */
export function diffJson(before: JsonObject, after: JsonObject): HubFieldEntry[] {
  const out: HubFieldEntry[] = [];
  const walk = (b: JsonObject, a: JsonObject, prefix: string, top: boolean): void => {
    for (const [k, bv] of Object.entries(b)) {
      if (bv === undefined || (top && (k === 'metadata' || k === 'apiVersion' || k === 'kind'))) continue;
      const path = `${prefix}/${escapeToken(k)}`;
      const av = Object.prototype.hasOwnProperty.call(a, k) ? a[k] : undefined;
      if (isObject(bv) && isObject(av)) walk(bv, av, path, false);
      else if (!jsonEqual(bv, av)) out.push({ path, value: bv });
    }
    for (const [k, av] of Object.entries(a)) {
      if (av === undefined || (top && (k === 'metadata' || k === 'apiVersion' || k === 'kind'))) continue;
      if (!Object.prototype.hasOwnProperty.call(b, k) || b[k] === undefined) out.push({ path: `${prefix}/${escapeToken(k)}`, absent: true });
    }
  };
  walk(before, after, '', true);
  return out;
}

function setOwn(obj: JsonObject, key: string, value: unknown): void {
  // defineProperty, so that a `__proto__` key is data, never the prototype.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Applies entries to `target` in place. Missing (or non-object) parents of a restored value
 * are created as objects; removing a path whose parent is missing does nothing.
 */
export function applyEntries(target: JsonObject, entries: readonly HubFieldEntry[]): void {
  for (const e of entries) {
    const tokens = tokensOf(e.path);
    const last = tokens.pop();
    if (last === undefined) continue;
    let node: JsonObject | undefined = target;
    for (const t of tokens) {
      const next: unknown = Object.prototype.hasOwnProperty.call(node, t) ? node[t] : undefined;
      if (isObject(next)) node = next;
      else if ('absent' in e) {
        node = undefined;
        break;
      } else {
        const created: JsonObject = {};
        setOwn(node, t, created);
        node = created;
      }
    }
    if (node === undefined) continue;
    if ('absent' in e) delete node[last];
    else setOwn(node, last, JSON.parse(JSON.stringify(e.value)) as unknown);
  }
}

/** The annotation value for `entries` (deterministic: entries in walk order). */
export function encodeHubFields(hubApiVersion: string, entries: readonly HubFieldEntry[]): string {
  const fields: JsonObject = {};
  const absent: string[] = [];
  for (const e of entries) {
    if ('absent' in e) absent.push(e.path);
    else setOwn(fields, e.path, e.value);
  }
  return JSON.stringify({ apiVersion: hubApiVersion, ...(Object.keys(fields).length > 0 ? { fields } : {}), ...(absent.length > 0 ? { absent } : {}) });
}

/**
 * The entries of an annotation value, or [] when it is not ours to read: not JSON, another
 * shape, or saved from another hub version (the storage version changed since).
 */
export function decodeHubFields(hubApiVersion: string, text: string | undefined): HubFieldEntry[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isObject(parsed) || parsed.apiVersion !== hubApiVersion) return [];
  const entries: HubFieldEntry[] = [];
  if (isObject(parsed.fields)) {
    for (const [path, value] of Object.entries(parsed.fields)) if (path.startsWith('/')) entries.push({ path, value });
  }
  if (Array.isArray(parsed.absent)) {
    for (const path of parsed.absent) if (typeof path === 'string' && path.startsWith('/')) entries.push({ path, absent: true });
  }
  return entries;
}

/** The annotation's value on `obj`, if any. */
export function hubFieldsOf(obj: KubeObject): string | undefined {
  return obj.metadata?.annotations?.[hubFieldsAnnotation];
}

/**
 * A shallow copy of `obj` whose metadata lacks the annotation (an annotations map left empty
 * by that is dropped). `obj` is not modified.
 */
export function withoutHubFields(obj: KubeObject): KubeObject {
  const annotations = obj.metadata?.annotations;
  if (annotations === undefined || !Object.prototype.hasOwnProperty.call(annotations, hubFieldsAnnotation)) return obj;
  const rest = { ...annotations };
  delete rest[hubFieldsAnnotation];
  const metadata = { ...obj.metadata };
  if (Object.keys(rest).length > 0) metadata.annotations = rest;
  else delete metadata.annotations;
  return { ...obj, metadata };
}

/** Sets the annotation on `obj` in place (obj is a fresh conversion result). */
export function setHubFields(obj: KubeObject, value: string): void {
  obj.metadata = obj.metadata ?? {};
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [hubFieldsAnnotation]: value };
}
