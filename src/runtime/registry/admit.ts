// Admission hooks of the generic registry store: the attributes plugins see, and where the
// write pipeline calls the chain (mutating on the hub object before the strategy, validating
// after it; both on delete), as pkg/endpoints/handlers and store.go order them.
import type { FieldError, KubeObject } from '../api.js';
import type { MutatingAttributes, Operation, OperationOptions } from '../admission/types.js';
import type { StoreCore } from './core.js';
import type { DeleteOptions, RequestContext } from './interface.js';
import { copyJson, deepEqual } from './json.js';

/**
 * Runs the mutating plugins on `hub` (changed in place); the caller has checked that the chain
 * handles `operation`. When they changed it, it is defaulted and validated again in the hub's
 * schema; returns those schema errors.
 */
export async function admitMutating(
  core: StoreCore,
  ctx: RequestContext,
  operation: Operation,
  version: string,
  namespace: string | undefined,
  name: string,
  hub: KubeObject,
  old: KubeObject | undefined,
  subresource: string | undefined,
): Promise<FieldError[]> {
  const before = copyJson(hub);
  await core.admission!.admit(attributes(core, ctx, operation, version, namespace, name, hub, old, subresource));
  if (deepEqual(before, hub)) return [];
  const storage = core.storageVersionDef();
  storage.applyDefaults(hub);
  return storage.validate(hub);
}

/** Runs the validating plugins, if any handle `operation`, on the final hub object. */
export async function admitValidating(
  core: StoreCore,
  ctx: RequestContext,
  operation: Operation,
  version: string,
  namespace: string | undefined,
  name: string,
  hub: KubeObject,
  old: KubeObject | undefined,
  subresource: string | undefined,
): Promise<void> {
  if (core.admission?.handles('validating', operation, core.kind.kind)) {
    await core.admission.validate(attributes(core, ctx, operation, version, namespace, name, hub, old, subresource));
  }
}

/** rest.AdmissionToValidateObjectDeleteFunc: both stages, no object, the stored one as old. */
export async function admitDelete(
  core: StoreCore,
  ctx: RequestContext,
  version: string,
  namespace: string | undefined,
  name: string,
  hub: KubeObject,
  opts: DeleteOptions,
): Promise<void> {
  const chain = core.admission;
  if (!chain) return;
  const attrs = () => attributes(core, ctx, 'DELETE', version, namespace, name, undefined, hub, undefined, opts);
  if (chain.handles('mutating', 'DELETE', core.kind.kind)) await chain.admit(attrs());
  if (chain.handles('validating', 'DELETE', core.kind.kind)) await chain.validate(attrs());
}

function attributes(
  core: StoreCore,
  ctx: RequestContext,
  operation: Operation,
  version: string,
  namespace: string | undefined,
  name: string,
  object: KubeObject | undefined,
  old: KubeObject | undefined,
  subresource: string | undefined,
  deleteOptions?: DeleteOptions,
): MutatingAttributes {
  const common = {
    apiVersion: 'meta.k8s.io/v1' as const,
    ...(ctx.dryRun ? { dryRun: ['All'] as const } : {}),
  };
  const options: OperationOptions =
    operation === 'DELETE'
      ? {
          kind: 'DeleteOptions',
          ...common,
          ...(deleteOptions?.propagationPolicy ? { propagationPolicy: deleteOptions.propagationPolicy } : {}),
          ...(deleteOptions?.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: deleteOptions.gracePeriodSeconds } : {}),
          ...(deleteOptions?.preconditions ? { preconditions: deleteOptions.preconditions } : {}),
        }
      : {
          kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions',
          ...common,
          ...(ctx.fieldManager ? { fieldManager: ctx.fieldManager } : {}),
          fieldValidation: ctx.fieldValidation,
        };
  const kind = core.kind;
  return {
    operation,
    kind: { group: kind.group, version, kind: kind.kind },
    resource: { group: kind.group, version, resource: kind.plural },
    subresource: subresource ?? '',
    namespace: core.namespaced ? (namespace ?? '') : '',
    name,
    object,
    oldObject: old,
    user: ctx.user ?? { username: '', groups: [] },
    dryRun: ctx.dryRun,
    options,
  };
}
