// UserInfo.extra as a map without a prototype. Extra keys come from outside (front-proxy header
// names, TokenReview answers) and are any string, `__proto__` and `constructor` included: as in
// Go's map[string][]string every key is an ordinary one, and none is inherited.

/** A prototype-free record of the entries, values copied. */
export function userExtra(entries: Iterable<readonly [string, readonly string[]]>): Record<string, string[]> {
  const out = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of entries) out[k] = [...v];
  return out;
}

/** A prototype-free copy of `extra` for a body that carries it (SubjectAccessReview, audit). */
export function copyUserExtra(extra: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  return userExtra(Object.entries(extra));
}
