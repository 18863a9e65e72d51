// Strategic merge patch (application/strategic-merge-patch+json), after
// k8s.io/apimachinery pkg/util/strategicpatch/patch.go, driven by the structural schema rather
// than Go struct tags:
//   - maps merge as in RFC 7386 (null deletes);
//   - lists of objects merge by key when the schema says so: x-kubernetes-list-type=map (the
//     first of x-kubernetes-list-map-keys is the merge key) or x-kubernetes-patch-strategy
//     containing "merge" with x-kubernetes-patch-merge-key;
//   - lists of scalars with x-kubernetes-list-type=set (or patch strategy merge) are unions;
//   - every other list is atomic and replaced;
//   - directives: `$patch: replace|delete|merge` in maps and list elements,
//     `$retainKeys: [...]`, `$setElementOrder/<field>: [...]`,
//     `$deleteFromPrimitiveList/<field>: [...]`.
// Known simplification: with $setElementOrder, elements the order does not name are appended
// after the named ones (upstream interleaves them by their original position).
import type { StructuralSchemaData } from '../api.js';
import { errors } from '../errors.js';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as Obj);
  const kb = Object.keys(b as Obj);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

/** The schema of ObjectMeta's mergeable fields (their Go patch tags), since version schemas leave metadata out. */
const objectMetaSchema: StructuralSchemaData = {
  type: 'object',
  properties: {
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: {
      type: 'array',
      items: { type: 'object' },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'uid',
    },
  },
};

/** The schema of a whole object: the version's schema plus ObjectMeta. */
export function objectSchema(versionSchema: StructuralSchemaData | undefined): StructuralSchemaData {
  return { ...(versionSchema ?? {}), type: 'object', properties: { ...(versionSchema?.properties ?? {}), metadata: objectMetaSchema } };
}

function childSchema(schema: StructuralSchemaData | undefined, key: string): StructuralSchemaData | undefined {
  if (!schema) return undefined;
  const p = schema.properties?.[key];
  if (p) return p;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

type ListStrategy = { kind: 'replace' } | { kind: 'set' } | { kind: 'map'; key: string };

/** How a list field merges, from its schema. */
export function listStrategy(schema: StructuralSchemaData | undefined): ListStrategy {
  if (!schema) return { kind: 'replace' };
  const listType = schema['x-kubernetes-list-type'];
  const mapKeys = schema['x-kubernetes-list-map-keys'];
  if (listType === 'map' && mapKeys && mapKeys.length > 0) return { kind: 'map', key: mapKeys[0] };
  const strategy = String(schema['x-kubernetes-patch-strategy'] ?? '');
  const mergeKey = schema['x-kubernetes-patch-merge-key'];
  const merges = strategy.split(',').includes('merge');
  if (merges && typeof mergeKey === 'string' && mergeKey) return { kind: 'map', key: mergeKey };
  if (listType === 'set' || merges) return { kind: 'set' };
  return { kind: 'replace' };
}

const deleteMarker = Symbol('delete');

/**
 * Applies a strategic merge patch to `original` (never mutated) under `schema` (the whole
 * object's schema: pass `objectSchema(version.schema)` for a resource). Malformed directives are
 * 400 BadRequest.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: StructuralSchemaData | undefined): unknown {
  if (!isObject(patch)) throw errors.badRequest('a strategic merge patch must be a JSON object');
  const merged = mergeMap(isObject(original) ? original : undefined, patch, schema);
  return merged === deleteMarker ? {} : merged;
}

function mergeMap(original: Obj | undefined, patch: Obj, schema: StructuralSchemaData | undefined): Obj | typeof deleteMarker {
  const directive = patch['$patch'];
  if (directive === 'delete') return deleteMarker;
  if (directive === 'replace') return stripDirectives(patch) as Obj;
  if (directive !== undefined && directive !== 'merge') throw errors.badRequest(`Unknown patch type: ${String(directive)}`);

  const result: Obj = original ? { ...original } : {};
  // $deleteFromPrimitiveList first: it removes from the original before additions merge in.
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$deleteFromPrimitiveList/')) continue;
    const field = key.slice('$deleteFromPrimitiveList/'.length);
    if (!Array.isArray(value)) throw errors.badRequest(`${key} must be a list`);
    const current = result[field];
    if (Array.isArray(current)) result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const sub = childSchema(schema, key);
    if (isObject(value)) {
      const merged = mergeMap(isObject(result[key]) ? (result[key] as Obj) : undefined, value, sub);
      if (merged === deleteMarker) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(Array.isArray(result[key]) ? (result[key] as unknown[]) : undefined, value, sub);
    } else {
      result[key] = value;
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$setElementOrder/')) continue;
    const field = key.slice('$setElementOrder/'.length);
    if (!Array.isArray(value)) throw errors.badRequest(`${key} must be a list`);
    const current = result[field];
    if (Array.isArray(current)) result[field] = orderList(current, value, listStrategy(childSchema(schema, field)));
  }
  const retainKeys = patch['$retainKeys'];
  if (retainKeys !== undefined) {
    if (!Array.isArray(retainKeys)) throw errors.badRequest('$retainKeys must be a list');
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(original: unknown[] | undefined, patch: unknown[], schema: StructuralSchemaData | undefined): unknown[] {
  // A `{$patch: replace}` element replaces the whole list with the rest of the patch list.
  const replaceAt = patch.findIndex((e) => isObject(e) && e['$patch'] === 'replace');
  if (replaceAt >= 0) return patch.filter((_, i) => i !== replaceAt).map(stripDirectives);
  const strategy = listStrategy(schema);
  if (strategy.kind === 'replace' || !original) {
    return patch.filter((e) => !(isObject(e) && e['$patch'] === 'delete')).map(stripDirectives);
  }
  const result = [...original];
  if (strategy.kind === 'set') {
    for (const v of patch) if (!result.some((o) => deepEqual(o, v))) result.push(v);
    return result;
  }
  const key = strategy.key;
  const items = schema?.items;
  for (const element of patch) {
    if (!isObject(element)) {
      result.push(element);
      continue;
    }
    if (!(key in element)) throw errors.badRequest(`map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`);
    const at = result.findIndex((o) => isObject(o) && deepEqual(o[key], element[key]));
    if (element['$patch'] === 'delete') {
      for (let i = result.length - 1; i >= 0; i--) {
        const o = result[i];
        if (isObject(o) && deepEqual(o[key], element[key])) result.splice(i, 1);
      }
      continue;
    }
    const merged = mergeMap(at >= 0 ? (result[at] as Obj) : undefined, element, items);
    if (merged === deleteMarker) {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) result[at] = merged;
    else result.push(merged);
  }
  return result;
}

function orderList(list: unknown[], order: unknown[], strategy: ListStrategy): unknown[] {
  const matches = (item: unknown, entry: unknown): boolean =>
    strategy.kind === 'map' && isObject(item) && isObject(entry) ? deepEqual(item[strategy.key], entry[strategy.key]) : deepEqual(item, entry);
  const used = new Set<number>();
  const ordered: unknown[] = [];
  for (const entry of order) {
    list.forEach((item, i) => {
      if (!used.has(i) && matches(item, entry)) {
        used.add(i);
        ordered.push(item);
      }
    });
  }
  list.forEach((item, i) => {
    if (!used.has(i)) ordered.push(item);
  });
  return ordered;
}

/** A patch value as it lands in the result when there is nothing to merge with. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && e['$patch'] === 'delete')).map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$') || x === null) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}
