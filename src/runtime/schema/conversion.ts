// Runtime support for generated conversions: deep copies of JSON values, the dispatcher that
// turns per-version conversion functions into a KindConversion (and keeps lossy conversions
// lossless with the hub-fields annotation, see ./hub-fields.ts), and the error a hand-written
// conversion stub throws until it is written.
import type { KindConversion, KubeObject } from '../api.js';
import { applyEntries, decodeHubFields, diffJson, encodeHubFields, hubFieldsOf, jsonEqual, setHubFields, withoutHubFields } from './hub-fields.js';

/** A deep copy of a JSON value (objects, arrays, strings, numbers, booleans, null). */
export function deepCopyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => deepCopyJson(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    // A `__proto__` key (JSON.parse makes it an own property) stays data, never the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: deepCopyJson(v), enumerable: true, writable: true, configurable: true });
    else out[k] = deepCopyJson(v);
  }
  return out as T;
}

/** Converts every value of a map (`additionalProperties`) with `fn`. */
export function mapValues<A, B>(map: Readonly<Record<string, A>>, fn: (value: A) => B): Record<string, B> {
  const out: Record<string, B> = {};
  for (const [k, v] of Object.entries(map)) out[k] = fn(v);
  return out;
}

/** The pair of generated functions between one version and the hub. */
export interface VersionConversion {
  /** `(obj: <Kind> of the version) => <Kind> of the hub`; typed loosely so one table holds all. */
  readonly toHub: (obj: never) => KubeObject;
  readonly fromHub: (hub: never) => KubeObject;
}

export interface ConversionTable {
  readonly group: string;
  readonly kind: string;
  /** The storage version: every conversion goes through it. */
  readonly hubVersion: string;
  /** One entry per version other than the hub; empty for a kind with one version. */
  readonly versions: Readonly<Record<string, VersionConversion>>;
}

/** Thrown for an object in a version the kind does not have (a bug in the caller). */
export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

/**
 * Builds the KindConversion of a kind from its generated per-version functions. Objects in the
 * hub version are deep-copied; the input is never mutated.
 *
 * Lossy versions stay lossless through the hub (the rule generated conversions document):
 * - hub -> version: the result is converted back to the hub; every hub field that did not
 *   survive is saved, as JSON, in the `aa-gen.dev/hub-fields` annotation of the result.
 * - version -> hub: the annotation is removed, the object converted, and the saved fields put
 *   back, all of them when the result then converts to exactly the object received, otherwise
 *   each one that leaves the object as seen in that version unchanged. An edit made through
 *   the version therefore always wins over a saved value; an untouched object comes back whole.
 */
export function defineConversion(table: ConversionTable): KindConversion {
  const hubApiVersion = `${table.group}/${table.hubVersion}`;
  const versionOf = (obj: KubeObject): string => {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/', 2) : ['', obj.apiVersion];
    if (group !== table.group || version === undefined) {
      throw new ConversionError(`cannot convert ${table.kind} of apiVersion ${JSON.stringify(obj.apiVersion)}: not in group ${table.group}`);
    }
    return version;
  };
  const entry = (version: string): VersionConversion => {
    const e = Object.prototype.hasOwnProperty.call(table.versions, version) ? table.versions[version] : undefined;
    if (e === undefined) throw new ConversionError(`${table.kind} has no version ${version} in ${table.group}`);
    return e;
  };
  return {
    toHub(obj) {
      const version = versionOf(obj);
      if (version === table.hubVersion) return deepCopyJson(obj);
      const e = entry(version);
      const toHub = (o: KubeObject) => e.toHub(o as never);
      const fromHub = (o: KubeObject) => e.fromHub(o as never);
      const received = withoutHubFields(obj);
      const hub = toHub(received);
      const saved = decodeHubFields(hubApiVersion, hubFieldsOf(obj));
      if (saved.length === 0) return hub;
      const full = deepCopyJson(hub);
      applyEntries(full, saved);
      if (sameView(fromHub, full, received)) return full;
      // The object was edited through this version: keep only what it cannot see.
      let current = hub;
      let view: KubeObject | undefined = viewOf(fromHub, current);
      for (const one of saved) {
        if (view === undefined) break;
        const candidate = deepCopyJson(current);
        applyEntries(candidate, [one]);
        const candidateView = viewOf(fromHub, candidate);
        if (candidateView !== undefined && jsonEqual(candidateView, view)) {
          current = candidate;
          view = candidateView;
        }
      }
      return current;
    },
    fromHub(hub, version) {
      if (version === table.hubVersion) return deepCopyJson(hub);
      const e = entry(version);
      const source = withoutHubFields(hub);
      const out = e.fromHub(source as never);
      let back: KubeObject;
      try {
        back = e.toHub(deepCopyJson(out) as never);
      } catch {
        // The version's conversion refuses this object on the way back (a hand-written
        // conversion validating, say): writing it back unchanged fails whatever is saved, so
        // nothing is saved, and reading never fails because of it.
        return out;
      }
      const lost = diffJson(source, back);
      if (lost.length > 0) setHubFields(out, encodeHubFields(hubApiVersion, lost));
      return out;
    },
  };
}

/** `hub` as seen in the version, or undefined when it cannot be converted there. */
function viewOf(fromHub: (o: KubeObject) => KubeObject, hub: KubeObject): KubeObject | undefined {
  try {
    return fromHub(hub);
  } catch {
    return undefined;
  }
}

function sameView(fromHub: (o: KubeObject) => KubeObject, hub: KubeObject, seen: KubeObject): boolean {
  const view = viewOf(fromHub, hub);
  return view !== undefined && jsonEqual(view, seen);
}

/** Thrown by a scaffolded conversion stub that has not been written yet. */
export class ManualConversionRequiredError extends Error {
  /** Kubernetes-style paths of the fields the stub must convert. */
  readonly fields: readonly string[];
  constructor(fields: readonly string[]) {
    super(`requires manual conversion: ${fields.join(', ')}`);
    this.name = 'ManualConversionRequiredError';
    this.fields = [...fields];
  }
}

/**
 * The error a scaffolded conversion stub throws until it is written:
 * `requires manual conversion: spec.colour`. The values are accepted (and ignored) so that a
 * stub uses its parameters and compiles under noUnusedParameters.
 */
export function manualConversionRequired(fields: readonly string[], ..._values: unknown[]): ManualConversionRequiredError {
  return new ManualConversionRequiredError(fields);
}
