// Uniqueness of x-kubernetes-list-type `set` elements and `map` keys, as apiextensions-apiserver
// checks it beside schema validation (pkg/apiserver/schema/listtype/validation.go
// ValidateListSetsAndMaps): the later of two equal elements (or keys) is a Duplicate, each
// value reported once; an element of a list-map that is not an object is Invalid.
import type { FieldError, StructuralSchemaData } from '../api.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Errors for `obj` (an object in the version `schema` describes); empty when all are unique. */
export function listSetAndMapErrors(obj: unknown, schema: StructuralSchemaData | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (isObject(obj)) walkObject(obj, schema, '', errs);
  return errs;
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walkObject(obj: Json, s: StructuralSchemaData | undefined, path: string, errs: FieldError[]): void {
  if (!s) return;
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const k of Object.keys(obj)) {
    const sub = s.properties?.[k];
    // field.Path.Key renders map keys as [key].
    if (additional) walk(obj[k], additional, `${path}[${k}]`, errs);
    if (sub) walk(obj[k], sub, child(path, k), errs);
  }
}

function walk(v: unknown, s: StructuralSchemaData, path: string, errs: FieldError[]): void {
  if (Array.isArray(v)) walkArray(v, s, path, errs);
  else if (isObject(v)) walkObject(v, s, path, errs);
}

function walkArray(list: unknown[], s: StructuralSchemaData, path: string, errs: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of laterDuplicates(list)) errs.push(duplicate(`${path}[${i}]`, list[i]));
  } else if (listType === 'map') {
    errs.push(...listMapErrors(list, s['x-kubernetes-list-map-keys'] ?? [], path));
  }
  if (s.items) for (let i = 0; i < list.length; i++) walk(list[i], s.items, `${path}[${i}]`, errs);
}

function listMapErrors(list: unknown[], keyFields: readonly string[], path: string): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObject(x)) {
      return [{ type: 'FieldValueInvalid', field: `${path}[${i}]`, value: x, detail: 'must be an object for an array of list-type map' }];
    }
  }
  // An element's key: the key fields it has (a missing one is "unspecified", not null).
  const keys = list.map((x) => {
    const key: Json = {};
    for (const f of keyFields) if (isObject(x) && f in x) key[f] = x[f];
    return key;
  });
  return laterDuplicates(keys).map((i) => duplicate(`${path}[${i}]`, keys[i]));
}

function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value, detail: '' };
}

/** Indices of the second appearance of each value that appears more than once. */
function laterDuplicates(values: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const k = canonical(values[i]);
    const times = seen.get(k) ?? 0;
    if (times === 1) out.push(i);
    seen.set(k, times + 1);
  }
  return out;
}

/** JSON with object keys sorted, as Go's json.Marshal of a map writes them. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
