// Reads of the generic registry store: get, list (paging, selectors, resourceVersion rules)
// and the hub reads admission listers use. Objects returned are shared views: never mutate them.
import type { KubeObject } from '../api.js';
import { errors } from '../errors.js';
import { isStorageError } from '../storage/interface.js';
import type { KeyValue } from '../storage/interface.js';
import { decodeContinue, encodeContinue } from './continue.js';
import type { StoreCore } from './core.js';
import { parseFieldSelector } from './fields.js';
import type { FieldSelector } from './fields.js';
import type { ListQuery, ObjectList } from './interface.js';
import { parseLabelSelector } from './labels.js';
import type { LabelSelector } from './labels.js';
import {
  continueExpiredMessage,
  listExpiredMessage,
  parseResourceVersion,
  tooLargeResourceVersion,
  validateListOptions,
} from './options.js';

export async function getObject(
  core: StoreCore,
  namespace: string | undefined,
  name: string,
  version: string,
  resourceVersion: string | undefined,
): Promise<KubeObject> {
  core.versionDef(version);
  const rv = parseResourceVersion(resourceVersion, core.gr);
  if (rv) await waitForRevision(core, rv);
  const kv = await core.storage.get(core.keyFor(namespace, name));
  if (!kv) throw errors.notFound(core.gr, name);
  return core.views.view(kv.key, kv.value, kv.modRevision, version);
}

export async function listObjects(core: StoreCore, namespace: string | undefined, version: string, query: ListQuery): Promise<ObjectList> {
  core.versionDef(version);
  validateListOptions(query);
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector, core.fieldSet);
  const prefix = core.listPrefix(namespace);
  const limit = query.limit && query.limit > 0 ? Math.floor(query.limit) : 0;
  let revision: number | undefined;
  let startAfter: string | undefined;
  let expiredMessage = listExpiredMessage;
  if (query.continue) {
    if (query.resourceVersion && query.resourceVersion !== '0') {
      throw errors.badRequest('specifying resource version is not allowed when using continue');
    }
    const token = decodeContinue(query.continue, prefix);
    revision = token.revision;
    startAfter = token.startAfter;
    expiredMessage = continueExpiredMessage;
  } else {
    const rv = parseResourceVersion(query.resourceVersion, core.gr);
    if (rv) {
      await waitForRevision(core, rv);
      if (query.resourceVersionMatch === 'Exact') revision = rv;
    }
  }
  const selecting = !labels.empty || !fields.empty;
  const items: KubeObject[] = [];
  let listRevision = revision;
  let more = false;
  let lastKey: string | undefined;
  let remaining: number | undefined;
  for (let after = startAfter; ; ) {
    let page;
    try {
      page = await core.storage.list(prefix, { revision: listRevision, limit: limit || undefined, startAfter: after });
    } catch (e) {
      if (isStorageError(e, 'Compacted')) throw errors.expired(expiredMessage);
      if (isStorageError(e, 'TooLarge')) throw tooLargeResourceVersion(listRevision ?? 0, e.revision ?? 0);
      throw e;
    }
    listRevision = page.revision;
    let i = 0;
    for (; i < page.items.length && !(limit && items.length >= limit); i++) {
      const kv = page.items[i];
      if (selecting && !matches(core, kv, labels, fields)) continue;
      items.push(core.views.view(kv.key, kv.value, kv.modRevision, version));
      lastKey = kv.key;
    }
    if (limit && items.length >= limit) {
      more = i < page.items.length || page.more;
      if (more && !selecting && i === page.items.length) remaining = page.remaining;
      break;
    }
    if (!page.more || page.items.length === 0) break;
    after = page.items[page.items.length - 1].key;
  }
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: String(listRevision),
  };
  if (more && lastKey !== undefined) {
    metadata.continue = encodeContinue(lastKey, prefix, listRevision!);
    if (remaining !== undefined) metadata.remainingItemCount = remaining;
  }
  return { items, metadata };
}

/** HubReader.listHub: stored hub objects, shared: never mutate them. */
export async function listHub(core: StoreCore, namespace?: string, labelSelector?: string): Promise<readonly KubeObject[]> {
  const labels = parseLabelSelector(labelSelector);
  const page = await core.storage.list(core.listPrefix(core.namespaced ? namespace : undefined));
  const out: KubeObject[] = [];
  for (const kv of page.items) {
    const hub = core.views.hubOf(kv.key, kv.value, kv.modRevision);
    if (labels.matches(hub.metadata?.labels)) out.push(hub);
  }
  return out;
}

/** HubReader.getHub: the stored hub object, shared: never mutate it. */
export async function getHub(core: StoreCore, name: string, namespace?: string): Promise<KubeObject | undefined> {
  const kv = await core.storage.get(core.keyFor(core.namespaced ? namespace : undefined, name));
  return kv ? core.views.hubOf(kv.key, kv.value, kv.modRevision) : undefined;
}

/** Whether a stored item passes the selectors (judged on its hub form). */
export function matches(core: StoreCore, kv: KeyValue, labels: LabelSelector, fields: FieldSelector): boolean {
  if (labels.empty && fields.empty) return true;
  return matchesHub(core, core.views.hubOf(kv.key, kv.value, kv.modRevision), labels, fields);
}

export function matchesHub(core: StoreCore, hub: KubeObject, labels: LabelSelector, fields: FieldSelector): boolean {
  if (!labels.matches(hub.metadata?.labels)) return false;
  return fields.empty || fields.matches((f) => core.fieldSet.value(hub, f));
}

/** Wait (polling briefly) until the store reaches `revision`; 504 after the wait, as the cacher does. */
export async function waitForRevision(core: StoreCore, revision: number): Promise<void> {
  const deadline = Date.now() + core.rvWaitMs;
  for (;;) {
    const current = await core.storage.currentRevision();
    if (current >= revision) return;
    const left = deadline - Date.now();
    if (left <= 0) throw tooLargeResourceVersion(revision, current);
    await new Promise((r) => setTimeout(r, Math.min(25, left)));
  }
}
