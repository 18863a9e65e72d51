// Server-side apply, "field-ownership lite" (KEP-555; k8s.io/apimachinery
// pkg/util/managedfields). What it does:
//   - the applied configuration merges into the live object like a strategic merge patch
//     (maps merge, list-maps merge by key, sets union, atomic lists replace);
//   - the manager's `Apply` entry in metadata.managedFields records the fields it applied
//     (FieldsV1: `f:<field>`, `k:{"<key>":...}` for list-map items, `v:<json>` for set items,
//     `.` for the item itself);
//   - fields the manager applied before and applies no more are removed, unless another
//     managedFields entry also lists them.
// What it does not do (documented gap): conflict detection between managers (so `force` is
// accepted and changes nothing) and `Update` entries for non-apply writes (those writes keep
// the object's managedFields as they were).
import type { KubeObject, ManagedFieldsEntry, StructuralSchemaData } from '../api.js';
import { listStrategy, strategicMergePatch } from './strategic-merge.js';

type Obj = Record<string, unknown>;
/** A FieldsV1 tree: `{"f:spec": {"f:size": {}}}`. */
export type FieldsV1 = Obj;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function childSchema(schema: StructuralSchemaData | undefined, key: string): StructuralSchemaData | undefined {
  if (!schema) return undefined;
  return schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
}

/** ObjectMeta fields a manager can own; identity and server-set fields are never owned. */
const ownableMetadata = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** The fields an applied configuration sets, as FieldsV1. `schema` is the whole object's schema. */
export function fieldSetOf(obj: KubeObject, schema: StructuralSchemaData | undefined): FieldsV1 {
  const tree: FieldsV1 = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || value === undefined) continue;
    if (key === 'metadata') {
      const meta: FieldsV1 = {};
      const metaSchema = childSchema(schema, 'metadata');
      for (const field of ownableMetadata) {
        const v = (value as Obj | undefined)?.[field];
        if (v !== undefined && v !== null) meta[`f:${field}`] = fieldsOf(v, childSchema(metaSchema, field));
      }
      if (Object.keys(meta).length > 0) tree['f:metadata'] = meta;
      continue;
    }
    tree[`f:${key}`] = fieldsOf(value, childSchema(schema, key));
  }
  return tree;
}

function fieldsOf(value: unknown, schema: StructuralSchemaData | undefined): FieldsV1 {
  if (isObject(value)) {
    if (schema?.['x-kubernetes-map-type'] === 'atomic') return {};
    const tree: FieldsV1 = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      tree[`f:${k}`] = fieldsOf(v, childSchema(schema, k));
    }
    return tree;
  }
  if (Array.isArray(value)) {
    const strategy = listStrategy(schema);
    const tree: FieldsV1 = {};
    if (strategy.kind === 'map') {
      for (const el of value) {
        if (!isObject(el)) continue;
        tree[`k:${JSON.stringify({ [strategy.key]: el[strategy.key] })}`] = { '.': {}, ...fieldsOf(el, schema?.items) };
      }
    } else if (strategy.kind === 'set') {
      for (const v of value) tree[`v:${JSON.stringify(v)}`] = {};
    }
    return tree;
  }
  return {};
}

/** Every owned path of a FieldsV1 tree, each as its list of tokens. */
export function leafPaths(tree: FieldsV1, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [token, sub] of Object.entries(tree)) {
    const path = [...prefix, token];
    if (token === '.' || !isObject(sub) || Object.keys(sub).length === 0) out.push(path);
    else out.push(...leafPaths(sub, path));
  }
  return out;
}

function matchesKey(el: unknown, token: string): boolean {
  if (!isObject(el)) return false;
  const keys = JSON.parse(token.slice(2)) as Obj;
  return Object.entries(keys).every(([k, v]) => JSON.stringify(el[k]) === JSON.stringify(v));
}

/** Removes one owned path from `obj` (mutating it); paths that no longer resolve are ignored. */
function removePath(obj: Obj, path: readonly string[]): void {
  let container: unknown = obj;
  for (let i = 0; i < path.length; i++) {
    const token = path[i];
    const last = i === path.length - 1 || (i === path.length - 2 && path[i + 1] === '.');
    if (token.startsWith('f:')) {
      if (!isObject(container)) return;
      const name = token.slice(2);
      if (last) {
        delete container[name];
        return;
      }
      container = container[name];
    } else if (token.startsWith('k:')) {
      if (!Array.isArray(container)) return;
      const at = container.findIndex((el) => matchesKey(el, token));
      if (at < 0) return;
      if (last) {
        container.splice(at, 1);
        return;
      }
      container = container[at];
    } else if (token.startsWith('v:')) {
      if (!Array.isArray(container)) return;
      const at = container.findIndex((el) => JSON.stringify(el) === token.slice(2));
      if (at >= 0) container.splice(at, 1);
      return;
    } else {
      return;
    }
  }
}

export interface ApplyOptions {
  /** The whole object's schema (see objectSchema()). */
  readonly schema: StructuralSchemaData | undefined;
  readonly manager: string;
  /** The apiVersion the configuration was applied in. */
  readonly apiVersion: string;
  readonly subresource?: string;
  /** RFC 3339 time for the managedFields entry. */
  readonly time: string;
}

function sameEntry(e: ManagedFieldsEntry, opts: ApplyOptions): boolean {
  return e.manager === opts.manager && e.operation === 'Apply' && (e.subresource ?? '') === (opts.subresource ?? '');
}

/**
 * The object that results from applying `applied` over `live` (undefined: create). Neither
 * input is mutated.
 */
export function applyConfiguration(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  const config = structuredClone(applied);
  if (config.metadata) delete config.metadata.managedFields;
  const owned = fieldSetOf(config, opts.schema);
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: opts.apiVersion,
    time: opts.time,
    fieldsType: 'FieldsV1',
    fieldsV1: owned,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  };
  if (!live) {
    return { ...config, metadata: { ...config.metadata, managedFields: [entry] } };
  }

  const previous = live.metadata.managedFields ?? [];
  const mine = previous.find((e) => sameEntry(e, opts));
  const others = previous.filter((e) => !sameEntry(e, opts));

  const base = structuredClone(live);
  delete base.metadata.managedFields;
  const merged = strategicMergePatch(base, config, opts.schema) as KubeObject;

  if (mine?.fieldsV1) {
    const keep = new Set(leafPaths(owned).map((p) => JSON.stringify(p)));
    for (const e of others) for (const p of leafPaths(e.fieldsV1 ?? {})) keep.add(JSON.stringify(p));
    const dropped = leafPaths(mine.fieldsV1).filter((p) => !keep.has(JSON.stringify(p)));
    // Deepest first, so removing an item does not shift paths still to be removed inside it.
    dropped.sort((a, b) => b.length - a.length);
    for (const p of dropped) removePath(merged as Obj, p);
  }

  const managedFields = mine ? previous.map((e) => (sameEntry(e, opts) ? entry : e)) : [...previous, entry];
  return { ...merged, metadata: { ...merged.metadata, managedFields } };
}
