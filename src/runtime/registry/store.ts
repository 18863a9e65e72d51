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
// Copies. A write copies the request's object once (decode); every later stage owns that copy
// and changes it in place (to hub, strategy hooks, storage). The object a write returns is built
// from the stored hub object itself, not by parsing the JSON just written, when that object is
// plain JSON data (see ownedView).
//
// Deletion propagation: Orphan and Foreground are treated like Background (no garbage
// collector runs behind an aggregated server); finalizers still hold objects until removed.
import type {
  FieldError,
  KindDefinition,
  KindVersionDefinition,
  KubeObject,
  ObjectMeta,
  StrategyContext,
} from '../api.js';
import { errors, InvalidFieldsError, isStatusError, StatusError } from '../errors.js';
import type { AdmissionChain } from '../admission/chain.js';
import type { HubReader } from '../admission/listers.js';
import type { MutatingAttributes, Operation, OperationOptions } from '../admission/types.js';
import { isStorageError } from '../storage/interface.js';
import type { KeyValue, Storage, StorageError, StorageEvent } from '../storage/interface.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { compileFieldSet, parseFieldSelector } from './fields.js';
import type { FieldSelector, FieldSet } from './fields.js';
import type {
  DeleteOptions,
  DeleteResult,
  ListQuery,
  ObjectList,
  Preconditions,
  RequestContext,
  ResourceStore,
  UpdateFn,
  UpdateOptions,
  UpdateResult,
  WatchEvent,
  WatchQuery,
  WatchStream,
} from './interface.js';
import { parseLabelSelector } from './labels.js';
import type { LabelSelector } from './labels.js';
import { formatTimestamp, generateName, invalid, newUid, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import {
  continueExpiredMessage,
  listExpiredMessage,
  parseResourceVersion,
  tooLargeResourceVersion,
  validateListOptions,
  validateWatchOptions,
} from './options.js';
import { pruneResource } from './prune.js';
import { EventStream } from './watch-stream.js';

export interface ResourceStoreOptions {
  /** Key prefix; default `/registry`. */
  readonly prefix?: string;
  /** Source of creation and deletion timestamps; default `() => new Date()`. */
  readonly clock?: () => Date;
  /** How long get/list wait for a future resourceVersion before 504 (kube's cacher: 3 s). */
  readonly resourceVersionWaitMs?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 60 000 ms. */
  readonly bookmarkIntervalMs?: number;
  /** Converted objects kept for sharing between reads and watchers; default 10 000. */
  readonly objectCacheSize?: number;
  /** Events a watch consumer may fall behind before it is cut off; default 10 000. */
  readonly maxWatchQueue?: number;
  /**
   * Admission plugins run on create, update (and patch) and delete: mutating ones on the hub
   * object before the strategy and schema validation, validating ones after (as
   * pkg/endpoints/handlers/create.go and update.go order them around the registry store).
   */
  readonly admission?: AdmissionChain;
}

/** Attempts of one write before a persistent storage conflict becomes a 409. */
const maxConflictRetries = 16;
/** store.go maxNameGenerationCreateAttempts. */
const maxNameGenerationAttempts = 8;

type Json = Record<string, unknown>;

/** The store; as a HubReader it feeds admission listers from its (cached) storage. */
export function createResourceStore(kind: KindDefinition, storage: Storage, opts: ResourceStoreOptions = {}): ResourceStore & HubReader {
  return new GenericStore(kind, storage, opts);
}

const RETRY = Symbol('retry');

class GenericStore implements ResourceStore, HubReader {
  readonly kind: KindDefinition;
  private readonly storage: Storage;
  private readonly clock: () => Date;
  private readonly resourcePrefix: string;
  private readonly gr: { group: string; resource: string };
  private readonly namespaced: boolean;
  private readonly versions = new Map<string, KindVersionDefinition>();
  private readonly fieldSet: FieldSet;
  private readonly cache = new Map<string, KubeObject>();
  private readonly cacheSize: number;
  private readonly rvWaitMs: number;
  private readonly bookmarkIntervalMs: number;
  private readonly maxWatchQueue: number;
  private readonly admission?: AdmissionChain;
  private lastTranslated?: { ev: StorageEvent; version: string; out: WatchEvent | undefined };

  constructor(kind: KindDefinition, storage: Storage, opts: ResourceStoreOptions) {
    this.kind = kind;
    this.storage = storage;
    this.clock = opts.clock ?? (() => new Date());
    const prefix = (opts.prefix ?? '/registry').replace(/\/+$/, '');
    this.resourcePrefix = `${prefix}/${kind.group}/${kind.plural}/`;
    this.gr = { group: kind.group, resource: kind.plural };
    this.namespaced = kind.scope === 'Namespaced';
    for (const v of kind.versions) this.versions.set(v.version, v);
    this.fieldSet = compileFieldSet(kind.selectableFields);
    this.cacheSize = opts.objectCacheSize ?? 10_000;
    this.rvWaitMs = opts.resourceVersionWaitMs ?? 3000;
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
    this.maxWatchQueue = opts.maxWatchQueue ?? 10_000;
    this.admission = opts.admission;
  }

  // ---------------------------------------------------------------------------------- reads

  async get(ctx: RequestContext, namespace: string | undefined, name: string, version: string, opts?: { resourceVersion?: string }): Promise<KubeObject> {
    return this.guard('get', name, async () => {
      this.versionDef(version);
      const rv = parseResourceVersion(opts?.resourceVersion, this.gr);
      if (rv) await this.waitForRevision(rv);
      const kv = await this.storage.get(this.keyFor(namespace, name));
      if (!kv) throw errors.notFound(this.gr, name);
      return this.view(kv.key, kv.value, kv.modRevision, version);
    });
  }

  async list(ctx: RequestContext, namespace: string | undefined, version: string, query: ListQuery): Promise<ObjectList> {
    return this.guard('list', '', async () => {
      this.versionDef(version);
      validateListOptions(query);
      const labels = parseLabelSelector(query.labelSelector);
      const fields = parseFieldSelector(query.fieldSelector, this.fieldSet);
      const prefix = this.listPrefix(namespace);
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
        const rv = parseResourceVersion(query.resourceVersion, this.gr);
        if (rv) {
          await this.waitForRevision(rv);
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
          page = await this.storage.list(prefix, { revision: listRevision, limit: limit || undefined, startAfter: after });
        } catch (e) {
          if (isStorageError(e, 'Compacted')) throw errors.expired(expiredMessage);
          if (isStorageError(e, 'TooLarge')) throw tooLargeResourceVersion(listRevision ?? 0, e.revision ?? 0);
          throw e;
        }
        listRevision = page.revision;
        let i = 0;
        for (; i < page.items.length && !(limit && items.length >= limit); i++) {
          const kv = page.items[i];
          if (selecting && !this.matches(kv, labels, fields)) continue;
          items.push(this.view(kv.key, kv.value, kv.modRevision, version));
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
    });
  }

  async watch(ctx: RequestContext, namespace: string | undefined, version: string, query: WatchQuery): Promise<WatchStream> {
    return this.guard('watch', '', async () => {
      this.versionDef(version);
      validateWatchOptions(query);
      const labels = parseLabelSelector(query.labelSelector);
      const fields = parseFieldSelector(query.fieldSelector, this.fieldSet);
      const rv = parseResourceVersion(query.resourceVersion, this.gr);
      const prefix = this.listPrefix(namespace);
      const stream = new EventStream(this.maxWatchQueue);
      let startRevision: number;
      if (!rv) {
        // Unset or "0": the current state as synthetic ADDED events, then changes after it.
        const page = await this.storage.list(prefix);
        startRevision = page.revision;
        for (const kv of page.items) {
          if (this.matches(kv, labels, fields)) stream.push({ type: 'ADDED', object: this.view(kv.key, kv.value, kv.modRevision, version) });
        }
      } else {
        startRevision = rv;
      }
      let lastRevision = startRevision;
      const watcher = this.storage.watch(prefix, { afterRevision: startRevision }, {
        onEvent: (ev) => {
          if (stream.isEnded) return;
          lastRevision = Math.max(lastRevision, ev.revision);
          try {
            const out = labels.empty && fields.empty ? this.translateAll(ev, version, labels, fields) : this.translate(ev, version, labels, fields);
            if (out) stream.push(out);
          } catch (e) {
            stream.push({ type: 'ERROR', object: errors.internal(e).toStatus() as unknown as Json });
            stream.end();
          }
        },
        onError: (err) => this.watchFailed(stream, err, startRevision),
      });
      stream.onStop(() => watcher.stop());
      if (query.allowWatchBookmarks) {
        const timer = setInterval(() => {
          stream.push({
            type: 'BOOKMARK',
            object: {
              apiVersion: `${this.kind.group}/${version}`,
              kind: this.kind.kind,
              metadata: { resourceVersion: String(lastRevision) },
            },
          });
        }, this.bookmarkIntervalMs);
        timer.unref?.();
        stream.onStop(() => clearInterval(timer));
      }
      return stream;
    });
  }

  /**
   * translate() for watchers without selectors, whose result depends only on (event, version):
   * the storage hands the same event to every watcher of a prefix in turn, so the last result
   * is kept and shared (events are never mutated) rather than built again per watcher.
   */
  private translateAll(ev: StorageEvent, version: string, none: LabelSelector, noFields: FieldSelector): WatchEvent | undefined {
    const last = this.lastTranslated;
    if (last && last.ev === ev && last.version === version) return last.out;
    const out = this.translate(ev, version, none, noFields);
    this.lastTranslated = { ev, version, out };
    return out;
  }

  /** The cacher's rule: selectors are applied to the old and new state of every change. */
  private translate(ev: StorageEvent, version: string, labels: LabelSelector, fields: FieldSelector) {
    const prevValue = ev.type === 'delete' ? ev.value : ev.prevValue;
    const prevRevision = ev.prevModRevision;
    const curPasses = ev.type === 'put' && this.matchesHub(this.hubOf(ev.key, ev.value, ev.revision), labels, fields);
    const oldPasses =
      prevValue !== undefined && this.matchesHub(this.hubOf(ev.key, prevValue, prevRevision, ev.revision), labels, fields);
    if (curPasses && !oldPasses) return { type: 'ADDED' as const, object: this.view(ev.key, ev.value, ev.revision, version) };
    if (curPasses && oldPasses) return { type: 'MODIFIED' as const, object: this.view(ev.key, ev.value, ev.revision, version) };
    if (oldPasses) {
      // The last state the watcher saw, with the resourceVersion of the change that removed it.
      return { type: 'DELETED' as const, object: this.view(ev.key, prevValue!, ev.revision, version, 'gone') };
    }
    return undefined;
  }

  private watchFailed(stream: EventStream, err: StorageError, startRevision: number): void {
    if (stream.isEnded) return;
    if (err.code === 'Compacted') {
      const oldest = (err.revision ?? 1) - 1;
      stream.push({
        type: 'ERROR',
        object: errors.expired(`too old resource version: ${startRevision} (${oldest})`).toStatus() as unknown as Json,
      });
    } else if (err.code === 'TooLarge') {
      stream.push({ type: 'ERROR', object: tooLargeResourceVersion(startRevision, err.revision ?? 0).toStatus() as unknown as Json });
    }
    // Other failures (storage closed or gone) end the stream; clients re-watch from their last RV.
    stream.end();
  }

  // ---------------------------------------------------------------------------------- create

  async create(ctx: RequestContext, namespace: string | undefined, version: string, obj: KubeObject): Promise<KubeObject> {
    return this.guard('create', obj?.metadata?.name ?? '', () => this.createObject(ctx, namespace, version, obj, false));
  }

  private async createObject(
    ctx: RequestContext,
    namespace: string | undefined,
    version: string,
    input: KubeObject,
    fromUpdate: boolean,
  ): Promise<KubeObject> {
    const v = this.versionDef(version);
    const obj = this.decode(ctx, input, version, v);
    this.ensureNamespace(obj, namespace);
    // PrepareForCreate of a kind with /status: status cannot be set on create.
    if (this.kind.subresources.status) delete obj.status;
    v.applyDefaults(obj);
    let schemaErrs = v.validate(obj);
    const rvSet = Boolean(obj.metadata.resourceVersion);
    // Create-on-update (apply) ignores a resourceVersion; a plain create refuses it, after
    // validation, as etcd3 store.Create does (an internal error in kube, too).
    if (fromUpdate) delete obj.metadata.resourceVersion;
    const generated = !obj.metadata.name && Boolean(obj.metadata.generateName);
    const sctx = this.strategyContext(ctx, namespace, undefined);
    const requestName = obj.metadata.name ?? '';
    // Mutating admission runs once, on the hub form of the request, before names are generated
    // (handlers/create.go admits before the registry's BeforeCreate). A request that fails its
    // schema is refused first: it has no faithful hub form.
    let admitted: KubeObject | undefined;
    if (!schemaErrs.length && this.admission?.handles('mutating', 'CREATE', this.kind.kind)) {
      admitted = this.toHub(obj, version);
      schemaErrs = await this.admitMutating(ctx, 'CREATE', version, namespace, requestName, admitted, undefined, undefined);
      this.ensureNamespace(admitted, namespace);
    }
    let warned = false;
    let lastError: StatusError | undefined;
    for (let attempt = 0; attempt < (generated ? maxNameGenerationAttempts : 1); attempt++) {
      // Only a generated name can take another attempt, which needs the object as it was.
      const o = generated ? copyJson(admitted ?? obj) : (admitted ?? obj);
      const meta = o.metadata;
      meta.uid = newUid();
      meta.creationTimestamp = formatTimestamp(this.clock());
      if (generated) meta.name = generateName(meta.generateName!);
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
      meta.generation = 1;
      const name = meta.name ?? '';
      if (schemaErrs.length) {
        throw errors.invalid(this.kind.group, this.kind.kind, name, [...validateObjectMeta(meta, this.namespaced), ...schemaErrs]);
      }
      const hub = admitted ? o : this.toHub(o, version);
      this.kind.strategy.prepareForCreate?.(hub, sctx);
      const errs = [...validateObjectMeta(hub.metadata, this.namespaced), ...(this.kind.strategy.validate?.(hub, sctx) ?? [])];
      if (errs.length) throw errors.invalid(this.kind.group, this.kind.kind, name, errs);
      if (!warned) {
        ctx.warnings.push(...(this.kind.strategy.warningsOnCreate?.(hub, sctx) ?? []));
        warned = true;
      }
      this.kind.strategy.canonicalize?.(hub);
      // Validating admission after the strategy, per attempt (store.go create: createValidation).
      if (this.admission?.handles('validating', 'CREATE', this.kind.kind)) {
        await this.admission.validate(this.attributes(ctx, 'CREATE', version, namespace, requestName, hub, undefined, undefined));
      }
      if (rvSet && !fromUpdate) throw errors.internal(new Error('resourceVersion should not be set on objects to be created'));
      const key = this.keyFor(hub.metadata.namespace, hub.metadata.name!);
      const value = serialize(hub);
      if (ctx.dryRun) {
        const existing = await this.storage.get(key);
        if (existing) throw this.alreadyExists(existing, name);
        return this.fromHubObject(hub, undefined, version);
      }
      try {
        const kv = await this.storage.create(key, value);
        return this.ownedView(kv, hub, version);
      } catch (e) {
        if (!isStorageError(e, 'KeyExists')) throw e;
        lastError = this.alreadyExists(await this.storage.get(key), name);
        if (!generated) throw lastError;
      }
    }
    throw lastError!;
  }

  private alreadyExists(existing: KeyValue | undefined, name: string): StatusError {
    const err = errors.alreadyExists(this.gr, name);
    const meta = existing ? (JSON.parse(existing.value) as KubeObject).metadata : undefined;
    if (meta?.deletionTimestamp) return new StatusError('AlreadyExists', `object is being deleted: ${err.message}`, err.details);
    return err;
  }

  // ---------------------------------------------------------------------------------- update

  async update(
    ctx: RequestContext,
    namespace: string | undefined,
    name: string,
    version: string,
    fn: UpdateFn,
    opts: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.guard('update', name, async () => {
      const v = this.versionDef(version);
      const key = this.keyFor(namespace, name);
      for (let attempt = 0; ; attempt++) {
        const cur = await this.storage.get(key);
        if (!cur) {
          if (!opts.allowCreate) throw errors.notFound(this.gr, name);
          // createObject decodes (copies) it.
          const desired = await fn(undefined);
          this.checkName(desired, namespace, name);
          try {
            return { object: await this.createObject(ctx, namespace, version, desired, true), created: true };
          } catch (e) {
            if (isStatusError(e, 'AlreadyExists') && attempt < maxConflictRetries) continue;
            throw e;
          }
        }
        const current = this.view(cur.key, cur.value, cur.modRevision, version);
        const desired = await fn(copyJson(current));
        const result = await this.updateOnce(ctx, namespace, name, version, v, cur, current, desired, opts);
        if (result !== RETRY) return result;
        if (attempt >= maxConflictRetries) throw errors.modified(this.gr, name);
      }
    });
  }

  private async updateOnce(
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
    this.checkName(desired, namespace, name);
    let obj = this.decode(ctx, desired, version, v, () => {
      // Optimistic concurrency before anything else (store.go Update): missing -> 422, since
      // custom resources do not allow unconditional updates; different -> 409.
      const rv = desired.metadata?.resourceVersion;
      if (!rv) {
        throw errors.invalid(this.kind.group, this.kind.plural, name, [
          invalid('metadata.resourceVersion', 0, 'must be specified for an update'),
        ]);
      }
      if (rv !== String(cur.modRevision)) throw errors.modified(this.gr, name);
    });
    this.ensureNamespace(obj, namespace);
    const subresource = opts.subresource;
    if (subresource === 'status') {
      // status_strategy.go: only status (and managedFields) come from the request.
      const next = copyJson(current);
      if (obj.metadata.managedFields !== undefined) next.metadata.managedFields = obj.metadata.managedFields;
      else delete next.metadata.managedFields;
      if ('status' in obj) next.status = obj.status;
      else delete next.status;
      obj = next;
    } else if (this.kind.subresources.status) {
      // strategy.go: the main resource cannot change status when /status exists.
      if ('status' in current) obj.status = copyJson(current.status);
      else delete obj.status;
    }
    v.applyDefaults(obj);
    const schemaErrs = v.validate(obj);
    const old = copyJson(this.hubOf(cur.key, cur.value, cur.modRevision));
    if (schemaErrs.length) {
      throw errors.invalid(this.kind.group, this.kind.kind, name, [
        ...validateObjectMeta(obj.metadata, this.namespaced),
        ...schemaErrs,
      ]);
    }
    const hub = this.toHub(obj, version);
    // Mutating admission before BeforeUpdate (update.go runs it in the object transformers).
    if (this.admission?.handles('mutating', 'UPDATE', this.kind.kind)) {
      const admissionErrs = await this.admitMutating(ctx, 'UPDATE', version, namespace, name, hub, old, subresource);
      if (admissionErrs.length) {
        throw errors.invalid(this.kind.group, this.kind.kind, name, [...validateObjectMeta(hub.metadata, this.namespaced), ...admissionErrs]);
      }
      this.ensureNamespace(hub, namespace);
    }
    const meta = hub.metadata;
    const oldMeta = old.metadata;
    // rest.BeforeUpdate: requests cannot set generation; the strategy bumps it.
    meta.generation = oldMeta.generation;
    if (subresource !== 'status' && !equalIgnoringMetadata(hub, old)) meta.generation = (oldMeta.generation ?? 0) + 1;
    if (meta.generation === undefined) delete meta.generation;
    const sctx = this.strategyContext(ctx, namespace, subresource);
    this.kind.strategy.prepareForUpdate?.(hub, old, sctx);
    if (!meta.uid) meta.uid = oldMeta.uid;
    if (oldMeta.creationTimestamp) meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) {
      meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    }
    const errs: FieldError[] = [
      ...validateObjectMeta(meta, this.namespaced),
      ...validateObjectMetaUpdate(meta, oldMeta),
      ...(this.kind.strategy.validateUpdate?.(hub, old, sctx) ?? []),
    ];
    if (errs.length) throw errors.invalid(this.kind.group, this.kind.kind, name, errs);
    ctx.warnings.push(...(this.kind.strategy.warningsOnUpdate?.(hub, old, sctx) ?? []));
    this.kind.strategy.canonicalize?.(hub);
    // Validating admission after BeforeUpdate (store.go Update: updateValidation).
    if (this.admission?.handles('validating', 'UPDATE', this.kind.kind)) {
      await this.admission.validate(this.attributes(ctx, 'UPDATE', version, namespace, name, hub, old, subresource));
    }

    if (shouldDeleteDuringUpdate(meta, oldMeta)) {
      // The last finalizer is gone from an object being deleted: delete it (store.go
      // errEmptiedFinalizers) and answer with its last stored state.
      if (!ctx.dryRun) {
        try {
          await this.storage.delete(cur.key, cur.modRevision);
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
    if (ctx.dryRun) return { object: this.fromHubObject(hub, cur.modRevision, version), created: false };
    try {
      const kv = await this.storage.update(cur.key, value, cur.modRevision);
      return { object: this.ownedView(kv, hub, version), created: false };
    } catch (e) {
      if (isStorageError(e, 'Conflict') || isStorageError(e, 'KeyNotFound')) return RETRY;
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------- delete

  async delete(ctx: RequestContext, namespace: string | undefined, name: string, version: string, opts: DeleteOptions): Promise<DeleteResult> {
    return this.guard('delete', name, async () => {
      this.versionDef(version);
      const key = this.keyFor(namespace, name);
      for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
        const cur = await this.storage.get(key);
        if (!cur) throw errors.notFound(this.gr, name);
        const hub = this.hubOf(cur.key, cur.value, cur.modRevision);
        this.checkPreconditions(opts.preconditions, hub);
        await this.admitDelete(ctx, version, namespace, name, hub, opts);
        const current = this.view(cur.key, cur.value, cur.modRevision, version);
        try {
          if ((hub.metadata.finalizers ?? []).length > 0) {
            // Finalizers pending: mark as deleting and keep the object (store.go markAsDeleting).
            const marked = copyJson(hub);
            markAsDeleting(marked.metadata, this.clock());
            const value = serialize(marked);
            if (sameStored(cur.value, value)) return { object: current, deleted: false };
            if (ctx.dryRun) return { object: this.fromHubObject(marked, cur.modRevision, version), deleted: false };
            const kv = await this.storage.update(cur.key, value, cur.modRevision);
            return { object: this.view(kv.key, kv.value, kv.modRevision, version), deleted: false };
          }
          if (!ctx.dryRun) await this.storage.delete(cur.key, cur.modRevision);
          return { object: current, deleted: true };
        } catch (e) {
          if (isStorageError(e, 'Conflict')) continue;
          if (isStorageError(e, 'KeyNotFound')) throw errors.notFound(this.gr, name);
          throw e;
        }
      }
      throw errors.modified(this.gr, name);
    });
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

  // ---------------------------------------------------------------------------------- admission

  async listHub(namespace?: string, labelSelector?: string): Promise<readonly KubeObject[]> {
    const labels = parseLabelSelector(labelSelector);
    const page = await this.storage.list(this.listPrefix(this.namespaced ? namespace : undefined));
    const out: KubeObject[] = [];
    for (const kv of page.items) {
      const hub = this.hubOf(kv.key, kv.value, kv.modRevision);
      if (labels.matches(hub.metadata?.labels)) out.push(hub);
    }
    return out;
  }

  async getHub(name: string, namespace?: string): Promise<KubeObject | undefined> {
    const kv = await this.storage.get(this.keyFor(this.namespaced ? namespace : undefined, name));
    return kv ? this.hubOf(kv.key, kv.value, kv.modRevision) : undefined;
  }

  /**
   * Runs the mutating plugins on `hub` (changed in place). When they changed it, it is
   * defaulted and validated again in the hub's schema; returns those schema errors.
   */
  private async admitMutating(
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
    await this.admission!.admit(this.attributes(ctx, operation, version, namespace, name, hub, old, subresource));
    if (deepEqual(before, hub)) return [];
    const storage = this.versions.get(this.kind.storageVersion)!;
    storage.applyDefaults(hub);
    return storage.validate(hub);
  }

  /** rest.AdmissionToValidateObjectDeleteFunc: both stages, no object, the stored one as old. */
  private async admitDelete(
    ctx: RequestContext,
    version: string,
    namespace: string | undefined,
    name: string,
    hub: KubeObject,
    opts: DeleteOptions,
  ): Promise<void> {
    const chain = this.admission;
    if (!chain) return;
    const attrs = () => this.attributes(ctx, 'DELETE', version, namespace, name, undefined, hub, undefined, opts);
    if (chain.handles('mutating', 'DELETE', this.kind.kind)) await chain.admit(attrs());
    if (chain.handles('validating', 'DELETE', this.kind.kind)) await chain.validate(attrs());
  }

  private attributes(
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
    return {
      operation,
      kind: { group: this.kind.group, version, kind: this.kind.kind },
      resource: { group: this.kind.group, version, resource: this.kind.plural },
      subresource: subresource ?? '',
      namespace: this.namespaced ? (namespace ?? '') : '',
      name,
      object,
      oldObject: old,
      user: ctx.user ?? { username: '', groups: [] },
      dryRun: ctx.dryRun,
      options,
    };
  }

  // ---------------------------------------------------------------------------------- helpers

  /** rest.BeforeDelete's early precondition check, with its messages. */
  private checkPreconditions(p: Preconditions | undefined, hub: KubeObject): void {
    if (!p) return;
    const gk = { group: this.kind.group, resource: this.kind.kind };
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

  /**
   * Decoding as the handlers do it: a private copy, metadata present, apiVersion/kind defaulted
   * from the endpoint and checked, `beforePrune` (the update's precondition check), then unknown
   * fields pruned and reported per fieldValidation.
   */
  private decode(ctx: RequestContext, input: KubeObject, version: string, v: KindVersionDefinition, beforePrune?: () => void): KubeObject {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw errors.badRequest(`${this.kind.kind} in version "${version}" cannot be handled as a ${this.kind.kind}: the body must be a JSON object`);
    }
    // The one copy of a write: every later stage owns it and may change it in place.
    const obj = copyJson(input);
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    this.checkMetadataShape(obj, version);
    const expected = `${this.kind.group}/${version}`;
    if (!obj.apiVersion) obj.apiVersion = expected;
    if (!obj.kind) obj.kind = this.kind.kind;
    if (obj.apiVersion !== expected) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (obj.kind !== this.kind.kind) {
      throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.kind.kind})`);
    }
    beforePrune?.();
    const unknown = pruneResource(obj, v.schema);
    if (unknown.length) {
      if (ctx.fieldValidation === 'Strict') {
        const list = unknown.map((p) => `unknown field ${JSON.stringify(p)}`).join(', ');
        throw errors.badRequest(
          `${this.kind.kind} in version "${version}" cannot be handled as a ${this.kind.kind}: strict decoding error: ${list}`,
        );
      }
      if (ctx.fieldValidation === 'Warn') {
        // Conflict retries decode again: report each field once per request.
        for (const p of unknown) {
          const w = `unknown field ${JSON.stringify(p)}`;
          if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
        }
      }
    }
    return obj;
  }

  /** What the JSON decoder into metav1.ObjectMeta would refuse, as a 400. */
  private checkMetadataShape(obj: KubeObject, version: string): void {
    const fail = (why: string) =>
      errors.badRequest(`${this.kind.kind} in version "${version}" cannot be handled as a ${this.kind.kind}: ${why}`);
    const m = obj.metadata as unknown;
    if (typeof m !== 'object' || Array.isArray(m)) throw fail('metadata must be an object');
    const meta = obj.metadata as Record<string, unknown>;
    for (const f of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) {
      if (meta[f] !== undefined && meta[f] !== null && typeof meta[f] !== 'string') throw fail(`metadata.${f} must be a string`);
      if (meta[f] === null) delete meta[f];
    }
    for (const f of ['labels', 'annotations']) {
      const map = meta[f];
      if (map === null) delete meta[f];
      else if (map !== undefined) {
        if (typeof map !== 'object' || Array.isArray(map)) throw fail(`metadata.${f} must be a map of strings`);
        for (const val of Object.values(map as Record<string, unknown>)) {
          if (typeof val !== 'string') throw fail(`metadata.${f} must be a map of strings`);
        }
      }
    }
    for (const f of ['finalizers', 'ownerReferences', 'managedFields']) {
      if (meta[f] === null) delete meta[f];
      else if (meta[f] !== undefined && !Array.isArray(meta[f])) throw fail(`metadata.${f} must be an array`);
    }
    if (Array.isArray(meta.finalizers) && meta.finalizers.some((f) => typeof f !== 'string')) {
      throw fail('metadata.finalizers must be an array of strings');
    }
    for (const f of ['generation', 'deletionGracePeriodSeconds']) {
      if (meta[f] === null) delete meta[f];
      else if (meta[f] !== undefined && (typeof meta[f] !== 'number' || !Number.isInteger(meta[f]))) {
        throw fail(`metadata.${f} must be an integer`);
      }
    }
  }

  /** handlers/rest.go checkName: the body names the object of the URL. */
  private checkName(obj: KubeObject, namespace: string | undefined, name: string): void {
    const objName = obj?.metadata?.name;
    if (!objName) {
      throw errors.badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
    }
    if (objName !== name) throw errors.badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
    const objNamespace = obj.metadata.namespace;
    if (this.namespaced && namespace && objNamespace && objNamespace !== namespace) {
      throw errors.badRequest(`the namespace of the object (${objNamespace}) does not match the namespace on the URL (${namespace})`);
    }
  }

  /** rest.EnsureObjectNamespaceMatchesRequestNamespace. */
  private ensureNamespace(obj: KubeObject, namespace: string | undefined): void {
    const requestNamespace = this.namespaced ? (namespace ?? '') : '';
    const objNamespace = obj.metadata.namespace ?? '';
    if (objNamespace === requestNamespace) return;
    if (objNamespace === '') obj.metadata.namespace = requestNamespace;
    else if (requestNamespace === '') delete obj.metadata.namespace;
    else throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }

  private strategyContext(ctx: RequestContext, namespace: string | undefined, subresource: string | undefined): StrategyContext {
    return { user: ctx.user, namespace: this.namespaced ? namespace : undefined, dryRun: ctx.dryRun, subresource };
  }

  private versionDef(version: string): KindVersionDefinition {
    const v = this.versions.get(version);
    if (!v || !v.served) {
      throw new StatusError('NotFound', 'the server could not find the requested resource', {
        group: this.kind.group,
        kind: this.kind.plural,
      });
    }
    return v;
  }

  private keyFor(namespace: string | undefined, name: string): string {
    // Names never contain '/' (validation); refuse to build keys that would escape the layout.
    if (!name || name.includes('/') || (namespace ?? '').includes('/')) throw errors.notFound(this.gr, name);
    if (!this.namespaced) return `${this.resourcePrefix}${name}`;
    if (!namespace) throw errors.badRequest('a namespace is required for this namespaced resource');
    return `${this.resourcePrefix}${namespace}/${name}`;
  }

  private listPrefix(namespace: string | undefined): string {
    if (this.namespaced && namespace) {
      if (namespace.includes('/')) throw errors.badRequest(`invalid namespace ${JSON.stringify(namespace)}`);
      return `${this.resourcePrefix}${namespace}/`;
    }
    return this.resourcePrefix;
  }

  /** `obj` (owned by the caller, who must not use it afterwards) as the hub version. */
  private toHub(obj: KubeObject, version: string): KubeObject {
    let hub: KubeObject;
    if (version === this.kind.storageVersion) {
      hub = obj;
    } else {
      try {
        hub = this.kind.conversion.toHub(obj);
      } catch (e) {
        // A hand-written conversion may reject what the hub cannot represent.
        if (e instanceof InvalidFieldsError) {
          throw errors.invalid(this.kind.group, this.kind.kind, obj.metadata?.name ?? '', e.fieldErrors);
        }
        if (e instanceof StatusError) throw e;
        throw errors.internal(new Error(`conversion from ${this.kind.group}/${version} to ${this.kind.group}/${this.kind.storageVersion} failed: ${(e as Error).message}`));
      }
    }
    hub.apiVersion = `${this.kind.group}/${this.kind.storageVersion}`;
    hub.kind = this.kind.kind;
    hub.metadata = hub.metadata ?? obj.metadata;
    return hub;
  }

  /**
   * A hub object as `version`, with `revision` as its resourceVersion and defaults applied.
   * `owned`: the caller hands `hub` over (it is changed in place and may become the result);
   * otherwise it is copied first.
   */
  private fromHubObject(hub: KubeObject, revision: number | undefined, version: string, owned = false): KubeObject {
    const h = owned ? hub : copyJson(hub);
    if (revision === undefined) delete h.metadata.resourceVersion;
    else h.metadata.resourceVersion = String(revision);
    let out: KubeObject;
    if (version === this.kind.storageVersion) {
      out = h;
    } else {
      try {
        out = this.kind.conversion.fromHub(h, version);
      } catch (e) {
        throw errors.internal(new Error(`conversion from ${this.kind.group}/${this.kind.storageVersion} to ${this.kind.group}/${version} failed: ${(e as Error).message}`));
      }
      out.metadata = out.metadata ?? h.metadata;
      if (revision !== undefined) out.metadata.resourceVersion = String(revision);
    }
    this.versions.get(version)?.applyDefaults(out);
    out.apiVersion = `${this.kind.group}/${version}`;
    out.kind = this.kind.kind;
    return out;
  }

  /** The stored object as `version`, shared through the cache: never mutate it. */
  private view(key: string, value: string, revision: number, version: string, tag = ''): KubeObject {
    const cacheKey = `${tag}\u0000${version}\u0000${revision}\u0000${key}`;
    let obj = this.cache.get(cacheKey);
    if (!obj) {
      obj = this.fromHubObject(JSON.parse(value) as KubeObject, revision, version, true);
      this.remember(cacheKey, obj);
    }
    return obj;
  }

  /**
   * view() of what a write just stored, built from `hub`, the object `kv.value` was serialized
   * from, instead of parsing that JSON again. The write hands `hub` over. Only when `hub` is
   * plain JSON data (what parsing its JSON would give back, key order included) is it used; an
   * object a strategy hook left with an `undefined`, a Date or shared substructure goes the
   * parsing way, so the result is always what view() would have given.
   */
  private ownedView(kv: KeyValue, hub: KubeObject, version: string): KubeObject {
    const cacheKey = `\u0000${version}\u0000${kv.modRevision}\u0000${kv.key}`;
    let obj = this.cache.get(cacheKey);
    if (obj) return obj;
    if (!isPlainJson(hub) || hub.metadata === undefined) return this.view(kv.key, kv.value, kv.modRevision, version);
    // serialize() left resourceVersion out; fromHubObject appends it, as on the parsed object.
    delete hub.metadata.resourceVersion;
    obj = this.fromHubObject(hub, kv.modRevision, version, true);
    this.remember(cacheKey, obj);
    return obj;
  }

  /** The stored hub object (for selectors and strategy hooks), cached; never mutate it. */
  private hubOf(key: string, value: string, revision: number | undefined, asOf?: number): KubeObject {
    if (revision === undefined) {
      const hub = JSON.parse(value) as KubeObject;
      if (asOf !== undefined) hub.metadata.resourceVersion = String(asOf);
      return hub;
    }
    const cacheKey = `hub\u0000${revision}\u0000${key}`;
    let hub = this.cache.get(cacheKey);
    if (!hub) {
      hub = JSON.parse(value) as KubeObject;
      hub.metadata = hub.metadata ?? {};
      hub.metadata.resourceVersion = String(revision);
      this.remember(cacheKey, hub);
    }
    return hub;
  }

  private remember(cacheKey: string, obj: KubeObject): void {
    this.cache.set(cacheKey, obj);
    if (this.cache.size > this.cacheSize) {
      // Oldest inserted first: Map iteration order.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private matches(kv: KeyValue, labels: LabelSelector, fields: FieldSelector): boolean {
    if (labels.empty && fields.empty) return true;
    return this.matchesHub(this.hubOf(kv.key, kv.value, kv.modRevision), labels, fields);
  }

  private matchesHub(hub: KubeObject, labels: LabelSelector, fields: FieldSelector): boolean {
    if (!labels.matches(hub.metadata?.labels)) return false;
    return fields.empty || fields.matches((f) => this.fieldSet.value(hub, f));
  }

  /** Wait (polling briefly) until the store reaches `revision`; 504 after the wait, as the cacher does. */
  private async waitForRevision(revision: number): Promise<void> {
    const deadline = Date.now() + this.rvWaitMs;
    for (;;) {
      const current = await this.storage.currentRevision();
      if (current >= revision) return;
      const left = deadline - Date.now();
      if (left <= 0) throw tooLargeResourceVersion(revision, current);
      await new Promise((r) => setTimeout(r, Math.min(25, left)));
    }
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
      throw errors.internal(e);
    }
  }
}

/** Two stored values hold the same object (equal text is the common, cheap case). */
function sameStored(a: string, b: string): boolean {
  return a === b || deepEqual(JSON.parse(a), JSON.parse(b));
}

const objectProto = Object.prototype;

/**
 * A deep copy of JSON-like data, as structuredClone would make it, several times faster for
 * plain objects and arrays. Anything else in the tree (a Date, a Map, a class instance, a
 * function, a sparse array, a cycle) makes it fall back to structuredClone of the whole value,
 * so results (and failures) stay structuredClone's.
 */
function copyJson<T>(value: T): T {
  try {
    return copyPlain(value, 0) as T;
  } catch (e) {
    if (e !== notPlain) throw e;
    return structuredClone(value);
  }
}

const notPlain = Symbol('not plain JSON data');
/** Deeper than this is taken for a cycle (structuredClone handles those). */
const maxCopyDepth = 200;

function copyPlain(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'function' || typeof v === 'symbol') throw notPlain;
    return v;
  }
  if (depth > maxCopyDepth) throw notPlain;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw notPlain;
      out[i] = copyPlain(v[i], depth + 1);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== objectProto && proto !== null) throw notPlain;
  const out: Json = {};
  for (const k of Object.keys(v)) {
    // An own `__proto__` key (JSON.parse makes them) would set the copy's prototype instead.
    if (k === '__proto__') throw notPlain;
    out[k] = copyPlain((v as Json)[k], depth + 1);
  }
  return out;
}

/**
 * True when JSON.parse(JSON.stringify(v)) would be a tree equal to `v` in every way a reader
 * can see: plain objects and arrays only, no `undefined`, no non-finite numbers, no object
 * reached twice, no own `__proto__` key. (Key order survives the round trip: JSON.stringify
 * writes keys in the object's own order, integer-like keys first, and JSON.parse keeps it.)
 */
function isPlainJson(root: unknown): boolean {
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return true;
      case 'number':
        return Number.isFinite(v);
      case 'object':
        break;
      default:
        return false;
    }
    if (v === null) return true;
    if (depth > maxCopyDepth || seen.has(v)) return false;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (!(i in v) || !walk(v[i], depth + 1)) return false;
      return true;
    }
    if (Object.getPrototypeOf(v) !== objectProto) return false;
    for (const k of Object.keys(v)) if (k === '__proto__' || !walk((v as Json)[k], depth + 1)) return false;
    return true;
  };
  return walk(root, 0);
}

/** The stored form: the hub object without resourceVersion (the storage revision is it). */
function serialize(hub: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = hub.metadata ?? {};
  return JSON.stringify({ ...hub, metadata: meta });
}

/** store.go markAsDeleting: deletion starts now (unless already started), grace period 0. */
function markAsDeleting(meta: ObjectMeta, now: Date): void {
  if (!meta.deletionTimestamp && (meta.generation ?? 0) > 0) meta.generation = (meta.generation ?? 0) + 1;
  const ts = formatTimestamp(now);
  if (!meta.deletionTimestamp || meta.deletionTimestamp > ts) meta.deletionTimestamp = ts;
  meta.deletionGracePeriodSeconds = 0;
}

/** store.go ShouldDeleteDuringUpdate: the update removed the last finalizer of a deleting object. */
function shouldDeleteDuringUpdate(meta: ObjectMeta, old: ObjectMeta): boolean {
  if ((meta.finalizers ?? []).length > 0) return false;
  if ((old.finalizers ?? []).length === 0) return false;
  if (!old.deletionTimestamp) return false;
  return old.deletionGracePeriodSeconds === undefined || old.deletionGracePeriodSeconds === 0;
}

/** customresource strategy copyNonMetadata: generation counts changes outside metadata. */
function equalIgnoringMetadata(a: KubeObject, b: KubeObject): boolean {
  const { metadata: _a, apiVersion: _av, ...restA } = a;
  const { metadata: _b, apiVersion: _bv, ...restB } = b;
  return deepEqual(restA, restB);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Json)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Json)[k], (b as Json)[k]));
}
