// Accept handling for the non-resource endpoints (discovery, OpenAPI). The header is parsed by
// the one parser the resource endpoints use, which keeps the client's order among equal q
// values (API-CONTRACT 1.2: pick the first entry you can serve, in the client's order).
import { parseAccept, type MediaRange } from '../endpoints/negotiation.js';

export { parseAccept, type MediaRange };

/** True when `range` is `application/json` (with any parameters). */
export function isJson(range: MediaRange): boolean {
  return range.type === 'application' && range.subtype === 'json';
}

/** True when `range` admits plain JSON (`application/json` without a `g`/`as` target). */
export function admitsPlainJson(range: MediaRange): boolean {
  if (range.subtype === '*' && (range.type === '*' || range.type === 'application')) return true;
  return isJson(range) && range.params.g === undefined && range.params.as === undefined;
}

/** True when some clause of the header admits plain JSON. */
export function acceptsJson(header: string | undefined): boolean {
  return parseAccept(header).some(admitsPlainJson);
}
