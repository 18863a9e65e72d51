// This file is yours: aa-gen created it once and never overwrites it.
//
// Strategy hooks of Fischer, the equivalent of a Go REST strategy (k8s.io/apiserver
// pkg/registry/rest/create.go, update.go). Every hook is optional and receives objects in the
// storage version, wardle.example.com/v1alpha1, after schema defaulting and validation.

import type { Strategy } from 'aa-gen/runtime';
import type { Fischer } from '../generated/apis/wardle.example.com/v1alpha1/types.js';

export const fischerStrategy: Strategy<Fischer> = {
  // prepareForCreate(obj, ctx) {
  //   Runs on create before validation; may modify obj. Clear what callers may not set.
  // },
  // prepareForUpdate(obj, old, ctx) {
  //   Runs on update before validation; may modify obj (not old). Carry over what callers may
  //   not change.
  // },
  // validate(obj, ctx) {
  //   Checks beyond the schema on create; must not modify obj. Return field errors, e.g.
  //   [{ type: 'FieldValueInvalid', field: 'spec.x', value: obj.spec?.x, detail: 'must be ...' }].
  //   return [];
  // },
  // validateUpdate(obj, old, ctx) {
  //   Checks beyond the schema on update (e.g. immutable fields); must not modify either object.
  //   return [];
  // },
  // canonicalize(obj) {
  //   Normalises obj just before it is stored (sort lists, lower-case names...); may modify obj.
  // },
  // warningsOnCreate(obj, ctx) {
  //   Warnings returned to the client in `Warning` headers on create; must not modify obj.
  //   return [];
  // },
  // warningsOnUpdate(obj, old, ctx) {
  //   Warnings returned to the client on update; must not modify either object.
  //   return [];
  // },
};
