// A small Accept-header reader for the endpoints this module serves (discovery, OpenAPI).
// Clauses keep the client's order among equal q values (API-CONTRACT 1.2: pick the first entry
// you can serve, in the client's order); q=0 clauses are dropped.

export interface MediaRange {
  /** Lower-cased `type/subtype`, e.g. `application/json`, `*\/*`. */
  readonly type: string;
  /** Parameters other than q, keys lower-cased. */
  readonly params: Readonly<Record<string, string>>;
  readonly q: number;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const clause of header.split(',')) {
    const [rawType, ...rawParams] = clause.split(';');
    const type = rawType.trim().toLowerCase();
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else params[key] = value;
    }
    if (q > 0) ranges.push({ type, params, q });
  }
  // Array.prototype.sort is stable: equal q keeps the client's order.
  return ranges.sort((a, b) => b.q - a.q);
}

/** True when `range` admits plain JSON (`application/json` without a `g`/`as` target). */
export function admitsPlainJson(range: MediaRange): boolean {
  if (range.type === '*/*' || range.type === 'application/*') return true;
  return range.type === 'application/json' && range.params.g === undefined && range.params.as === undefined;
}

/** True when some clause of the header admits plain JSON. */
export function acceptsJson(header: string | undefined): boolean {
  return parseAccept(header).some(admitsPlainJson);
}
