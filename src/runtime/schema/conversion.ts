// Runtime support for generated conversions: deep copies of JSON values, the dispatcher that
// turns per-version conversion functions into a KindConversion, and the error a hand-written
// conversion stub throws until it is written.
import type { KindConversion, KubeObject } from '../api.js';

/** A deep copy of a JSON value (objects, arrays, strings, numbers, booleans, null). */
export function deepCopyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => deepCopyJson(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) out[k] = deepCopyJson(v);
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
 */
export function defineConversion(table: ConversionTable): KindConversion {
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
      return entry(version).toHub(obj as never);
    },
    fromHub(hub, version) {
      if (version === table.hubVersion) return deepCopyJson(hub);
      return entry(version).fromHub(hub as never);
    },
  };
}

/**
 * The error a scaffolded conversion stub throws until it is written:
 * `requires manual conversion: spec.colour`. The values are accepted (and ignored) so that a
 * stub uses its parameters and compiles under noUnusedParameters.
 */
export function manualConversionRequired(fields: readonly string[], ..._values: unknown[]): Error {
  return new Error(`requires manual conversion: ${fields.join(', ')}`);
}
