// What every part of the generic registry store shares, as the fields of store.go's Store are
// shared by its methods: the kind, its storage and key layout, the completed options, and the
// object views. The verbs live in their own modules (reads, watch, create, update, delete)
// as functions of this core; store.ts composes them.
import type { KindDefinition, KindVersionDefinition, StrategyContext } from '../api.js';
import { errors, StatusError } from '../errors.js';
import type { AdmissionChain } from '../admission/chain.js';
import type { Storage } from '../storage/interface.js';
import { compileFieldSet } from './fields.js';
import type { FieldSet } from './fields.js';
import type { RequestContext } from './interface.js';
import { ObjectViews } from './views.js';

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
export const maxConflictRetries = 16;

export class StoreCore {
  readonly kind: KindDefinition;
  readonly storage: Storage;
  readonly clock: () => Date;
  readonly gr: { group: string; resource: string };
  readonly namespaced: boolean;
  readonly fieldSet: FieldSet;
  readonly views: ObjectViews;
  readonly rvWaitMs: number;
  readonly bookmarkIntervalMs: number;
  readonly maxWatchQueue: number;
  readonly admission?: AdmissionChain;
  private readonly resourcePrefix: string;
  private readonly versions = new Map<string, KindVersionDefinition>();

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
    this.views = new ObjectViews(kind, this.versions, opts.objectCacheSize ?? 10_000);
    this.rvWaitMs = opts.resourceVersionWaitMs ?? 3000;
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
    this.maxWatchQueue = opts.maxWatchQueue ?? 10_000;
    this.admission = opts.admission;
  }

  /** The served version `version`; 404 as for an unknown resource otherwise. */
  versionDef(version: string): KindVersionDefinition {
    const v = this.versions.get(version);
    if (!v || !v.served) {
      throw new StatusError('NotFound', 'the server could not find the requested resource', {
        group: this.kind.group,
        kind: this.kind.plural,
      });
    }
    return v;
  }

  /** The storage (hub) version, served or not. */
  storageVersionDef(): KindVersionDefinition {
    return this.versions.get(this.kind.storageVersion)!;
  }

  keyFor(namespace: string | undefined, name: string): string {
    // Names never contain '/' (validation); refuse to build keys that would escape the layout.
    if (!name || name.includes('/') || (namespace ?? '').includes('/')) throw errors.notFound(this.gr, name);
    if (!this.namespaced) return `${this.resourcePrefix}${name}`;
    if (!namespace) throw errors.badRequest('a namespace is required for this namespaced resource');
    return `${this.resourcePrefix}${namespace}/${name}`;
  }

  listPrefix(namespace: string | undefined): string {
    if (this.namespaced && namespace) {
      if (namespace.includes('/')) throw errors.badRequest(`invalid namespace ${JSON.stringify(namespace)}`);
      return `${this.resourcePrefix}${namespace}/`;
    }
    return this.resourcePrefix;
  }

  strategyContext(ctx: RequestContext, namespace: string | undefined, subresource: string | undefined): StrategyContext {
    return { user: ctx.user, namespace: this.namespaced ? namespace : undefined, dryRun: ctx.dryRun, subresource };
  }
}
