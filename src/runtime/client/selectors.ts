// Label and field selectors as callers write them (a string, a record of equalities, or a
// metav1.LabelSelector) encoded to the query-string forms the server parses
// (k8s.io/apimachinery pkg/labels/selector.go, pkg/fields/selector.go). Records encode in key
// order so a selector always produces the same URL.
import { ClientError } from './errors.js';

/** metav1.LabelSelectorRequirement. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** metav1.LabelSelector (as in a Deployment's spec.selector). */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** A label selector: `app=web,tier!=db`, `{app: 'web'}` or `{matchLabels, matchExpressions}`. */
export type LabelSelectorInput = string | Readonly<Record<string, string>> | LabelSelectorObject;

/** `!=`: a field that must not have the value. */
export interface FieldNotEquals {
  readonly notEquals: string;
}

/**
 * A field selector: `metadata.name=x` or a record keyed by field path. `F` narrows the keys to
 * the fields the kind supports (generated clients pass `metadata.name`, `metadata.namespace`
 * and the kind's selectable fields).
 */
export type FieldSelectorInput<F extends string = string> = string | { readonly [K in F]?: string | FieldNotEquals };

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Characters that end a token in the label selector lexer (labels/selector.go isSpecialSymbol
// and isWhitespace); a record key or value holding one would change what the server parses.
const labelSyntax = /[=!(),<>\s]/;

function checkLabelToken(what: string, token: string): string {
  if (labelSyntax.test(token)) {
    throw new ClientError('InvalidSelector', `label selector ${what} ${JSON.stringify(token)} contains a character that is selector syntax`);
  }
  return token;
}

function isSelectorObject(s: object): s is LabelSelectorObject {
  const o = s as { matchLabels?: unknown; matchExpressions?: unknown };
  return (
    (o.matchLabels !== undefined && typeof o.matchLabels === 'object') ||
    (o.matchExpressions !== undefined && Array.isArray(o.matchExpressions))
  );
}

/** The `labelSelector` query value; undefined when the selector selects everything. */
export function encodeLabelSelector(selector: LabelSelectorInput | undefined): string | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector === 'string') return selector === '' ? undefined : selector;
  const parts: { key: string; text: string }[] = [];
  const equalities = isSelectorObject(selector) ? (selector.matchLabels ?? {}) : (selector as Readonly<Record<string, string>>);
  for (const [key, value] of Object.entries(equalities)) {
    parts.push({ key, text: `${checkLabelToken('key', key)}=${checkLabelToken('value', value)}` });
  }
  if (isSelectorObject(selector)) {
    for (const r of selector.matchExpressions ?? []) parts.push({ key: r.key, text: requirementText(r) });
  }
  parts.sort((a, b) => byKey(a.key, b.key));
  return parts.length === 0 ? undefined : parts.map((p) => p.text).join(',');
}

/** metav1.LabelSelectorAsSelector, written back as a string. */
function requirementText(r: LabelSelectorRequirement): string {
  const key = checkLabelToken('key', r.key);
  const values = [...(r.values ?? [])].map((v) => checkLabelToken('value', v)).sort(byKey);
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        throw new ClientError('InvalidSelector', `label selector requirement on ${JSON.stringify(r.key)}: ${r.operator} needs at least one value`);
      }
      return `${key} ${r.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      throw new ClientError('InvalidSelector', `label selector operator ${JSON.stringify(r.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
  }
}

/** fields.EscapeValue: `\`, `,` and `=` are escaped with a backslash inside values. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** The `fieldSelector` query value; undefined when the selector selects everything. */
export function encodeFieldSelector<F extends string>(selector: FieldSelectorInput<F> | undefined): string | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector === 'string') return selector === '' ? undefined : selector;
  const parts: string[] = [];
  const entries = Object.entries(selector as Record<string, string | FieldNotEquals | undefined>)
    .filter((e): e is [string, string | FieldNotEquals] => e[1] !== undefined)
    .sort((a, b) => byKey(a[0], b[0]));
  for (const [field, want] of entries) {
    if (field === '' || /[=!,\s\\]/.test(field)) {
      throw new ClientError('InvalidSelector', `field selector key ${JSON.stringify(field)} is not a field path`);
    }
    parts.push(typeof want === 'string' ? `${field}=${escapeFieldValue(want)}` : `${field}!=${escapeFieldValue(want.notEquals)}`);
  }
  return parts.length === 0 ? undefined : parts.join(',');
}
