// Request bodies of create, update and delete. The resource plugin parses every body to a
// Buffer itself, so the Content-Type rules (and their 415 Status) are kube's, not fastify's.
import { errors } from '../errors.js';
import { parseJsonInput, parseYamlInput } from '../util/json-input.js';
import { mediaTypeOf, objectMediaTypes, yamlMediaType } from './negotiation.js';

/**
 * decodeBody gives plain JSON data for this Content-Type: nothing in it is reached twice (YAML
 * aliases can share one object between two places), so a store may take it over uncopied.
 */
export function decodesToPlainJson(contentType: string | undefined): boolean {
  return mediaTypeOf(contentType) !== yamlMediaType;
}

/** The body as text; undefined when there is none. */
export function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body.length === 0 ? undefined : body.toString('utf8');
  if (typeof body === 'string') return body.length === 0 ? undefined : body;
  return JSON.stringify(body);
}

/**
 * Decodes a JSON or YAML body (a missing Content-Type counts as JSON). Any other media type is
 * 415 with the accepted list; an undecodable body is 400. Undefined when the body is empty.
 */
export function decodeBody(contentType: string | undefined, body: unknown): unknown {
  const text = bodyText(body);
  const media = mediaTypeOf(contentType);
  if (text === undefined) return undefined;
  if (media !== '' && !(objectMediaTypes as readonly string[]).includes(media)) {
    throw errors.unsupportedMediaType(media, objectMediaTypes);
  }
  try {
    return media === yamlMediaType ? parseYamlInput(text) : parseJsonInput(text);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw errors.badRequest(`the body of the request could not be decoded: ${why}`);
  }
}
