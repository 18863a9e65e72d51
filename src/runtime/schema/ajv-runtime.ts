// The helpers ajv's standalone code calls at run time (ajv/dist/runtime/*), reimplemented here
// so that generated validation modules import only from 'aa-gen/runtime'. The emitter rewrites
// `require("ajv/dist/runtime/<name>").default` to `ajvRuntime.<name>`.

/** Length of a string in Unicode code points, as JSON Schema counts maxLength/minLength. */
function ucs2length(str: string): number {
  let length = 0;
  for (const _ of str) length++;
  return length;
}

/** Deep equality of JSON values (what ajv's `equal` is used for: uniqueItems, enum, const). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => equal(v, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const ajvRuntime = { ucs2length, equal } as const;

/** Names the emitter may reference as `ajvRuntime.<name>`. */
export const ajvRuntimeNames: readonly string[] = Object.keys(ajvRuntime);
