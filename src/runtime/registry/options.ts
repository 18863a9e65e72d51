// List and watch option rules (k8s.io/apimachinery@v0.32.4
// pkg/apis/meta/internalversion/validation/validation.go) and resourceVersion parsing
// (k8s.io/apiserver pkg/storage/api_object_versioner.go). Violations are 422 Invalid with
// details {group: "meta.k8s.io", kind: "ListOptions"}, as kube answers.
import type { FieldError } from '../api.js';
import { errors } from '../errors.js';
import type { StatusError } from '../errors.js';
import { forbidden, invalid, notSupported } from './metadata.js';

export interface ListOptionsInput {
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
  readonly continue?: string;
  readonly sendInitialEvents?: boolean;
}

function listOptionsInvalid(errs: FieldError[]): StatusError {
  return errors.invalid('meta.k8s.io', 'ListOptions', '', errs);
}

/** Validates a plain list's options; throws 422 Invalid (meta.k8s.io ListOptions). */
export function validateListOptions(o: ListOptionsInput): void {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (match) {
    if (!o.resourceVersion) {
      errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    }
    if (o.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    }
    if (match === 'Exact' && o.resourceVersion === '0') {
      errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (o.sendInitialEvents !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  if (errs.length) throw listOptionsInvalid(errs);
}

/** Validates a watch's options, as kube does with the WatchList feature gate on (watch-list is served). */
export function validateWatchOptions(o: ListOptionsInput): void {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (o.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match) {
    if (o.sendInitialEvents === undefined) {
      errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    }
    if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (o.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  if (errs.length) throw listOptionsInvalid(errs);
}

/**
 * Parses a resourceVersion parameter: undefined for unset, 0 for "0" (any state), N otherwise.
 * A non-decimal value is 422 Invalid on `resourceVersion` (as kube's watch path reports it).
 */
export function parseResourceVersion(
  rv: string | undefined,
  gr: { group: string; resource: string },
): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(Number(rv))) {
    throw errors.invalid(gr.group, gr.resource, '', [
      invalid('resourceVersion', rv, `strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`),
    ]);
  }
  return Number(rv);
}

/** 504 after waiting for a resourceVersion the store has not reached (pkg/storage/errors.go). */
export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return errors.timeout(`Too large resource version: ${requested}, current: ${current}`, {
    retryAfterSeconds: 1,
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  });
}

export const continueExpiredMessage =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
export const listExpiredMessage = 'The resourceVersion for the provided list is too old.';
