// RFC 6902 JSON Patch (application/json-patch+json) with kube-apiserver's limits and error
// mapping (k8s.io/apiserver pkg/endpoints/handlers/patch.go, jsonPatcher).
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, errors } from '../errors.js';

/** kube-apiserver's cap on operations in one JSON patch. */
export const maxJsonPatchOperations = 10000;

/**
 * kube-apiserver's cap on the bytes `copy` operations of one patch may add (pkg/server/config.go
 * JSONPatchMaxCopyBytes, handed to evanphx/json-patch as AccumulatedCopySizeLimit): without it a
 * patch of doubling copies grows the object exponentially.
 */
export const jsonPatchMaxCopyBytes = 3 * 1024 * 1024;

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
 * apply (a failed `test`, a missing path, copies past `maxCopyBytes`) is 422, as kube answers it.
 */
export function applyJsonPatch<T>(doc: T, ops: readonly Operation[], maxCopyBytes = jsonPatchMaxCopyBytes): T {
  let document = structuredClone(doc);
  let copied = 0;
  try {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.op === 'copy') {
        jsonpatch.validator(op, i, document);
        // evanphx/json-patch counts the JSON size of each copied value before adding it.
        const value: unknown = jsonpatch.getValueByPointer(document, op.from);
        copied += value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
        if (copied > maxCopyBytes) {
          throw new Error(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${maxCopyBytes}`);
        }
      }
      document = jsonpatch.applyOperation(document, op, true, true, true, i).newDocument;
    }
    return document;
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
