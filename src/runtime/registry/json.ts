// Helpers for the JSON data the registry store handles: one fast deep copy (the single copy a
// write makes), the plain-JSON test behind ownedView, and the structural equality that
// no-op updates and admission changes are judged by.

type Json = Record<string, unknown>;

const objectProto = Object.prototype;

/**
 * A deep copy of JSON-like data, as structuredClone would make it, several times faster for
 * plain objects and arrays. Anything else in the tree (a Date, a Map, a class instance, a
 * function, a sparse array, a cycle) makes it fall back to structuredClone of the whole value,
 * so results (and failures) stay structuredClone's.
 */
export function copyJson<T>(value: T): T {
  try {
    return copyPlain(value, 0) as T;
  } catch (e) {
    if (e !== notPlain) throw e;
    return structuredClone(value);
  }
}

const notPlain = Symbol('not plain JSON data');
/** Deeper than this is taken for a cycle (structuredClone handles those). */
const maxCopyDepth = 200;

function copyPlain(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'function' || typeof v === 'symbol') throw notPlain;
    return v;
  }
  if (depth > maxCopyDepth) throw notPlain;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw notPlain;
      out[i] = copyPlain(v[i], depth + 1);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== objectProto && proto !== null) throw notPlain;
  const out: Json = {};
  for (const k of Object.keys(v)) {
    // An own `__proto__` key (JSON.parse makes them) would set the copy's prototype instead.
    if (k === '__proto__') throw notPlain;
    out[k] = copyPlain((v as Json)[k], depth + 1);
  }
  return out;
}

/**
 * True when JSON.parse(JSON.stringify(v)) would be a tree equal to `v` in every way a reader
 * can see: plain objects and arrays only, no `undefined`, no non-finite numbers, no object
 * reached twice, no own `__proto__` key. (Key order survives the round trip: JSON.stringify
 * writes keys in the object's own order, integer-like keys first, and JSON.parse keeps it.)
 */
export function isPlainJson(root: unknown): boolean {
  return isPlainWalk(root, 0, new Set<object>());
}

/** isPlainJson below `v` (a top-level function: no closure per call on the write path). */
function isPlainWalk(v: unknown, depth: number, seen: Set<object>): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (depth > maxCopyDepth || seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainWalk(v[i], depth + 1, seen)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== objectProto) return false;
  for (const k of Object.keys(v)) if (k === '__proto__' || !isPlainWalk((v as Json)[k], depth + 1, seen)) return false;
  return true;
}

/** Structural equality of JSON data; a key holding `undefined` counts as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Json)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Json)[k], (b as Json)[k]));
}
