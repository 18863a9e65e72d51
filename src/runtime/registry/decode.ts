// The first stage of every write: the request body decoded as the handlers do it (one private
// copy, type meta, metadata shape, unknown fields per fieldValidation) and its name and
// namespace checked against the request.
import type { KindVersionDefinition, KubeObject } from '../api.js';
import { errors } from '../errors.js';
import type { StoreCore } from './core.js';
import { objectMetaDecodeError } from './go-decode.js';
import type { RequestContext } from './interface.js';
import { copyJson } from './json.js';
import { pruneResource } from './prune.js';
import { goQuote } from '../go-quote.js';

export interface DecodeOptions {
  /** Runs before pruning (the update's precondition check). */
  readonly beforePrune?: () => void;
  /** `input` is handed over (CreateOptions.handOver): it becomes the private copy. */
  readonly handOver?: boolean;
}

/**
 * Decoding as the handlers do it: a private copy, metadata present, apiVersion/kind defaulted
 * from the endpoint and checked, `beforePrune`, then unknown fields pruned and reported per
 * fieldValidation.
 */
export function decode(
  core: StoreCore,
  ctx: RequestContext,
  input: KubeObject,
  version: string,
  v: KindVersionDefinition,
  { beforePrune, handOver = false }: DecodeOptions = {},
): KubeObject {
  const kind = core.kind;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw errors.badRequest(`${kind.kind} in version "${version}" cannot be handled as a ${kind.kind}: the body must be a JSON object`);
  }
  // The one copy of a write: every later stage owns it and may change it in place.
  const obj = handOver ? input : copyJson(input);
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  checkMetadataShape(core, obj, version);
  const expected = `${kind.group}/${version}`;
  if (!obj.apiVersion) obj.apiVersion = expected;
  if (!obj.kind) obj.kind = kind.kind;
  if (obj.apiVersion !== expected) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== kind.kind) {
    throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${kind.kind})`);
  }
  beforePrune?.();
  const unknown = pruneResource(obj, v.schema);
  if (unknown.length) {
    if (ctx.fieldValidation === 'Strict') {
      const list = unknown.map((p) => `unknown field ${goQuote(p)}`).join(', ');
      throw errors.badRequest(`${kind.kind} in version "${version}" cannot be handled as a ${kind.kind}: strict decoding error: ${list}`);
    }
    if (ctx.fieldValidation === 'Warn') {
      // Conflict retries decode again: report each field once per request.
      for (const p of unknown) {
        const w = `unknown field ${goQuote(p)}`;
        if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
      }
    }
  }
  return obj;
}

/** What the JSON decoder into metav1.ObjectMeta would refuse, as a 400 (go-decode.ts). */
function checkMetadataShape(core: StoreCore, obj: KubeObject, version: string): void {
  const kind = core.kind.kind;
  const why = objectMetaDecodeError(obj, kind);
  if (why) throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
  // A null field decodes as an absent one.
  const meta = obj.metadata as Record<string, unknown>;
  for (const f of Object.keys(meta)) if (meta[f] === null) delete meta[f];
}

/** handlers/rest.go checkName: the body names the object of the URL. */
export function checkName(core: StoreCore, obj: KubeObject, namespace: string | undefined, name: string): void {
  const objName = obj?.metadata?.name;
  if (!objName) {
    throw errors.badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  }
  if (objName !== name) throw errors.badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
  const objNamespace = obj.metadata.namespace;
  if (core.namespaced && namespace && objNamespace && objNamespace !== namespace) {
    throw errors.badRequest(`the namespace of the object (${objNamespace}) does not match the namespace on the URL (${namespace})`);
  }
}

/** rest.EnsureObjectNamespaceMatchesRequestNamespace. */
export function ensureNamespace(core: StoreCore, obj: KubeObject, namespace: string | undefined): void {
  const requestNamespace = core.namespaced ? (namespace ?? '') : '';
  const objNamespace = obj.metadata.namespace ?? '';
  if (objNamespace === requestNamespace) return;
  if (objNamespace === '') obj.metadata.namespace = requestNamespace;
  else if (requestNamespace === '') delete obj.metadata.namespace;
  else throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
}
