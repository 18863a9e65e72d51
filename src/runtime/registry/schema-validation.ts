// Schema validation of a write, as the custom-resource strategy composes it
// (apiextensions-apiserver pkg/registry/customresource/strategy.go Validate/ValidateUpdate): the
// generated schema validator, then list-set and list-map uniqueness (schema/list-type.ts), which
// an update only enforces when the old object met it (ratcheting).
import type { FieldError, KindVersionDefinition } from '../api.js';
import { listSetAndMapErrors } from '../schema/list-type.js';

/** `old`: the object being updated, in the same version as `obj`; undefined for a create. */
export function validateAgainstSchema(v: KindVersionDefinition, obj: unknown, old?: unknown): FieldError[] {
  // Sets are checked by list-type.ts with kube's rules (every duplicate, not the first pair
  // the generated validator's uniqueItems finds).
  const errs = v.validate(obj).filter((e) => e.type !== 'FieldValueDuplicate');
  const listErrs = listSetAndMapErrors(obj, v.schema);
  if (listErrs.length && (old === undefined || listSetAndMapErrors(old, v.schema).length === 0)) errs.push(...listErrs);
  return errs;
}
