// Field selectors (k8s.io/apimachinery@v0.32.4 pkg/fields/selector.go): comma-separated
// `field=value`, `field==value`, `field!=value`, with `\,` `\=` `\\` escapes in values. Only
// metadata.name, metadata.namespace and the kind's selectable fields may be used; anything else
// is kube's `"<f>" is not a known field selector: only "metadata.name", "metadata.namespace"`
// (pkg/runtime/conversion.go DefaultMetaV1FieldSelectorConversion), with the selectable fields
// appended to the list.
import { errors } from '../errors.js';
import { compileJsonPath } from '../util/jsonpath.js';
import type { CompiledPath } from '../util/jsonpath.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `fields` maps each selectable field name to the object's value as a string. */
  matches(fields: (field: string) => string): boolean;
  /** The value a requirement pins with `=`, e.g. metadata.name for a single-object watch. */
  exactValue(field: string): string | undefined;
}

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

function splitTerms(selector: string): string[] {
  if (!selector) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point.
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Parses without checking field names; throws FieldSelectorError with kube's message. */
export function parseFieldSelectorOrThrow(selector: string): FieldRequirement[] {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeValue(t.rhs);
    reqs.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value });
  }
  return reqs;
}

/**
 * fields.Selector RequiresExactMatch(field) of a selector's text: the value of its first
 * `=`/`==` term on `field` (terms in Go's sorted order); undefined when there is none or the
 * text does not parse.
 */
export function exactMatch(selector: string, field: string): string | undefined {
  try {
    return parseFieldSelectorOrThrow(selector).find((r) => r.field === field && r.operator === '=')?.value;
  } catch {
    return undefined;
  }
}

function selectorOf(requirements: FieldRequirement[]): FieldSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches(fields) {
      return requirements.every((r) => (fields(r.field) === r.value) === (r.operator === '='));
    },
    exactValue(field) {
      return requirements.find((r) => r.field === field && r.operator === '=')?.value;
    },
  };
}

/** The selectable field names of a kind, `.spec.color` -> `spec.color`, with compiled paths. */
export interface FieldSet {
  readonly names: readonly string[];
  /** The value of a field of an object as kube compares it: strings as-is, numbers and booleans printed, absent "". */
  value(obj: unknown, field: string): string;
}

export function compileFieldSet(selectableFields: readonly string[]): FieldSet {
  const paths = new Map<string, CompiledPath>();
  for (const f of selectableFields) paths.set(f.replace(/^\{?\.?/, '').replace(/\}$/, ''), compileJsonPath(f));
  const names = ['metadata.name', 'metadata.namespace', ...paths.keys()];
  return {
    names,
    value(obj, field) {
      const meta = ((obj as { metadata?: Record<string, unknown> })?.metadata ?? {}) as Record<string, unknown>;
      if (field === 'metadata.name') return String(meta.name ?? '');
      if (field === 'metadata.namespace') return String(meta.namespace ?? '');
      const path = paths.get(field);
      const v = path ? path(obj)[0] : undefined;
      if (v === undefined || v === null) return '';
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
    },
  };
}

/**
 * Parses a fieldSelector query parameter for a kind: a bad selector or an unknown field is a
 * 400 BadRequest with kube's message.
 */
export function parseFieldSelector(text: string | undefined, fieldSet: FieldSet): FieldSelector {
  if (!text) return selectorOf([]);
  let reqs: FieldRequirement[];
  try {
    reqs = parseFieldSelectorOrThrow(text);
  } catch (e) {
    if (e instanceof FieldSelectorError) throw errors.badRequest(e.message);
    throw e;
  }
  for (const r of reqs) {
    if (!fieldSet.names.includes(r.field)) {
      throw errors.badRequest(
        `${JSON.stringify(r.field)} is not a known field selector: only ${fieldSet.names.map((n) => JSON.stringify(n)).join(', ')}`,
      );
    }
  }
  return selectorOf(reqs);
}

export const everythingFields: FieldSelector = selectorOf([]);
