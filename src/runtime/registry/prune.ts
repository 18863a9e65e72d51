// Pruning of unknown fields by a structural schema, after k8s.io/apiextensions-apiserver@v0.32.4
// pkg/apiserver/schema/pruning/algorithm.go: fields the schema does not declare are removed and
// their paths (`spec.foo`, `spec.ports[0].bar`, `metadata.foo`) reported, sorted, so the caller
// can apply fieldValidation (Strict/Warn/Ignore). x-kubernetes-preserve-unknown-fields keeps
// unknown fields (while still pruning inside declared ones), additionalProperties schemas apply
// to every key, and embedded resources keep their apiVersion/kind/metadata.
import type { StructuralSchemaData } from '../api.js';

const metaFields = new Set(['apiVersion', 'kind', 'metadata']);

/** The fields of metav1.ObjectMeta; anything else under the root `metadata` is unknown. */
const objectMetaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

type Json = unknown;

/** The schema of field `k`: an own property only (`__proto__`, `toString` are fields like any other). */
function propertyOf(s: StructuralSchemaData, k: string): StructuralSchemaData | undefined {
  return s.properties !== undefined && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
}

function isObject(x: Json): x is Record<string, Json> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * Walks a value and its schema, deleting and recording unknown fields. The path of the field
 * being visited is kept as a stack of segments and only turned into text for an unknown field
 * (most requests have none: building every visited field's path was most of the walk's cost).
 */
class Pruner {
  readonly unknown: string[] = [];
  /** Keys (string) and array indexes (number) below `base`. */
  private readonly segments: (string | number)[] = [];

  constructor(private readonly base: string) {}

  /** `spec.ports[0].bar`: the current path, plus `key` when given. */
  private pathTo(key?: string): string {
    let path = this.base;
    for (const seg of this.segments) path = typeof seg === 'number' ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg;
    if (key !== undefined) path = path ? `${path}.${key}` : key;
    return path;
  }

  private atTop(): boolean {
    return this.segments.length === 0 && this.base === '';
  }

  /** `root`: the resource itself, whose apiVersion/kind/metadata are never pruned here. */
  prune(x: Json, s: StructuralSchemaData | undefined, root = false): void {
    if (s?.['x-kubernetes-preserve-unknown-fields']) {
      this.skipPrune(x, s, root);
      return;
    }
    if (isObject(x)) {
      if (!s) {
        for (const k of Object.keys(x)) {
          this.unknown.push(this.pathTo(k));
          delete x[k];
        }
        return;
      }
      const embedded = root || s['x-kubernetes-embedded-resource'];
      for (const k of Object.keys(x)) {
        if (embedded && metaFields.has(k)) continue;
        const prop = propertyOf(s, k);
        if (prop) {
          this.descend(x[k], prop, k);
        } else if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
          // `additionalProperties: true` declares any value: nothing below it is unknown.
          if (s.additionalProperties !== true) this.descend(x[k], s.additionalProperties, k);
        } else {
          if (!metaFields.has(k) || !this.atTop()) this.unknown.push(this.pathTo(k));
          delete x[k];
        }
      }
    } else if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) this.descend(x[i], s?.items, i);
    }
  }

  private descend(x: Json, s: StructuralSchemaData | undefined, seg: string | number, preserved = false): void {
    // Scalars have nothing to prune: skip the push and pop.
    if (x === null || typeof x !== 'object') return;
    this.segments.push(seg);
    if (preserved) this.skipPrune(x, s!);
    else this.prune(x, s);
    this.segments.pop();
  }

  /** Under preserve-unknown-fields: keep unknown keys, but prune inside declared ones. */
  private skipPrune(x: Json, s: StructuralSchemaData, root = false): void {
    if (isObject(x)) {
      const embedded = root || s['x-kubernetes-embedded-resource'];
      for (const k of Object.keys(x)) {
        if (embedded && metaFields.has(k)) continue;
        const prop = propertyOf(s, k);
        if (prop) this.descend(x[k], prop, k);
        else if (isObject(s.additionalProperties)) this.descend(x[k], s.additionalProperties, k);
      }
    } else if (Array.isArray(x) && s.items) {
      // Items of a preserved array are preserved too (kube recurses with skipPrune).
      for (let i = 0; i < x.length; i++) this.descend(x[i], s.items, i, true);
    }
  }
}

/**
 * Prunes `obj` (a whole resource: apiVersion, kind, metadata and the fields `schema` describes)
 * in place and returns the sorted paths of the fields removed. `schema` is the version's
 * schema of everything but apiVersion/kind/metadata; unknown keys of the root metadata are
 * removed and reported too.
 */
export function pruneResource(obj: Record<string, unknown>, schema: StructuralSchemaData | undefined): string[] {
  const p = new Pruner('');
  p.prune(obj, schema ?? {}, true);
  const meta = obj.metadata;
  if (isObject(meta)) {
    for (const k of Object.keys(meta)) {
      if (!objectMetaFields.has(k)) {
        p.unknown.push(`metadata.${k}`);
        delete meta[k];
      }
    }
  }
  return p.unknown.sort();
}

/** Prunes a value by a schema (no resource-root rules); returns the removed paths, sorted. */
export function pruneValue(value: unknown, schema: StructuralSchemaData | undefined, path = ''): string[] {
  const p = new Pruner(path);
  p.prune(value, schema);
  return p.unknown.sort();
}
