// The OpenAPI emitter: the documents of openapi/build.ts as two TypeScript modules (a JSON
// file could not carry the generated-file header), which the generated registry hands to the
// runtime as ApiGroupDefinition.openapi. The runtime serves them, hashing the v3 documents.
//
// The modules are big (~100 KiB of v3 and ~50 KiB of v2 per kind) and are pure data, so they are
// printed here already formatted and marked `formatted: true`: prettier, which would need tens
// of seconds and gigabytes for a large API, never sees them. printDataLiteral lays the data out
// exactly as prettier (with the writer's options) would, so the bytes are what they were when
// prettier formatted these files; test/write/preformatted.test.ts holds the two to each other.
import type { ProjectIR } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { buildOpenAPI } from './openapi/build.js';
import { paths } from './paths.js';

export { buildOpenAPI, type OpenAPIDocuments } from './openapi/build.js';
export { PATCH_CONTENT_TYPES } from './openapi/media-types.js';

function emitOpenAPI(ir: ProjectIR): GeneratedFile[] {
  const { v2, v3 } = buildOpenAPI(ir);
  return [
    {
      path: paths.openapiV2(),
      owner: 'generated',
      formatted: true,
      content: dataModule(`/** Swagger 2.0 document of ${ir.group}, served at /openapi/v2. */`, 'openapiV2: Record<string, unknown>', v2),
    },
    {
      path: paths.openapiV3(),
      owner: 'generated',
      formatted: true,
      content: dataModule(
        `/** OpenAPI 3.0 documents of ${ir.group}, one per served version, served at /openapi/v3/<key>. */`,
        'openapiV3: Record<string, Record<string, unknown>>',
        v3,
      ),
    },
  ];
}

/** `<doc>\nexport const <declaration> = <value>;\n`, laid out as prettier would. */
export function dataModule(doc: string, declaration: string, value: unknown): string {
  const head = `export const ${declaration} = `;
  return `${doc}\n${head}${printDataLiteral(value, head.length)};\n`;
}

export const openapiEmitter: Emitter = { name: 'openapi', emit: emitOpenAPI };

// ---- printDataLiteral: JSON data as a TypeScript expression in prettier's layout ----------
//
// The rules, for the writer's options (printWidth 100, tabWidth 2, singleQuote, trailing commas,
// quoteProps as-needed) and for input that has a line break after every `{` (which is what
// prettier's "preserve the expanded object" rule then keeps):
// - non-empty objects: one property per line; empty ones `{}`.
// - arrays: on one line when they fit (the `,` after them counted) and hold no non-empty object
//   and are not 2+ arrays of 2+ elements each; else one element per line, except arrays of 2+
//   numbers, which fill lines greedily.
// - `key: value`: the value moves to the next line (indented) when it does not fit: strings
//   (whole `key: 'value',`), null, negative numbers, `{}`/`[]` (whole), and non-empty objects
//   and arrays (only their opening bracket must fit). Keys shorter than 5 columns, positive
//   numbers and booleans never move.
// - keys are bare when they are ASCII identifiers; strings take single quotes unless they hold
//   more single than double quotes. Non-ASCII characters are written as \u escapes, so every
//   column is one character (prettier keeps escapes as written) and widths are exact.

const PRINT_WIDTH = 100;
const INDENT = 2;
/** Keys narrower than tabWidth + 3 never have their value moved to the next line. */
const SHORT_KEY = INDENT + 3;

/** JSON data as JSON.stringify sees it (undefined, functions and symbols are absent). */
type Json = null | boolean | number | string | readonly Json[] | JsonObject;
type JsonObject = { readonly [key: string]: Json | undefined };

/**
 * Prints JSON data (as JSON.stringify sees it: undefined properties are left out, undefined
 * array elements and non-finite numbers become null) as a TypeScript expression starting at
 * `column`, followed in the file by one character (`;` or `,`). Deterministic: a pure function
 * of the value's content and key order.
 */
export function printDataLiteral(value: unknown, column = 0): string {
  const out = new Out();
  printValue(json(value), 0, column, out);
  return out.finish();
}

/**
 * The text printed so far. Appending builds a V8 rope of cons strings, the fastest way to grow
 * a string, but millions of live cons cells cost more in garbage collection than the printing:
 * so every CHUNK characters the rope is flattened into one string and set aside.
 */
class Out {
  private text = '';
  private readonly chunks: string[] = [];
  /** Indentation strings by width, made once per call. */
  private readonly pads: string[] = [];

  add(s: string): void {
    this.text += s;
    if (this.text.length > CHUNK) {
      this.text.charCodeAt(0); // flattens the rope (V8 flattens a string it is asked to index)
      this.chunks.push(this.text);
      this.text = '';
    }
  }

  pad(n: number): string {
    return (this.pads[n] ??= ' '.repeat(n));
  }

  finish(): string {
    this.chunks.push(this.text);
    return this.chunks.join('');
  }
}

const CHUNK = 1 << 16;

/** A value as JSON sees it: non-finite numbers, undefined, functions and symbols are null. */
function json(value: unknown): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      if (value === null) return null;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return json((value as { toJSON(): unknown }).toJSON());
      return value as Json;
    case 'bigint':
      throw new TypeError('printDataLiteral: a BigInt is not JSON data');
    default:
      return null;
  }
}

/** A property JSON.stringify writes (undefined, functions and symbols are left out). */
const present = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasProperties(o: JsonObject): boolean {
  for (const k in o) if (Object.hasOwn(o, k) && present(o[k])) return true;
  return false;
}

/** `value` at `column` (indentation `indent`), with one more character after it. */
function printValue(value: Json, indent: number, column: number, out: Out): void {
  if (Array.isArray(value)) {
    printArray(value, indent, column, out);
  } else if (isObject(value)) {
    let empty = true;
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (!present(v)) continue;
      out.add(empty ? '{\n' + out.pad(indent + INDENT) : out.pad(indent + INDENT));
      empty = false;
      printProperty(k, json(v), indent + INDENT, out);
      out.add(',\n');
    }
    out.add(empty ? '{}' : out.pad(indent) + '}');
  } else {
    out.add(atom(value));
  }
}

function printArray(items: readonly Json[], indent: number, column: number, out: Out): void {
  const flat = flatArray(items);
  if (flat !== undefined && column + flat.length + 1 <= PRINT_WIDTH) {
    out.add(flat);
    return;
  }
  const inner = indent + INDENT;
  out.add('[\n' + out.pad(inner));
  if (items.length > 1 && items.every((v) => typeof v === 'number')) {
    // prettier's fill: as many `n,` per line as fit.
    let lineEnd = inner;
    items.forEach((v, i) => {
      const cell = `${atom(json(v))},`;
      if (i > 0) {
        if (lineEnd + 1 + cell.length <= PRINT_WIDTH) {
          out.add(' ');
          lineEnd += 1;
        } else {
          out.add('\n' + out.pad(inner));
          lineEnd = inner;
        }
      }
      out.add(cell);
      lineEnd += cell.length;
    });
    out.add('\n');
  } else {
    items.forEach((v, i) => {
      if (i > 0) out.add(out.pad(inner));
      printValue(json(v), inner, inner, out);
      out.add(',\n');
    });
  }
  out.add(out.pad(indent) + ']');
}

/** The one-line form of an array, or undefined when prettier always breaks it. */
function flatArray(items: readonly Json[]): string | undefined {
  if (items.length === 0) return '[]';
  // 2+ arrays of 2+ elements each are a matrix: prettier breaks them (print/array.js).
  if (items.length > 1 && items.every((v) => Array.isArray(v) && v.length > 1)) return undefined;
  const parts: string[] = [];
  for (const item of items) {
    const v = json(item);
    if (Array.isArray(v)) {
      const inner = flatArray(v);
      if (inner === undefined) return undefined;
      parts.push(inner);
    } else if (isObject(v)) {
      if (hasProperties(v)) return undefined; // an expanded object breaks its parents
      parts.push('{}');
    } else {
      parts.push(atom(v));
    }
  }
  return `[${parts.join(', ')}]`;
}

/** `key: value` at `indent`, with one more character after it. */
function printProperty(key: string, value: Json, indent: number, out: Out): void {
  const k = propertyKey(key);
  const column = indent + k.length + 1;
  const neverMoves = k.length < SHORT_KEY || (typeof value === 'number' && !isNegative(value)) || typeof value === 'boolean';
  let fits: boolean;
  if (neverMoves) {
    fits = true;
  } else if (Array.isArray(value) ? value.length > 0 : isObject(value) && hasProperties(value)) {
    fits = column + 2 <= PRINT_WIDTH; // ` {` or ` [`
  } else {
    fits = column + 1 + atomOrEmpty(value).length + 1 <= PRINT_WIDTH;
  }
  if (fits) {
    out.add(k + ': ');
    printValue(value, indent, column + 1, out);
  } else {
    out.add(k + ':\n' + out.pad(indent + INDENT));
    printValue(value, indent + INDENT, indent + INDENT, out);
  }
}

const isNegative = (n: number) => n < 0; // -0 prints as 0

function atomOrEmpty(value: Json): string {
  if (Array.isArray(value)) return '[]';
  if (isObject(value)) return '{}';
  return atom(value);
}

function atom(value: Json): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return JSON.stringify(value).replace('e+', 'e'); // prettier prints 1e21, not 1e+21
  return String(value); // null, true, false
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyKey(key: string): string {
  return identifier.test(key) ? key : quote(key);
}

const plain = /^[\x20-\x7e]*$/;

/** A string literal as prettier writes it (singleQuote, fewest escaped quotes), ASCII only. */
function quote(s: string): string {
  let singles = 0;
  let doubles = 0;
  for (let i = s.indexOf("'"); i >= 0; i = s.indexOf("'", i + 1)) singles++;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) doubles++;
  const q = singles > doubles ? '"' : "'";
  if (plain.test(s) && !s.includes(q) && !s.includes('\\')) return q + s + q;
  let body = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    if (ch === q || ch === '\\') body += '\\' + ch;
    else if (code >= 0x20 && code <= 0x7e) body += ch;
    else body += escapes[ch] ?? `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return q + body + q;
}

const escapes: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
