// What decoding JSON into the Go types of TypeMeta and ObjectMeta would refuse, worded as Go's
// decoder words it (sigs.k8s.io/json decode.go UnmarshalTypeError: "json: cannot unmarshal
// number into Go struct field ObjectMeta.metadata.labels of type string"), and the values Go
// would make of what it accepts (null elements become zero values). A server built on
// k8s.io/apiserver decodes every body and every patched object into those types first, so
// nothing of the wrong type reaches the registry.

type Json = Record<string, unknown>;

type GoType =
  | { readonly kind: 'string'; readonly name?: string }
  | { readonly kind: 'int'; readonly name: 'int64' | 'int32' }
  | { readonly kind: 'bool' }
  /** metav1.Time: a string, its own UnmarshalJSON error. */
  | { readonly kind: 'time' }
  /** Any JSON (metav1.FieldsV1 keeps the raw bytes). */
  | { readonly kind: 'raw' }
  | { readonly kind: 'map'; readonly elem: GoType; readonly name: string }
  | { readonly kind: 'slice'; readonly elem: GoType; readonly name: string }
  | { readonly kind: 'struct'; readonly name: string; readonly struct: string; readonly fields: Readonly<Record<string, GoType>> };

const string: GoType = { kind: 'string' };
const uid: GoType = { kind: 'string', name: 'types.UID' };
const int64: GoType = { kind: 'int', name: 'int64' };
const bool: GoType = { kind: 'bool' };
const time: GoType = { kind: 'time' };
const stringMap: GoType = { kind: 'map', elem: string, name: 'map[string]string' };

const ownerReference: GoType = {
  kind: 'struct',
  name: 'v1.OwnerReference',
  struct: 'OwnerReference',
  fields: { apiVersion: string, kind: string, name: string, uid, controller: bool, blockOwnerDeletion: bool },
};

const managedFieldsEntry: GoType = {
  kind: 'struct',
  name: 'v1.ManagedFieldsEntry',
  struct: 'ManagedFieldsEntry',
  fields: {
    manager: string,
    operation: { kind: 'string', name: 'v1.ManagedFieldsOperationType' },
    apiVersion: string,
    time,
    fieldsType: string,
    fieldsV1: { kind: 'raw' },
    subresource: string,
  },
};

/** k8s.io/apimachinery pkg/apis/meta/v1/types.go ObjectMeta, by JSON name. */
const objectMeta: GoType = {
  kind: 'struct',
  name: 'v1.ObjectMeta',
  struct: 'ObjectMeta',
  fields: {
    name: string,
    generateName: string,
    namespace: string,
    selfLink: string,
    uid,
    resourceVersion: string,
    generation: int64,
    creationTimestamp: time,
    deletionTimestamp: time,
    deletionGracePeriodSeconds: int64,
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: { kind: 'slice', elem: ownerReference, name: '[]v1.OwnerReference' },
    finalizers: { kind: 'slice', elem: string, name: '[]string' },
    managedFields: { kind: 'slice', elem: managedFieldsEntry, name: '[]v1.ManagedFieldsEntry' },
  },
};

/** k8s.io/apimachinery pkg/apis/meta/v1/types.go DeleteOptions. */
const deleteOptions: GoType = {
  kind: 'struct',
  name: 'v1.DeleteOptions',
  struct: 'DeleteOptions',
  fields: {
    gracePeriodSeconds: int64,
    preconditions: { kind: 'struct', name: 'v1.Preconditions', struct: 'Preconditions', fields: { uid, resourceVersion: string } },
    orphanDependents: bool,
    propagationPolicy: { kind: 'string', name: 'v1.DeletionPropagation' },
    dryRun: { kind: 'slice', elem: string, name: '[]string' },
    ignoreStoreReadErrorWithClusterBreakingPotential: bool,
  },
};

/** The JSON kind of a value as Go's UnmarshalTypeError names it. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const int64Range = 2 ** 63;

/** The Go zero value a JSON null leaves in a slice element or map value. */
function zero(t: GoType): unknown {
  switch (t.kind) {
    case 'string':
      return '';
    case 'struct':
      return {};
    default:
      return undefined;
  }
}

/**
 * Checks `value` against `t` at `path` (dotted JSON names, as Go's error prints them) inside
 * struct `struct`; returns the first error message, or undefined. Null elements of slices and
 * null map values are replaced by Go's zero values in place; a null field means absent, and is
 * left to the caller.
 */
function check(value: unknown, t: GoType, struct: string, path: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const mismatch = (what = jsonKind(value), type = typeName(t)) => `json: cannot unmarshal ${what} into Go struct field ${struct}.${path} of type ${type}`;
  switch (t.kind) {
    case 'string':
      return typeof value === 'string' ? undefined : mismatch();
    case 'bool':
      return typeof value === 'boolean' ? undefined : mismatch();
    case 'int': {
      if (typeof value !== 'number') return mismatch();
      const limit = t.name === 'int32' ? 2 ** 31 : int64Range;
      return Number.isInteger(value) && value >= -limit && value < limit ? undefined : mismatch(`number ${String(value)}`);
    }
    case 'time':
      return typeof value === 'string' ? undefined : `json: cannot unmarshal ${jsonKind(value)} into Go value of type string`;
    case 'raw':
      return undefined;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch();
      const map = value as Json;
      for (const k of Object.keys(map)) {
        if (map[k] === null) map[k] = zero(t.elem);
        const err = check(map[k], t.elem, struct, path);
        if (err) return err;
      }
      return undefined;
    }
    case 'slice': {
      if (!Array.isArray(value)) return mismatch();
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null) value[i] = zero(t.elem);
        const err = check(value[i], t.elem, struct, path);
        if (err) return err;
      }
      return undefined;
    }
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch();
      const obj = value as Json;
      for (const k of Object.keys(obj)) {
        const field = t.fields[k];
        if (!field) continue;
        const err = check(obj[k], field, t.struct, path ? `${path}.${k}` : k);
        if (err) return err;
      }
      return undefined;
    }
  }
}

function typeName(t: GoType): string {
  switch (t.kind) {
    case 'string':
      return t.name ?? 'string';
    case 'int':
      return t.name;
    case 'bool':
      return 'bool';
    case 'time':
      return 'v1.Time';
    case 'raw':
      return 'v1.FieldsV1';
    default:
      return t.name;
  }
}

/**
 * apimachinery's json serializer reads apiVersion and kind into an anonymous struct before
 * anything else (runtime.SimpleMetaFactory.Interpret): a message for a body it cannot read.
 */
export function typeMetaDecodeError(obj: Json): string | undefined {
  for (const f of ['apiVersion', 'kind']) {
    const v = obj[f];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(v)} into Go struct field .${f} of type string`;
    }
  }
  return undefined;
}

/**
 * The error decoding `obj.metadata` into metav1.ObjectMeta of a Go type named `goKind` would
 * give, or undefined. Null slice elements and map values become Go's zero values in place.
 */
export function objectMetaDecodeError(obj: Json, goKind: string): string | undefined {
  return check(obj['metadata'], objectMeta, goKind, 'metadata');
}

/** The error decoding a DELETE body into metav1.DeleteOptions would give (handlers/delete.go), or undefined. */
export function deleteOptionsDecodeError(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return body === null ? undefined : `json: cannot unmarshal ${jsonKind(body)} into Go value of type v1.DeleteOptions`;
  }
  return typeMetaDecodeError(body as Json) ?? check(body, deleteOptions, 'DeleteOptions', '');
}

/**
 * A body as decode errors quote it (handlers/rest.go summarizeData): JSON objects as text,
 * anything else in hex, at most 30 bytes and then " ...".
 */
export function summarizeData(body: string): string {
  if (body.length === 0) return '<empty>';
  const bytes = Buffer.from(body);
  if (body[0] === '{') return bytes.length > 30 ? `${bytes.subarray(0, 30).toString()} ...` : body;
  return bytes.length > 30 ? `${bytes.subarray(0, 30).toString('hex')} ...` : bytes.toString('hex');
}
