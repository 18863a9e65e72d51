// This file is yours: aa-gen created it once and never overwrites it.
//
// Strategy hooks of Flunder, the equivalent of sample-apiserver's registry strategy, defaults
// (pkg/apis/wardle/v1alpha1/defaults.go) and validation (pkg/apis/wardle/validation). Hooks
// receive objects in the storage version, wardle.example.com/v1alpha1.

import { InvalidFieldsError, type FieldError, type Strategy } from 'aa-gen/runtime';
import type { Flunder } from '../generated/apis/wardle.example.com/v1alpha1/types.js';
import type { FlunderSpec as V1beta1FlunderSpec } from '../generated/apis/wardle.example.com/v1beta1/types.js';

/** A reference without a type refers to a Flunder (SetDefaults_FlunderSpec). */
function defaultReferenceType(obj: Flunder): void {
  const spec = obj.spec;
  if (spec?.reference && !spec.referenceType) spec.referenceType = 'Flunder';
}

/** ValidateFlunderSpec, on the one-reference form of v1alpha1. */
function validateFlunder(obj: Flunder): FieldError[] {
  const spec = obj.spec ?? {};
  if (spec.referenceType && !spec.reference) {
    return [
      {
        type: 'FieldValueInvalid',
        field: 'spec.reference',
        value: '',
        detail: `cannot be empty if referenceType is ${spec.referenceType}`,
      },
    ];
  }
  return [];
}

/**
 * ValidateFlunderSpec on the two-reference form of v1beta1, with sample-apiserver's messages.
 * Throws InvalidFieldsError (a 422 for the object being written) on the first rule broken.
 */
export function validateV1beta1FlunderSpec(spec: V1beta1FlunderSpec): void {
  const { flunderReference: flunder, fischerReference: fischer } = spec;
  const type = spec.referenceType ?? (flunder ? 'Flunder' : undefined);
  const invalid = (field: string, value: string | undefined, detail: string): never => {
    throw new InvalidFieldsError([{ type: 'FieldValueInvalid', field: `spec.${field}`, value: value ?? '', detail }]);
  };
  if (flunder && fischer) invalid('fischerReference', fischer, 'cannot be set with flunderReference at the same time');
  if (flunder && type !== 'Flunder') invalid('flunderReference', flunder, 'cannot be set if referenceType is not Flunder');
  if (fischer && type !== 'Fischer') invalid('fischerReference', fischer, 'cannot be set if referenceType is not Fischer');
  if (!fischer && type === 'Fischer') invalid('fischerReference', fischer, 'cannot be empty if referenceType is Fischer');
  if (!flunder && type === 'Flunder') invalid('flunderReference', flunder, 'cannot be empty if referenceType is Flunder');
}

export const flunderStrategy: Strategy<Flunder> = {
  prepareForCreate: defaultReferenceType,
  prepareForUpdate: defaultReferenceType,
  validate: validateFlunder,
  validateUpdate: validateFlunder,
};
