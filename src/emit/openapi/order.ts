// The one ordering helper of the OpenAPI emitter: every document goes through it before it is
// serialized, so key order (and therefore the bytes on disk and the content hash the runtime
// serves) never depends on the order in which the builder happened to insert keys.

/** A JSON object as the builders make it. */
export type JsonObject = { [key: string]: unknown };

/**
 * A deep copy of `value` in which the keys of every plain object are in code-unit order (as
 * Go's encoding/json orders map keys, so the documents read like kube-apiserver's). Arrays keep
 * their order: it is meaningful (`required`, `enum`, parameters, list-map keys). `undefined`
 * members are dropped, as JSON.stringify would.
 */
export function sortKeysDeep<T>(value: T): T {
  return sortValue(value) as T;
}

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortValue);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    const member = (value as JsonObject)[key];
    if (member !== undefined) out[key] = sortValue(member);
  }
  return out;
}

/** Code-unit order, independent of locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
