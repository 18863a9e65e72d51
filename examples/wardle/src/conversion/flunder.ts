// This file is yours: aa-gen created it once and never overwrites it.
//
// Hand-written conversions of Flunder, as sample-apiserver's
// pkg/apis/wardle/v1alpha1/conversion.go: v1alpha1 has one `reference` whose meaning depends on
// `referenceType`; v1beta1 has a field per reference type. src/generated/conversion/flunder.ts
// calls these after copying the fields that match (referenceType); never modify `src`.

import type * as v1alpha1 from '../generated/apis/wardle.example.com/v1alpha1/types.js';
import type * as v1beta1 from '../generated/apis/wardle.example.com/v1beta1/types.js';
import { validateV1beta1FlunderSpec } from '../strategy/flunder.js';

/**
 * v1beta1 -> v1alpha1 (the hub). sample-apiserver validates the two-field form; the hub cannot
 * even hold two references, so that validation runs here, before anything is lost.
 */
export function convertFlunderSpecV1beta1ToV1alpha1(
  src: v1beta1.FlunderSpec,
  dst: v1alpha1.FlunderSpec,
): void {
  validateV1beta1FlunderSpec(src);
  if (src.referenceType === undefined && src.flunderReference) dst.referenceType = 'Flunder';
  const reference = (dst.referenceType ?? src.referenceType) === 'Fischer' ? src.fischerReference : src.flunderReference;
  if (reference) dst.reference = reference;
}

/** v1alpha1 (the hub) -> v1beta1: the reference goes to the field its type names. */
export function convertFlunderSpecV1alpha1ToV1beta1(
  src: v1alpha1.FlunderSpec,
  dst: v1beta1.FlunderSpec,
): void {
  if (!src.reference) return;
  if (src.referenceType === 'Fischer') dst.fischerReference = src.reference;
  else dst.flunderReference = src.reference;
}
