// Update (PUT and every patch) in the generic registry store (store.go Update with
// GuaranteedUpdate's retry loop, rest.BeforeUpdate, the custom-resource strategies'
// PrepareForUpdate for the main resource and /status):
//   decode (resourceVersion precondition first) -> namespace -> status rules -> defaults ->
//   schema validation -> to hub -> mutating admission -> metadata rules -> strategy ->
//   validating admission -> finalizer check -> storage (nothing when nothing changed).
import type { FieldError, KindVersionDefinition, KubeObject } from '../api.js';
import { errors, isStatusError } from '../errors.js';
import { isStorageError } from '../storage/interface.js';
import type { KeyValue } from '../storage/interface.js';
import { admitMutating, admitValidating } from './admit.js';
import { maxConflictRetries } from './core.js';
import type { StoreCore } from './core.js';
import { createObject } from './create.js';
import { checkName, decode, ensureNamespace } from './decode.js';
import { validateAgainstSchema } from './schema-validation.js';
import { shouldDeleteDuringUpdate } from './delete.js';
import type { RequestContext, UpdateFn, UpdateOptions, UpdateResult } from './interface.js';
import { copyJson, deepEqual } from './json.js';
import { invalid, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { sameStored, serialize } from './views.js';

const RETRY = Symbol('retry');

export async function updateObject(
  core: StoreCore,
  ctx: RequestContext,
  namespace: string | undefined,
  name: string,
  version: string,
  fn: UpdateFn,
  opts: UpdateOptions,
): Promise<UpdateResult> {
  const v = core.versionDef(version);
  const key = core.keyFor(namespace, name);
  for (let attempt = 0; ; attempt++) {
    const cur = await core.storage.get(key);
    if (!cur) {
      if (!opts.allowCreate) throw errors.notFound(core.gr, name);
      // createObject decodes (copies) it.
      const desired = await fn(undefined);
      checkName(core, desired, namespace, name);
      try {
        return { object: await createObject(core, ctx, namespace, version, desired, true), created: true };
      } catch (e) {
        if (isStatusError(e, 'AlreadyExists') && attempt < maxConflictRetries) continue;
        throw e;
      }
    }
    const current = core.views.view(cur.key, cur.value, cur.modRevision, version);
    const desired = await fn(copyJson(current));
    const result = await updateOnce(core, ctx, namespace, name, version, v, cur, current, desired, opts);
    if (result !== RETRY) return result;
    if (attempt >= maxConflictRetries) throw errors.modified(core.gr, name);
  }
}

/** One attempt against the stored `cur`; RETRY when storage changed underneath it. */
async function updateOnce(
  core: StoreCore,
  ctx: RequestContext,
  namespace: string | undefined,
  name: string,
  version: string,
  v: KindVersionDefinition,
  cur: KeyValue,
  current: KubeObject,
  desired: KubeObject,
  opts: UpdateOptions,
): Promise<UpdateResult | typeof RETRY> {
  const { kind, views } = core;
  checkName(core, desired, namespace, name);
  let obj = decode(core, ctx, desired, version, v, { beforePrune: () => {
    // Optimistic concurrency before anything else (store.go Update): missing -> 422, since
    // custom resources do not allow unconditional updates; different -> 409.
    const rv = desired.metadata?.resourceVersion;
    if (!rv) {
      throw errors.invalid(kind.group, kind.plural, name, [invalid('metadata.resourceVersion', 0, 'must be specified for an update')]);
    }
    if (rv !== String(cur.modRevision)) throw errors.modified(core.gr, name);
  } });
  ensureNamespace(core, obj, namespace);
  const subresource = opts.subresource;
  if (subresource === 'status') {
    // status_strategy.go: only status (and managedFields) come from the request.
    const next = copyJson(current);
    if (obj.metadata.managedFields !== undefined) next.metadata.managedFields = obj.metadata.managedFields;
    else delete next.metadata.managedFields;
    if ('status' in obj) next.status = obj.status;
    else delete next.status;
    obj = next;
  } else if (kind.subresources.status) {
    // strategy.go: the main resource cannot change status when /status exists.
    if ('status' in current) obj.status = copyJson(current.status);
    else delete obj.status;
  }
  v.applyDefaults(obj);
  const schemaErrs = validateAgainstSchema(v, obj, current);
  const old = copyJson(views.hubOf(cur.key, cur.value, cur.modRevision));
  if (schemaErrs.length) {
    throw errors.invalid(kind.group, kind.kind, name, [...validateObjectMeta(obj.metadata, core.namespaced), ...schemaErrs]);
  }
  const hub = views.toHub(obj, version);
  // Mutating admission before BeforeUpdate (update.go runs it in the object transformers).
  if (core.admission?.handles('mutating', 'UPDATE', kind.kind)) {
    const admissionErrs = await admitMutating(core, ctx, 'UPDATE', version, namespace, name, hub, old, subresource);
    if (admissionErrs.length) {
      throw errors.invalid(kind.group, kind.kind, name, [...validateObjectMeta(hub.metadata, core.namespaced), ...admissionErrs]);
    }
    ensureNamespace(core, hub, namespace);
  }
  const meta = hub.metadata;
  const oldMeta = old.metadata;
  // rest.BeforeUpdate: requests cannot set generation; the strategy bumps it.
  meta.generation = oldMeta.generation;
  if (subresource !== 'status' && !equalIgnoringMetadata(hub, old)) meta.generation = (oldMeta.generation ?? 0) + 1;
  if (meta.generation === undefined) delete meta.generation;
  const sctx = core.strategyContext(ctx, namespace, subresource);
  kind.strategy.prepareForUpdate?.(hub, old, sctx);
  if (!meta.uid) meta.uid = oldMeta.uid;
  if (oldMeta.creationTimestamp) meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) {
    meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  }
  const errs: FieldError[] = [
    ...validateObjectMeta(meta, core.namespaced),
    ...validateObjectMetaUpdate(meta, oldMeta),
    ...(kind.strategy.validateUpdate?.(hub, old, sctx) ?? []),
  ];
  if (errs.length) throw errors.invalid(kind.group, kind.kind, name, errs);
  ctx.warnings.push(...(kind.strategy.warningsOnUpdate?.(hub, old, sctx) ?? []));
  kind.strategy.canonicalize?.(hub);
  // Validating admission after BeforeUpdate (store.go Update: updateValidation).
  await admitValidating(core, ctx, 'UPDATE', version, namespace, name, hub, old, subresource);

  if (shouldDeleteDuringUpdate(meta, oldMeta)) {
    // The last finalizer is gone from an object being deleted: delete it (store.go
    // errEmptiedFinalizers) and answer with its last stored state.
    if (!ctx.dryRun) {
      try {
        await core.storage.delete(cur.key, cur.modRevision);
      } catch (e) {
        if (isStorageError(e, 'Conflict') || isStorageError(e, 'KeyNotFound')) return RETRY;
        throw e;
      }
    }
    return { object: current, created: false };
  }
  const value = serialize(hub);
  // An update that changes nothing writes nothing: same resourceVersion, no watch event.
  if (sameStored(cur.value, value)) return { object: current, created: false };
  if (ctx.dryRun) return { object: views.fromHubObject(hub, cur.modRevision, version), created: false };
  try {
    const kv = await core.storage.update(cur.key, value, cur.modRevision);
    return { object: views.ownedView(kv, hub, version), created: false };
  } catch (e) {
    if (isStorageError(e, 'Conflict') || isStorageError(e, 'KeyNotFound')) return RETRY;
    throw e;
  }
}

/** customresource strategy copyNonMetadata: generation counts changes outside metadata. */
function equalIgnoringMetadata(a: KubeObject, b: KubeObject): boolean {
  const { metadata: _a, apiVersion: _av, ...restA } = a;
  const { metadata: _b, apiVersion: _bv, ...restB } = b;
  return deepEqual(restA, restB);
}
