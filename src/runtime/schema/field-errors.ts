// Translates errors of the ajv code compiled into generated validation modules into
// Kubernetes field errors, with the paths and messages kube-apiserver gives for CRD schemas:
// kube-openapi's messages (k8s.io/kube-openapi pkg/validation/errors/schema.go) mapped to
// field.Error types as apiextensions-apiserver does (pkg/apiserver/validation/validation.go,
// kubeOpenAPIResultToFieldErrors).
import type { FieldError } from '../api.js';
import { goQuote } from '../go-quote.js';

/** The shape of an error reported by ajv-compiled code (ajv's ErrorObject). */
export interface SchemaError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/** A validator compiled by ajv: returns true when valid, else leaves its errors on `.errors`. */
export interface CompiledSchemaValidator {
  (data: unknown): boolean;
  errors?: readonly SchemaError[] | null;
}

/** Runs a compiled validator and returns its errors as Kubernetes field errors. */
export function runSchemaValidator(validator: CompiledSchemaValidator, obj: unknown): FieldError[] {
  if (validator(obj)) return [];
  return schemaErrorsToFieldErrors(validator.errors, obj);
}

/** Runs a compiled defaulting validator for its side effect (ajv `useDefaults`) only. */
export function runSchemaDefaulter(defaulter: CompiledSchemaValidator, obj: Record<string, unknown>): void {
  defaulter(obj);
}

interface Located {
  readonly path: string;
  readonly value: unknown;
}

/** Walks a JSON pointer through `root`: array steps print as `[i]`, object steps as `.key`. */
function locate(root: unknown, pointer: string): Located {
  let path = '';
  let value = root;
  if (pointer === '') return { path, value };
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path += `[${seg}]`;
      value = value[Number(seg)];
    } else {
      path = path === '' ? seg : `${path}.${seg}`;
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg] : undefined;
    }
  }
  return { path, value };
}

const child = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

/** The JSON type of a value as kube-openapi names it in type errors. */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const quote = goQuote;

/** Go's %v of a JSON number. */
const num = (v: unknown) => String(v);

export function schemaErrorsToFieldErrors(errors: readonly SchemaError[] | null | undefined, root: unknown): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    const fe = toFieldError(e, root);
    const id = `${fe.type}\u0000${fe.field}\u0000${fe.detail}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(fe);
  }
  return out;
}

function toFieldError(e: SchemaError, root: unknown): FieldError {
  const at = locate(root, e.instancePath);
  const name = at.path === '' ? '<root>' : at.path;
  const p = e.params;
  const invalid = (detail: string, value: unknown = at.value): FieldError => ({
    type: 'FieldValueInvalid',
    field: at.path,
    value,
    detail: `${name} in body ${detail}`,
  });
  switch (e.keyword) {
    case 'required':
      return { type: 'FieldValueRequired', field: child(at.path, String(p.missingProperty)), detail: '' };
    case 'enum': {
      const allowed = (p.allowedValues as readonly unknown[] | undefined) ?? [];
      const values = allowed.map((v) => quote(typeof v === 'string' ? v : JSON.stringify(v)));
      return {
        type: 'FieldValueNotSupported',
        field: at.path,
        value: at.value,
        detail: values.length > 0 ? `supported values: ${values.join(', ')}` : '',
      };
    }
    case 'type': {
      // `nullable` became a `null` type for ajv; kube names only the declared types.
      const types = (Array.isArray(p.type) ? p.type : [p.type]).filter((t) => t !== 'null').join(',');
      const kind = jsonTypeName(at.value);
      return { type: 'FieldValueTypeInvalid', field: at.path, value: kind, detail: `${name} in body must be of type ${types}: ${quote(kind)}` };
    }
    case 'format':
      return {
        type: 'FieldValueTypeInvalid',
        field: at.path,
        value: at.value,
        detail: `${name} in body must be of type ${String(p.format)}: ${quote(String(at.value))}`,
      };
    case 'maxLength':
      return { type: 'FieldValueTooLong', field: at.path, value: at.value, detail: `may not be longer than ${num(p.limit)}` };
    case 'minLength':
      return invalid(`should be at least ${num(p.limit)} chars long`);
    case 'pattern':
      return invalid(`should match '${String(p.pattern)}'`);
    case 'minimum':
      return invalid(`should be greater than or equal to ${num(p.limit)}`);
    case 'exclusiveMinimum':
      return invalid(`should be greater than ${num(p.limit)}`);
    case 'maximum':
      return invalid(`should be less than or equal to ${num(p.limit)}`);
    case 'exclusiveMaximum':
      return invalid(`should be less than ${num(p.limit)}`);
    case 'multipleOf':
      return invalid(`should be a multiple of ${num(p.multipleOf)}`);
    case 'maxItems':
    case 'maxProperties': {
      const actual = Array.isArray(at.value) ? at.value.length : Object.keys(at.value ?? {}).length;
      return { type: 'FieldValueTooMany', field: at.path, value: actual, detail: `must have at most ${num(p.limit)} items` };
    }
    case 'minItems':
      return invalid(`should have at least ${num(p.limit)} items`, Array.isArray(at.value) ? at.value.length : at.value);
    case 'minProperties':
      return invalid(`should have at least ${num(p.limit)} properties`, Object.keys(at.value ?? {}).length);
    case 'uniqueItems': {
      // Only `x-kubernetes-list-type: set` produces uniqueItems (CRD schemas may not set it):
      // kube reports the later duplicate (apiextensions-apiserver pkg/apiserver/schema/listtype).
      // ajv names the pair (i, j) in an order that depends on the item type: take the later.
      const i = Math.max(Number(p.i), Number(p.j));
      const item = Array.isArray(at.value) ? at.value[i] : undefined;
      return { type: 'FieldValueDuplicate', field: `${at.path}[${i}]`, value: item, detail: '' };
    }
    default:
      return invalid(e.message ?? `failed ${e.keyword} validation`);
  }
}
