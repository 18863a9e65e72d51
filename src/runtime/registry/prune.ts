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

function isObject(x: Json): x is Record<string, Json> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Pruner {
  readonly unknown: string[] = [];

  prune(x: Json, s: StructuralSchemaData | undefined, path: string): void {
    if (s?.['x-kubernetes-preserve-unknown-fields']) {
      this.skipPrune(x, s, path);
      return;
    }
    if (isObject(x)) {
      if (!s) {
        for (const k of Object.keys(x)) {
          this.unknown.push(child(path, k));
          delete x[k];
        }
        return;
      }
      for (const k of Object.keys(x)) {
        if (s['x-kubernetes-embedded-resource'] && metaFields.has(k)) continue;
        const prop = s.properties?.[k];
        if (prop) {
          this.prune(x[k], prop, child(path, k));
        } else if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
          // `additionalProperties: true` declares any value: nothing below it is unknown.
          if (s.additionalProperties !== true) this.prune(x[k], s.additionalProperties, child(path, k));
        } else {
          if (!metaFields.has(k) || path !== '') this.unknown.push(child(path, k));
          delete x[k];
        }
      }
    } else if (Array.isArray(x)) {
      x.forEach((v, i) => this.prune(v, s?.items, `${path}[${i}]`));
    }
  }

  /** Under preserve-unknown-fields: keep unknown keys, but prune inside declared ones. */
  private skipPrune(x: Json, s: StructuralSchemaData, path: string): void {
    if (isObject(x)) {
      for (const k of Object.keys(x)) {
        if (s['x-kubernetes-embedded-resource'] && metaFields.has(k)) continue;
        const prop = s.properties?.[k];
        if (prop) this.prune(x[k], prop, child(path, k));
        else if (isObject(s.additionalProperties)) this.prune(x[k], s.additionalProperties, child(path, k));
      }
    } else if (Array.isArray(x) && s.items) {
      // Items of a preserved array are preserved too (kube recurses with skipPrune).
      const items = s.items;
      x.forEach((v, i) => this.skipPrune(v, items, `${path}[${i}]`));
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
  const p = new Pruner();
  const root: StructuralSchemaData = { ...(schema ?? {}), 'x-kubernetes-embedded-resource': true };
  p.prune(obj, root, '');
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
  const p = new Pruner();
  p.prune(value, schema, path);
  return p.unknown.sort();
}
