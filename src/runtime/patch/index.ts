// Patch types of PATCH requests (k8s.io/apiserver pkg/endpoints/handlers/patch.go): decoding
// of the body and application to the current object. Each mechanism returns a new object.
import type { KubeObject, StructuralSchemaData } from '../api.js';
import { errors, type StatusError } from '../errors.js';
import { exceedsMaxDepth, parseJsonInput, parseYamlInput } from '../util/json-input.js';
import { applyConfiguration } from './apply.js';
import { applyJsonPatch, decodeJsonPatch } from './json-patch.js';
import { mergePatch } from './merge-patch.js';
import { objectSchema, strategicMergePatch } from './strategic-merge.js';

export { applyConfiguration, fieldSetOf, leafPaths, type ApplyOptions, type FieldsV1 } from './apply.js';
export { applyJsonPatch, decodeJsonPatch, maxJsonPatchOperations } from './json-patch.js';
export { mergePatch } from './merge-patch.js';
export { listStrategy, objectSchema, strategicMergePatch } from './strategic-merge.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const byMediaType: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type of a (parameter-free, lower-cased) media type, if it is one. */
export function patchTypeOf(mediaType: string): PatchType | undefined {
  return byMediaType[mediaType];
}

/** Decodes a patch body: JSON for every type, YAML (a superset) for apply. Undecodable -> 400. */
export function decodePatch(type: PatchType, body: string): unknown {
  let doc: unknown;
  try {
    doc = type === 'apply' ? parseYamlInput(body) : parseJsonInput(body);
  } catch (e) {
    throw errors.badRequest(`error decoding patch: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (type === 'json') return decodeJsonPatch(doc);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw errors.badRequest(
      type === 'apply' ? 'error decoding YAML: the applied configuration must be an object' : 'json: cannot unmarshal non-object into Go value of type map[string]interface {}',
    );
  }
  return doc;
}

export interface PatchContext {
  /** The version's structural schema (KindVersionDefinition.schema). */
  readonly versionSchema: StructuralSchemaData | undefined;
  readonly fieldManager?: string;
  readonly apiVersion: string;
  readonly subresource?: string;
  /** Clock for managedFields times. */
  readonly now?: Date;
}

/** RFC 3339 with seconds precision in UTC, as metav1.Time serializes. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Applies a decoded patch to `current` (undefined only for apply, which then creates).
 * `current` is never mutated.
 */
export function applyPatch(type: PatchType, current: KubeObject | undefined, patch: unknown, ctx: PatchContext): KubeObject {
  const patched = patchedObject(type, current, patch, ctx);
  // The patched object is decoded again upstream (jsonPatcher.applyPatchToCurrentObject), by a
  // decoder with the limits of the request's: what it refuses is a 422 naming the patch.
  if (exceedsMaxDepth(patched)) throw patchedObjectInvalid(patched, "invalid character '{' exceeded max depth");
  return patched;
}

/**
 * handlers/patch.go: a patched object that does not decode is Invalid, with the object as the
 * value of the field `patch`.
 */
export function patchedObjectInvalid(patched: unknown, why: string): StatusError {
  return errors.invalid('', '', '', [{ type: 'FieldValueInvalid', field: 'patch', value: JSON.stringify(patched), detail: why }]);
}

function patchedObject(type: PatchType, current: KubeObject | undefined, patch: unknown, ctx: PatchContext): KubeObject {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch as never) as KubeObject;
    case 'merge':
      return mergePatch(current, patch) as KubeObject;
    case 'strategic':
      return strategicMergePatch(current, patch, objectSchema(ctx.versionSchema)) as KubeObject;
    case 'apply':
      return applyConfiguration(current, patch as KubeObject, {
        schema: objectSchema(ctx.versionSchema),
        manager: ctx.fieldManager ?? '',
        apiVersion: ctx.apiVersion,
        subresource: ctx.subresource,
        time: rfc3339(ctx.now ?? new Date()),
      });
  }
}
