// Delete and finalizers in the generic registry store (store.go Delete, markAsDeleting,
// ShouldDeleteDuringUpdate; rest.BeforeDelete). Propagation: Orphan and Foreground are treated
// like Background (no garbage collector runs behind an aggregated server); finalizers still
// hold objects until they are removed.
import type { KubeObject, ObjectMeta } from '../api.js';
import { errors } from '../errors.js';
import { isStorageError } from '../storage/interface.js';
import { admitDelete } from './admit.js';
import { maxConflictRetries } from './core.js';
import type { StoreCore } from './core.js';
import type { DeleteOptions, DeleteResult, Preconditions, RequestContext } from './interface.js';
import { copyJson } from './json.js';
import { formatTimestamp } from './metadata.js';
import { sameStored, serialize } from './views.js';

export async function deleteObject(
  core: StoreCore,
  ctx: RequestContext,
  namespace: string | undefined,
  name: string,
  version: string,
  opts: DeleteOptions,
): Promise<DeleteResult> {
  const { storage, views } = core;
  core.versionDef(version);
  const key = core.keyFor(namespace, name);
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const cur = await storage.get(key);
    if (!cur) throw errors.notFound(core.gr, name);
    const hub = views.hubOf(cur.key, cur.value, cur.modRevision);
    checkPreconditions(core, opts.preconditions, hub);
    await admitDelete(core, ctx, version, namespace, name, hub, opts);
    const current = views.view(cur.key, cur.value, cur.modRevision, version);
    try {
      if ((hub.metadata.finalizers ?? []).length > 0) {
        // Finalizers pending: mark as deleting and keep the object (store.go markAsDeleting).
        const marked = copyJson(hub);
        markAsDeleting(marked.metadata, core.clock());
        const value = serialize(marked);
        if (sameStored(cur.value, value)) return { object: current, deleted: false };
        if (ctx.dryRun) return { object: views.fromHubObject(marked, cur.modRevision, version), deleted: false };
        const kv = await storage.update(cur.key, value, cur.modRevision);
        return { object: views.view(kv.key, kv.value, kv.modRevision, version), deleted: false };
      }
      if (!ctx.dryRun) await storage.delete(cur.key, cur.modRevision);
      return { object: current, deleted: true };
    } catch (e) {
      if (isStorageError(e, 'Conflict')) continue;
      if (isStorageError(e, 'KeyNotFound')) throw errors.notFound(core.gr, name);
      throw e;
    }
  }
  throw errors.modified(core.gr, name);
}

/** store.go ShouldDeleteDuringUpdate: the update removed the last finalizer of a deleting object. */
export function shouldDeleteDuringUpdate(meta: ObjectMeta, old: ObjectMeta): boolean {
  if ((meta.finalizers ?? []).length > 0) return false;
  if ((old.finalizers ?? []).length === 0) return false;
  if (!old.deletionTimestamp) return false;
  return old.deletionGracePeriodSeconds === undefined || old.deletionGracePeriodSeconds === 0;
}

/** store.go markAsDeleting: deletion starts now (unless already started), grace period 0. */
function markAsDeleting(meta: ObjectMeta, now: Date): void {
  if (!meta.deletionTimestamp && (meta.generation ?? 0) > 0) meta.generation = (meta.generation ?? 0) + 1;
  const ts = formatTimestamp(now);
  if (!meta.deletionTimestamp || meta.deletionTimestamp > ts) meta.deletionTimestamp = ts;
  meta.deletionGracePeriodSeconds = 0;
}

/** rest.BeforeDelete's early precondition check, with its messages. */
function checkPreconditions(core: StoreCore, p: Preconditions | undefined, hub: KubeObject): void {
  if (!p) return;
  const gk = { group: core.kind.group, resource: core.kind.kind };
  const name = hub.metadata.name ?? '';
  if (p.uid !== undefined && p.uid !== (hub.metadata.uid ?? '')) {
    throw errors.conflict(
      gk,
      name,
      `the UID in the precondition (${p.uid}) does not match the UID in record (${hub.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
    );
  }
  if (p.resourceVersion !== undefined && p.resourceVersion !== hub.metadata.resourceVersion) {
    throw errors.conflict(
      gk,
      name,
      `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${hub.metadata.resourceVersion}). The object might have been modified`,
    );
  }
}
