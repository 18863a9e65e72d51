// The generic registry store: one kind's REST storage on top of a key-value Storage, after
// k8s.io/apiserver@v0.32.4 pkg/registry/generic/registry/store.go and pkg/registry/rest, with
// the custom-resource strategy of k8s.io/apiextensions-apiserver pkg/registry/customresource
// (strategy.go, status_strategy.go) as the default behaviour every kind gets.
//
// Data flow. Objects arrive in the request version; writes run
//   type meta -> namespace/name -> prune unknown fields (fieldValidation) -> defaults ->
//   schema validation -> convert to hub -> metadata rules -> strategy hooks -> storage
// and are stored as hub (storage version) JSON without resourceVersion; the item's
// modRevision is the resourceVersion. Reads convert back to the requested version and apply
// that version's defaults; each converted object is cached per (key, revision, version) so
// repeated reads and all watchers share one object: callers must never mutate what they get.
//
// Copies. A write copies the request's object once (decode), or takes it over uncopied when the
// caller hands it over (CreateOptions.handOver: a freshly decoded JSON body); every later stage
// owns that object and changes it in place (to hub, strategy hooks, storage). The object a write returns is built
// from the stored hub object itself, not by parsing the JSON just written, when that object is
// plain JSON data (see ObjectViews.ownedView).
//
// Where things are: core.ts (shared state, key layout), decode.ts, create.ts, update.ts,
// delete.ts (and finalizers), admit.ts (admission hooks), reads.ts (get, list, hub reads),
// watch.ts (watch translation), views.ts (hub <-> version views, stored form, object cache),
// json.ts (copy and equality). This file composes them and maps failures to Status errors.
import type { KindDefinition, KubeObject } from '../api.js';
import { errors, isStatusError, StatusError } from '../errors.js';
import type { HubReader } from '../admission/listers.js';
import { isStorageError } from '../storage/interface.js';
import type { Storage } from '../storage/interface.js';
import { StoreCore } from './core.js';
import type { ResourceStoreOptions } from './core.js';
import { createObject } from './create.js';
import { deleteObject } from './delete.js';
import type {
  CreateOptions,
  DeleteOptions,
  DeleteResult,
  ListQuery,
  ObjectList,
  RequestContext,
  ResourceStore,
  UpdateFn,
  UpdateOptions,
  UpdateResult,
  WatchQuery,
  WatchStream,
} from './interface.js';
import { getHub, getObject, listHub, listObjects } from './reads.js';
import { updateObject } from './update.js';
import { Watches } from './watch.js';

export type { ResourceStoreOptions } from './core.js';

/** The store; as a HubReader it feeds admission listers from its (cached) storage. */
export function createResourceStore(kind: KindDefinition, storage: Storage, opts: ResourceStoreOptions = {}): ResourceStore & HubReader {
  return new GenericStore(kind, storage, opts);
}

class GenericStore implements ResourceStore, HubReader {
  readonly kind: KindDefinition;
  private readonly core: StoreCore;
  private readonly watches: Watches;

  constructor(kind: KindDefinition, storage: Storage, opts: ResourceStoreOptions) {
    this.kind = kind;
    this.core = new StoreCore(kind, storage, opts);
    this.watches = new Watches(this.core);
  }

  async get(ctx: RequestContext, namespace: string | undefined, name: string, version: string, opts?: { resourceVersion?: string }): Promise<KubeObject> {
    return this.guard('get', name, () => getObject(this.core, namespace, name, version, opts?.resourceVersion));
  }

  async list(ctx: RequestContext, namespace: string | undefined, version: string, query: ListQuery): Promise<ObjectList> {
    return this.guard('list', '', () => listObjects(this.core, namespace, version, query));
  }

  async watch(ctx: RequestContext, namespace: string | undefined, version: string, query: WatchQuery): Promise<WatchStream> {
    return this.guard('watch', '', () => this.watches.open(namespace, version, query));
  }

  async create(ctx: RequestContext, namespace: string | undefined, version: string, obj: KubeObject, opts?: CreateOptions): Promise<KubeObject> {
    return this.guard('create', obj?.metadata?.name ?? '', () => createObject(this.core, ctx, namespace, version, obj, false, opts?.handOver ?? false));
  }

  async update(
    ctx: RequestContext,
    namespace: string | undefined,
    name: string,
    version: string,
    fn: UpdateFn,
    opts: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.guard('update', name, () => updateObject(this.core, ctx, namespace, name, version, fn, opts));
  }

  async delete(ctx: RequestContext, namespace: string | undefined, name: string, version: string, opts: DeleteOptions): Promise<DeleteResult> {
    return this.guard('delete', name, () => deleteObject(this.core, ctx, namespace, name, version, opts));
  }

  async deleteCollection(
    ctx: RequestContext,
    namespace: string | undefined,
    version: string,
    query: ListQuery,
    opts: DeleteOptions,
  ): Promise<ObjectList> {
    const listed = await this.list(ctx, namespace, version, query);
    for (const item of listed.items) {
      try {
        await this.delete(ctx, item.metadata.namespace, item.metadata.name!, version, opts);
      } catch (e) {
        // Deleted meanwhile by someone else: that is what we wanted.
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
    return listed;
  }

  listHub(namespace?: string, labelSelector?: string): Promise<readonly KubeObject[]> {
    return listHub(this.core, namespace, labelSelector);
  }

  getHub(name: string, namespace?: string): Promise<KubeObject | undefined> {
    return getHub(this.core, name, namespace);
  }

  /** Maps storage failures to Status errors; StatusErrors pass through. */
  private async guard<T>(verb: string, name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StatusError) throw e;
      if (isStorageError(e, 'Unavailable')) {
        throw new StatusError(
          'Timeout',
          `The ${verb} operation against ${this.kind.plural}.${this.kind.group} could not be completed at this time, please try again.`,
          { name: name || undefined, group: this.kind.group, kind: this.kind.plural, retryAfterSeconds: 2 },
        );
      }
      if (isStorageError(e, 'ValueTooLarge')) throw errors.tooLarge(`Request entity too large: ${e.message}`);
      throw errors.internal(e);
    }
  }
}
