// RFC 6902 JSON Patch (application/json-patch+json) with kube-apiserver's limits and error
// mapping (k8s.io/apiserver pkg/endpoints/handlers/patch.go, jsonPatcher).
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, errors } from '../errors.js';

/** kube-apiserver's cap on operations in one JSON patch. */
export const maxJsonPatchOperations = 10000;

/** Checks a decoded body is a patch document: 400 when it is not, 413 when it is too long. */
export function decodeJsonPatch(body: unknown): Operation[] {
  if (!Array.isArray(body)) {
    throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  for (const op of body) {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) {
      throw errors.badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    }
  }
  if (body.length > maxJsonPatchOperations) {
    throw errors.tooLarge(`Request entity too large: The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${body.length}`);
  }
  return body as Operation[];
}

/**
 * Applies operations to a copy of `doc` (which is never mutated). Any operation that does not
 * apply (a failed `test`, a missing path) is 422, as kube answers it.
 */
export function applyJsonPatch<T>(doc: T, ops: readonly Operation[]): T {
  const copy = structuredClone(doc);
  try {
    return jsonpatch.applyPatch(copy, ops, true, true, true).newDocument;
  } catch (e) {
    throw patchFailed(e);
  }
}

function patchFailed(e: unknown): StatusError {
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  // NewGenericServerResponse(422, ...): reason Invalid with kube's generic message.
  return new StatusError('Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ message: why }],
  });
}
