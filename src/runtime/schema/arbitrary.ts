// fast-check arbitraries from a structural schema: random values the schema's generated
// validator accepts (types, enums, required, bounds, lengths, patterns, kube's string formats,
// sets and list-map keys unique, maps, nullable, int-or-string, preserve-unknown-fields), for
// the round-trip property tests generated into projects. Sizes stay small on purpose: a
// counterexample must be readable.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { KubeObject, StructuralSchemaData } from '../api.js';
import { kubeFormats } from './formats.js';

type Schema = StructuralSchemaData;

const num = (s: Schema, k: string): number | undefined => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
const flag = (s: Schema, k: string): boolean => s[k] === true;

/** Default upper bound of generated lists and maps (raised to fit a larger minimum). */
const smallCount = 3;

const countBounds = (min: number | undefined, max: number | undefined) => {
  const lo = min ?? 0;
  return { minLength: lo, maxLength: Math.max(lo, Math.min(max ?? lo + smallCount, lo + smallCount)) };
};

/** Keys of generated maps and unknown fields: short, readable, valid label-ish names. */
const keyArbitrary: Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);

/** JSON values for preserve-unknown-fields: small and shallow. */
const jsonObject: Arbitrary<Record<string, unknown>> = fc.dictionary(
  keyArbitrary,
  fc.jsonValue({ maxDepth: 2, depthSize: 'xsmall' }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  { maxKeys: smallCount },
);

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));

const rfc3339 = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** Generators of kube's checked string formats (formats.ts); unknown formats are free text. */
const formatArbitraries: Readonly<Record<string, () => Arbitrary<string>>> = {
  'date-time': () => rfc3339,
  datetime: () => rfc3339,
  date: () => rfc3339.map((s) => s.slice(0, 10)),
  duration: () => fc.tuple(fc.nat({ max: 1000 }), fc.constantFrom('ms', 's', 'm', 'h')).map(([n, u]) => `${n}${u}`),
  email: () => fc.emailAddress(),
  hostname: () => fc.domain(),
  uri: () => fc.webUrl(),
  ipv4: () => fc.ipV4(),
  ipv6: () => fc.ipV6(),
  cidr: () => fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`),
  mac: () => fc.array(hex(2), { minLength: 6, maxLength: 6 }).map((p) => p.join(':')),
  uuid: () => fc.uuid(),
  uuid3: () => fc.uuid({ version: 3 }),
  uuid4: () => fc.uuid({ version: 4 }),
  uuid5: () => fc.uuid({ version: 5 }),
  bsonobjectid: () => hex(24),
  hexcolor: () => hex(6).map((h) => `#${h}`),
  rgbcolor: () => fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([r, g, b]) => `rgb(${r},${g},${b})`),
  byte: () => fc.base64String({ maxLength: 16 }),
  isbn: () => fc.constantFrom('0306406152', '9780306406157'),
  isbn10: () => fc.constant('0306406152'),
  isbn13: () => fc.constant('9780306406157'),
  creditcard: () => fc.constantFrom('4111111111111111', '5500000000000004'),
  ssn: () => fc.stringMatching(/^\d{3}-\d{2}-\d{4}$/),
  password: () => fc.string({ maxLength: 12 }),
};

function stringArbitrary(s: Schema, hints: readonly string[]): Arbitrary<string> {
  const minLength = num(s, 'minLength') ?? 0;
  const maxLength = num(s, 'maxLength');
  const format = typeof s.format === 'string' && Object.prototype.hasOwnProperty.call(kubeFormats, s.format) ? s.format : undefined;
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined;
  let base: Arbitrary<string>;
  if (pattern !== undefined) base = fc.stringMatching(pattern, { size: 'xsmall' });
  else if (format !== undefined) base = formatArbitraries[format]!();
  else base = fc.string({ minLength, maxLength: Math.min(maxLength ?? minLength + 12, minLength + 12) });
  if (hints.length > 0) base = fc.oneof(base, fc.constantFrom(...hints));
  // ajv counts code points, as kube does.
  const length = (v: string) => [...v].length;
  return base.filter(
    (v) =>
      length(v) >= minLength &&
      (maxLength === undefined || length(v) <= maxLength) &&
      (pattern === undefined || pattern.test(v)) &&
      (format === undefined || kubeFormats[format]!.validate(v)),
  );
}

function integerArbitrary(s: Schema): Arbitrary<number> {
  // Unbounded integers stay in int32 range: what every int32/int64 field and JSON client holds.
  let min = num(s, 'minimum') ?? -(2 ** 31);
  let max = num(s, 'maximum') ?? 2 ** 31 - 1;
  min = Math.ceil(min) + (flag(s, 'exclusiveMinimum') && Number.isInteger(min) ? 1 : 0);
  max = Math.floor(max) - (flag(s, 'exclusiveMaximum') && Number.isInteger(max) ? 1 : 0);
  const multipleOf = num(s, 'multipleOf');
  if (multipleOf !== undefined && Number.isInteger(multipleOf) && multipleOf > 0) {
    return fc.integer({ min: Math.ceil(min / multipleOf), max: Math.floor(max / multipleOf) }).map((k) => k * multipleOf);
  }
  return fc.integer({ min, max });
}

function numberArbitrary(s: Schema): Arbitrary<number> {
  const min = num(s, 'minimum');
  const max = num(s, 'maximum');
  const multipleOf = num(s, 'multipleOf');
  const base = fc.double({
    noNaN: true,
    noDefaultInfinity: true,
    ...(min !== undefined ? { min, minExcluded: flag(s, 'exclusiveMinimum') } : { min: -1e9 }),
    ...(max !== undefined ? { max, maxExcluded: flag(s, 'exclusiveMaximum') } : { max: 1e9 }),
  });
  // -0 has no JSON form of its own: it would come back as 0.
  const clean = base.map((v) => (Object.is(v, -0) ? 0 : v));
  if (multipleOf === undefined) return clean;
  return clean.map((v) => Math.round(v / multipleOf) * multipleOf).filter((v) => (min === undefined || v >= min) && (max === undefined || v <= max) && Number.isFinite(v));
}

function arrayArbitrary(s: Schema, hints: readonly string[]): Arbitrary<unknown[]> {
  const item = s.items !== undefined ? valueArbitrary(s.items, false, hints) : jsonObject;
  const bounds = countBounds(num(s, 'minItems'), num(s, 'maxItems'));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    return fc.uniqueArray(item, { ...bounds, selector: (v) => JSON.stringify(keys.map((k) => (v as Record<string, unknown>)?.[k] ?? null)) });
  }
  if (listType === 'set' || flag(s, 'uniqueItems')) return fc.uniqueArray(item, { ...bounds, selector: (v) => JSON.stringify(v) });
  return fc.array(item, bounds);
}

const reservedRoot = new Set(['apiVersion', 'kind', 'metadata']);

function objectArbitrary(s: Schema, root: boolean, hints: readonly string[]): Arbitrary<Record<string, unknown>> {
  const minProperties = num(s, 'minProperties');
  const maxProperties = num(s, 'maxProperties');
  const props = Object.entries(s.properties ?? {}).filter(([k]) => !(root && reservedRoot.has(k)));
  let base: Arbitrary<Record<string, unknown>>;
  if (props.length > 0 || (s.additionalProperties === undefined && !flag(s, 'x-kubernetes-preserve-unknown-fields'))) {
    const required = Array.isArray(s.required) ? (s.required as string[]).filter((k) => props.some(([p]) => p === k)) : [];
    const model: Record<string, Arbitrary<unknown>> = {};
    for (const [k, child] of props) model[k] = valueArbitrary(child, false, hints);
    base = fc.record(model, { requiredKeys: required }) as Arbitrary<Record<string, unknown>>;
    if (flag(s, 'x-kubernetes-embedded-resource')) {
      base = base.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'embedded' }, ...o }));
    }
  } else if (typeof s.additionalProperties === 'object') {
    const bounds = countBounds(minProperties, maxProperties);
    base = fc.dictionary(keyArbitrary, valueArbitrary(s.additionalProperties, false, hints), { minKeys: bounds.minLength, maxKeys: bounds.maxLength });
  } else {
    base = jsonObject;
  }
  if (minProperties === undefined && maxProperties === undefined) return base;
  return base.filter((o) => {
    const n = Object.keys(o).length;
    return (minProperties === undefined || n >= minProperties) && (maxProperties === undefined || n <= maxProperties);
  });
}

export interface SchemaArbitraryOptions {
  /**
   * Strings that free-text string fields produce now and then (when their constraints allow):
   * the enum values of other versions, so a renamed enum field is exercised with the values
   * its counterpart accepts rather than only with random text.
   */
  readonly stringHints?: readonly string[];
}

/**
 * Random values valid under a structural schema (as the generated validator checks it). Object
 * fields appear only when declared; optional ones are sometimes absent, never `undefined`.
 */
export function arbitraryFromSchema(schema: Schema, options: SchemaArbitraryOptions = {}): Arbitrary<unknown> {
  return valueArbitrary(schema, false, options.stringHints ?? []);
}

/** Every string enum value in a schema, sorted and unique: hints for other versions' strings. */
export function enumStrings(schema: Schema): string[] {
  const out = new Set<string>();
  const walk = (s: Schema | undefined): void => {
    if (s === undefined) return;
    if (Array.isArray(s.enum)) for (const v of s.enum) if (typeof v === 'string') out.add(v);
    for (const child of Object.values(s.properties ?? {})) walk(child);
    walk(s.items);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
  };
  walk(schema);
  return [...out].sort();
}

function valueArbitrary(s: Schema, root: boolean, hints: readonly string[]): Arbitrary<unknown> {
  let base: Arbitrary<unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) base = fc.constantFrom(...(s.enum as unknown[]).filter((v) => v !== null));
  else if (flag(s, 'x-kubernetes-int-or-string')) base = fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/));
  else {
    switch (s.type) {
      case 'string':
        base = stringArbitrary(s, hints);
        break;
      case 'integer':
        base = integerArbitrary(s);
        break;
      case 'number':
        base = numberArbitrary(s);
        break;
      case 'boolean':
        base = fc.boolean();
        break;
      case 'array':
        base = arrayArbitrary(s, hints);
        break;
      case 'object':
        base = objectArbitrary(s, root, hints);
        break;
      default:
        base = flag(s, 'x-kubernetes-preserve-unknown-fields') ? fc.jsonValue({ maxDepth: 2 }) : fc.constant({});
    }
  }
  return s.nullable === true ? fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base;
}

/** Names and labels for generated object metadata (DNS labels, qualified label keys). */
const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const labelMap = fc.dictionary(
  fc.tuple(fc.option(fc.constantFrom('example.com/', 'app.kubernetes.io/'), { nil: '' }), dnsLabel).map(([p, n]) => `${p}${n}`),
  dnsLabel,
  // Never empty: kube drops empty label/annotation maps, and so does the hub-fields rule.
  { minKeys: 1, maxKeys: 2 },
);

export interface KubeObjectArbitraryOptions {
  /** `<group>/<version>` (or `v1` for the core group). */
  readonly apiVersion: string;
  readonly kind: string;
  /** Generate metadata.namespace; default true. */
  readonly namespaced?: boolean;
  /** See SchemaArbitraryOptions. */
  readonly stringHints?: readonly string[];
}

/**
 * Random whole objects of a kind in one version: apiVersion, kind, a small valid metadata
 * (name, optional namespace, labels, annotations) and the fields of the version's schema.
 */
export function arbitraryKubeObject(schema: Schema, options: KubeObjectArbitraryOptions): Arbitrary<KubeObject> {
  const metadata = fc.record(
    {
      name: dnsLabel,
      ...(options.namespaced === false ? {} : { namespace: dnsLabel }),
      labels: labelMap,
      annotations: labelMap,
    },
    { requiredKeys: options.namespaced === false ? ['name'] : ['name', 'namespace'] },
  );
  return fc
    .tuple(metadata, valueArbitrary({ ...schema, type: 'object' }, true, options.stringHints ?? []))
    .map(([meta, body]) => ({ ...(body as Record<string, unknown>), apiVersion: options.apiVersion, kind: options.kind, metadata: meta }) as KubeObject);
}
