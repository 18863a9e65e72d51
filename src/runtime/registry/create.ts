// Create in the generic registry store (store.go Create, rest.BeforeCreate, handlers/create.go):
//   decode -> namespace -> defaults -> schema validation -> mutating admission (hub) ->
//   metadata (uid, timestamps, generated name) -> to hub -> strategy -> validating admission ->
//   storage.
import type { KubeObject } from '../api.js';
import { errors, StatusError } from '../errors.js';
import { isStorageError } from '../storage/interface.js';
import type { KeyValue } from '../storage/interface.js';
import { admitMutating, admitValidating } from './admit.js';
import type { StoreCore } from './core.js';
import { decode, ensureNamespace } from './decode.js';
import { validateAgainstSchema } from './schema-validation.js';
import type { RequestContext } from './interface.js';
import { copyJson } from './json.js';
import { formatTimestamp, generateName, newUid, validateObjectMeta } from './metadata.js';
import { serialize } from './views.js';

/** store.go maxNameGenerationCreateAttempts. */
const maxNameGenerationAttempts = 8;

/**
 * Creates `input` (the caller's; it is copied once, at decode, unless `handOver`: see
 * CreateOptions). `fromUpdate`: create-on-update (apply, PUT of a missing object), which
 * ignores a resourceVersion in the body.
 */
export async function createObject(
  core: StoreCore,
  ctx: RequestContext,
  namespace: string | undefined,
  version: string,
  input: KubeObject,
  fromUpdate: boolean,
  handOver = false,
): Promise<KubeObject> {
  const { kind, views } = core;
  const v = core.versionDef(version);
  const obj = decode(core, ctx, input, version, v, { handOver });
  ensureNamespace(core, obj, namespace);
  // PrepareForCreate of a kind with /status: status cannot be set on create.
  if (kind.subresources.status) delete obj.status;
  v.applyDefaults(obj);
  let schemaErrs = validateAgainstSchema(v, obj);
  const rvSet = Boolean(obj.metadata.resourceVersion);
  // Create-on-update (apply) ignores a resourceVersion; a plain create refuses it, after
  // validation, as etcd3 store.Create does (an internal error in kube, too).
  if (fromUpdate) delete obj.metadata.resourceVersion;
  const generated = !obj.metadata.name && Boolean(obj.metadata.generateName);
  const sctx = core.strategyContext(ctx, namespace, undefined);
  const requestName = obj.metadata.name ?? '';
  // Mutating admission runs once, on the hub form of the request, before names are generated
  // (handlers/create.go admits before the registry's BeforeCreate). A request that fails its
  // schema is refused first: it has no faithful hub form.
  let admitted: KubeObject | undefined;
  if (!schemaErrs.length && core.admission?.handles('mutating', 'CREATE', kind.kind)) {
    admitted = views.toHub(obj, version);
    schemaErrs = await admitMutating(core, ctx, 'CREATE', version, namespace, requestName, admitted, undefined, undefined);
    ensureNamespace(core, admitted, namespace);
  }
  let warned = false;
  let lastError: StatusError | undefined;
  for (let attempt = 0; attempt < (generated ? maxNameGenerationAttempts : 1); attempt++) {
    // Only a generated name can take another attempt, which needs the object as it was.
    const o = generated ? copyJson(admitted ?? obj) : (admitted ?? obj);
    const meta = o.metadata;
    meta.uid = newUid();
    meta.creationTimestamp = formatTimestamp(core.clock());
    if (generated) meta.name = generateName(meta.generateName!);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.generation = 1;
    const name = meta.name ?? '';
    if (schemaErrs.length) {
      throw errors.invalid(kind.group, kind.kind, name, [...validateObjectMeta(meta, core.namespaced), ...schemaErrs]);
    }
    const hub = admitted ? o : views.toHub(o, version);
    kind.strategy.prepareForCreate?.(hub, sctx);
    const errs = [...validateObjectMeta(hub.metadata, core.namespaced), ...(kind.strategy.validate?.(hub, sctx) ?? [])];
    if (errs.length) throw errors.invalid(kind.group, kind.kind, name, errs);
    if (!warned) {
      ctx.warnings.push(...(kind.strategy.warningsOnCreate?.(hub, sctx) ?? []));
      warned = true;
    }
    kind.strategy.canonicalize?.(hub);
    // Validating admission after the strategy, per attempt (store.go create: createValidation),
    // after the create authorization of a create-on-update (handlers/patch.go withAuthorization).
    if (fromUpdate) await ctx.authorizeCreate?.();
    await admitValidating(core, ctx, 'CREATE', version, namespace, requestName, hub, undefined, undefined);
    if (rvSet && !fromUpdate) throw errors.internal(new Error('resourceVersion should not be set on objects to be created'));
    const key = core.keyFor(hub.metadata.namespace, hub.metadata.name!);
    const value = serialize(hub);
    if (ctx.dryRun) {
      const existing = await core.storage.get(key);
      if (existing) throw alreadyExists(core, existing, name);
      return views.fromHubObject(hub, undefined, version);
    }
    try {
      const kv = await core.storage.create(key, value);
      return views.ownedView(kv, hub, version);
    } catch (e) {
      if (!isStorageError(e, 'KeyExists')) throw e;
      lastError = alreadyExists(core, await core.storage.get(key), name);
      if (!generated) throw lastError;
    }
  }
  throw lastError!;
}

function alreadyExists(core: StoreCore, existing: KeyValue | undefined, name: string): StatusError {
  const err = errors.alreadyExists(core.gr, name);
  const meta = existing ? (JSON.parse(existing.value) as KubeObject).metadata : undefined;
  if (meta?.deletionTimestamp) return new StatusError('AlreadyExists', `object is being deleted: ${err.message}`, err.details);
  return err;
}
