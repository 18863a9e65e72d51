// Validation against schemas/aa-gen.schema.json (the single source of truth for the spec's
// shape) with ajv, and translation of ajv's errors into spec problems with stable codes.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ProblemCode } from './problem.js';
import { describePointer, didYouMean, firstSentence, quote } from './text.js';
import { parsePointer, toPointer } from './source.js';

/** A problem before it has a file and position: the pointer and where on it to point. */
export interface Finding {
  readonly code: ProblemCode;
  readonly pointer: string;
  /** Point at the key of the node (unknown keys) or at its value (the default). */
  readonly at?: 'key' | 'value';
  readonly message: string;
  readonly hint: string;
}

// Works from src/spec (tests, tsc --noEmit) and from dist/spec (the built package) alike.
const SCHEMA_URL = new URL('../../schemas/aa-gen.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** The compiled validator; compiled once, on first use (compiling costs ~10 ms). */
function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    // strict: a mistake in the schema itself fails loudly here; verbose: errors carry the
    // failing schema (the allowed keys for did-you-mean hints) and the data.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export function validateAgainstSchema(data: unknown): Finding[] {
  const validate = validator();
  if (validate(data)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const f = translate(e);
    if (!f) continue;
    // A bad name fails both pattern and maxLength: say it once per node.
    const id = `${f.code}\u0000${f.pointer}\u0000${NAMED_CODES.has(f.code) ? '' : f.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    findings.push(f);
  }
  return findings;
}

interface NamedRule {
  readonly code: ProblemCode;
  readonly what: string;
  readonly hint: (value: unknown) => string;
}

// Definitions whose failures get one code and one explanation, whatever keyword failed.
const NAMED_RULES: Record<string, NamedRule> = {
  dnsLabel: {
    code: 'dns-name',
    what: 'a DNS-1123 label',
    hint: () => "use at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit",
  },
  dns1035Label: {
    code: 'dns-name',
    what: 'a DNS-1035 label',
    hint: (v) =>
      "use at most 63 lower-case letters, digits or '-', starting with a letter and ending with a letter or digit" +
      (typeof v === 'string' && /[A-Z]/.test(v) ? `, e.g. ${quote(v.toLowerCase())}` : ''),
  },
  groupName: {
    code: 'dns-name',
    what: 'a valid API group (a DNS-1123 subdomain with at least one dot)',
    hint: () => 'use a domain you own, in lower case, e.g. wardle.example.com',
  },
  admissionPluginName: {
    code: 'admission-plugin-name',
    what: 'an UpperCamelCase admission plugin name',
    hint: (v) =>
      'start with an upper-case letter, then letters and digits only' +
      (typeof v === 'string' && v.length > 0 ? `, e.g. ${quote(upperCamel(v))}` : ''),
  },
  kindName: {
    code: 'kind-name',
    what: 'an UpperCamelCase kind name',
    hint: (v) =>
      'start with an upper-case letter, then letters and digits only' +
      (typeof v === 'string' && v.length > 0 ? `, e.g. ${quote(upperCamel(v))}` : ''),
  },
};

const NAMED_CODES = new Set<ProblemCode>(Object.values(NAMED_RULES).map((r) => r.code));

function translate(e: ErrorObject): Finding | undefined {
  const pointer = e.instancePath;
  const where = describePointer(pointer);
  const params = e.params as Record<string, unknown>;
  // `if` only reports that its `else` branch failed; the branch's own errors say why.
  if (e.keyword === 'if') return undefined;

  const named = /^#\/definitions\/([^/]+)\/(pattern|maxLength|minLength)$/.exec(e.schemaPath);
  if (named && NAMED_RULES[named[1]]) {
    const rule = NAMED_RULES[named[1]];
    const len = typeof e.data === 'string' && e.data.length > 63 && named[2] === 'maxLength' ? ` (${e.data.length} characters)` : '';
    return { code: rule.code, pointer, message: `${where}: ${quote(e.data)} is not ${rule.what}${len}`, hint: rule.hint(e.data) };
  }

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = didYouMean(key, allowed);
      return {
        code: 'unknown-key',
        pointer: toPointer([...parsePointer(pointer), key]),
        at: 'key',
        message: `unknown key ${quote(key)} in ${where}`,
        hint: guess ? `did you mean ${quote(guess)}?` : allowed.length ? `allowed keys: ${allowed.join(', ')}` : 'remove it',
      };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      if (missing === 'versions' && isKindPath(pointer)) return kindNoVersions(pointer);
      const doc = (e.parentSchema as { properties?: Record<string, { description?: string }> } | undefined)?.properties?.[missing]
        ?.description;
      return {
        code: 'missing-field',
        pointer,
        message: `${where} needs ${quote(missing)}`,
        hint: `add ${missing}: ...` + (doc ? ` (${firstSentence(doc)})` : ''),
      };
    }
    case 'type': {
      const want = String(params.type);
      return {
        code: 'wrong-type',
        pointer,
        message: `${where} must be ${article(want)}, not ${article(jsonType(e.data))}`,
        hint: typeHint(want, e.data),
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined;
      return {
        code: 'enum',
        pointer,
        message: `${where} must be one of ${allowed.map(quote).join(', ')}, not ${quote(e.data)}`,
        hint: guess ? `did you mean ${quote(guess)}?` : `use one of ${allowed.map((v) => String(v)).join(', ')}`,
      };
    }
    case 'uniqueItems': {
      const i = Math.max(Number(params.i), Number(params.j));
      const itemPointer = toPointer([...parsePointer(pointer), i]);
      const item = Array.isArray(e.data) ? e.data[i] : undefined;
      const shortNames = /\/shortNames$/.test(pointer);
      return {
        code: shortNames ? 'duplicate-short-name' : 'duplicate-item',
        pointer: itemPointer,
        message: `${where} lists ${quote(item)} twice`,
        hint: 'remove the second one',
      };
    }
    case 'minProperties':
      if (/\/kinds\/\d+\/versions$/.test(pointer)) return kindNoVersions(pointer);
      return { code: 'length', pointer, message: `${where} ${ajvMessage(e)}`, hint: '' };
    case 'minItems':
    case 'maxItems':
    case 'maxProperties':
    case 'minLength':
    case 'maxLength':
      return { code: 'length', pointer, message: `${where} ${ajvMessage(e)}`, hint: '' };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return { code: 'out-of-range', pointer, message: `${where} ${ajvMessage(e)}, got ${quote(e.data)}`, hint: '' };
    default:
      return { code: 'invalid', pointer, message: `${where} ${ajvMessage(e)}`, hint: '' };
  }
}

function isKindPath(pointer: string): boolean {
  return /^\/kinds\/\d+$/.test(pointer);
}

function kindNoVersions(pointer: string): Finding {
  const kindPointer = pointer.replace(/\/versions$/, '');
  return {
    code: 'kind-no-versions',
    pointer,
    message: `${describePointer(kindPointer)} exists in no version`,
    hint: "add at least one of the group's versions under versions:, each with a schema:",
  };
}

function ajvMessage(e: ErrorObject): string {
  return (e.message ?? 'is invalid').replace(/^must NOT/, 'must not');
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function article(type: string): string {
  const noun = type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  if (noun === 'null') return 'empty';
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function typeHint(want: string, got: unknown): string {
  if (want === 'boolean') return 'write true or false, without quotes';
  if (want === 'string' && got !== null && typeof got !== 'object') return `quote the value: ${JSON.stringify(String(got))}`;
  if (want === 'integer' || want === 'number') return 'write a number, without quotes';
  if (want === 'array') return 'write a list: one "- item" per line, or [a, b]';
  if (want === 'object') return got === null ? 'give it keys, or write {} for an empty mapping' : 'write a mapping: "key: value" lines';
  return '';
}

function upperCamel(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')
    .replace(/^[0-9]+/, '');
}
