// Object metadata rules, as k8s.io/apimachinery@v0.32.4 pkg/api/validation/objectmeta.go and
// pkg/apis/meta/v1/validation/validation.go state them, with the same field paths and messages
// (kube reports label and annotation problems at `metadata.labels`, not per key). Plus the
// server-side fillers: generated names (pkg/storage/names/generate.go), uids, timestamps.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FieldError, ManagedFieldsEntry, ObjectMeta, OwnerReference } from '../api.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from './validation.js';

export const fieldImmutableErrorMsg = 'field is immutable';
export const totalAnnotationSizeLimitB = 256 * (1 << 10);
export const isNegativeErrorMsg = 'must be greater than or equal to 0';

export type NameValidator = (name: string, prefix: boolean) => string[];

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail };
}
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail };
}
export function tooLong(field: string, detail: string): FieldError {
  return { type: 'FieldValueTooLong', field, detail };
}
export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  return {
    type: 'FieldValueNotSupported',
    field,
    value,
    detail: valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '',
  };
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined || labels === null) return errs;
  for (const k of Object.keys(labels)) {
    const v = labels[k];
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (annotations === undefined || annotations === null) return errs;
  let size = 0;
  for (const k of Object.keys(annotations)) {
    const v = annotations[k];
    // The rule is QualifiedName except that case does not matter.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    size += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(String(v), 'utf8');
  }
  if (size > totalAnnotationSizeLimitB) errs.push(tooLong(path, `may not be more than ${totalAnnotationSizeLimitB} bytes`));
  return errs;
}

export function validateFinalizers(finalizers: readonly string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) for (const msg of isQualifiedName(f)) errs.push(invalid(path, f, msg));
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const slash = apiVersion.lastIndexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
    if (!version) errs.push(invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

const fieldManagerMaxLength = 128;
const maxSubresourceNameLength = 256;

export function validateManagedFields(entries: readonly ManagedFieldsEntry[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((entry, i) => {
    const p = `${path}[${i}]`;
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') {
      errs.push(invalid(`${p}.operation`, entry.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (entry.fieldsType && entry.fieldsType !== 'FieldsV1') {
      errs.push(invalid(`${p}.fieldsType`, entry.fieldsType, 'must be `FieldsV1`'));
    }
    const manager = entry.manager ?? '';
    if (manager.length > fieldManagerMaxLength) {
      errs.push(tooLong(`${p}.manager`, `may not be more than ${fieldManagerMaxLength} bytes`));
    }
    [...manager].forEach((ch, at) => {
      if (!isPrintable(ch)) {
        const cp = ch.codePointAt(0)!;
        errs.push(invalid(`${p}.manager`, manager, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${at})`));
      }
    });
    if ((entry.subresource ?? '').length > maxSubresourceNameLength) {
      errs.push(tooLong(`${p}.subresource`, `may not be more than ${maxSubresourceNameLength} bytes`));
    }
  });
  return errs;
}

function isPrintable(ch: string): boolean {
  return !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(ch) && (ch === ' ' || !/\p{Zs}/u.test(ch));
}

/**
 * ValidateObjectMetaAccessor: the rules every object's metadata obeys on create and update.
 * `nameFn` is NameIsDNSSubdomain for custom resources.
 */
export function validateObjectMeta(
  meta: ObjectMeta,
  namespaced: boolean,
  nameFn: NameValidator = nameIsDNSSubdomain,
  path = 'metadata',
): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of nameFn(meta.generateName, true)) errs.push(invalid(`${path}.generateName`, meta.generateName, msg));
  }
  if (!meta.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(meta.name, false)) errs.push(invalid(`${path}.name`, meta.name, msg));
  if (namespaced) {
    if (!meta.namespace) errs.push(required(`${path}.namespace`));
    else for (const msg of nameIsDNSLabel(meta.namespace, false)) errs.push(invalid(`${path}.namespace`, meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(invalid(`${path}.generation`, meta.generation, isNegativeErrorMsg));
  }
  // Absent lists have nothing to report: skip building their paths (this runs on every write).
  if (meta.labels !== undefined) errs.push(...validateLabels(meta.labels, `${path}.labels`));
  if (meta.annotations !== undefined) errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  if (meta.ownerReferences !== undefined) errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  if (meta.finalizers !== undefined) errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  if (meta.managedFields !== undefined) errs.push(...validateManagedFields(meta.managedFields, `${path}.managedFields`));
  return errs;
}

/** ValidateObjectMetaAccessorUpdate: what an update may not change. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const oldSet = new Set(old.finalizers ?? []);
    const extra = [...new Set(meta.finalizers ?? [])].filter((f) => !oldSet.has(f)).sort();
    if (extra.length) {
      errs.push(
        forbidden(
          `${path}.finalizers`,
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  if (!meta.resourceVersion) errs.push(invalid(`${path}.resourceVersion`, meta.resourceVersion ?? '', 'must be specified for an update'));
  if ((meta.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(invalid(`${path}.generation`, meta.generation ?? 0, 'must not be decremented'));
  }
  const immutable: (keyof ObjectMeta)[] = [
    'name',
    'namespace',
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ];
  for (const f of immutable) {
    if ((meta[f] ?? null) !== (old[f] ?? null)) errs.push(invalid(`${path}.${f}`, meta[f] ?? null, fieldImmutableErrorMsg));
  }
  // Labels, annotations, owner references and managed fields are validated again by
  // validateObjectMeta, which runs on every update too; kube's duplicate reports are dropped.
  return errs;
}

/** The alphabet of k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable digits. */
const randAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxNameLength = 63;
const randomLength = 5;

/** SimpleNameGenerator: the prefix cut to 58 characters plus 5 random characters. */
export function generateName(base: string): string {
  const prefix = base.length > maxNameLength - randomLength ? base.slice(0, maxNameLength - randomLength) : base;
  const bytes = randomBytes(randomLength);
  let suffix = '';
  for (const b of bytes) suffix += randAlphabet[b % randAlphabet.length];
  return prefix + suffix;
}

export function newUid(): string {
  return randomUUID();
}

/** The last second formatted: writes in the same second reuse its text (no Date formatting). */
let lastSecond = NaN;
let lastSecondText = '';

/** metav1.Time on the wire: RFC 3339, UTC, whole seconds. */
export function formatTimestamp(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    // An invalid Date (NaN) never matches: toISOString throws its RangeError as before.
    lastSecondText = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastSecondText;
}

export function isDNSLabel(value: string): boolean {
  return isDNS1123Label(value).length === 0;
}
