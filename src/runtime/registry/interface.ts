// What HTTP handlers call (k8s.io/apiserver pkg/registry/rest interfaces, narrowed to what we
// serve). Handlers never touch storage; the registry never knows HTTP. Objects going in and
// out are in the request's version; the registry converts to and from the hub (storage
// version) itself. Objects returned may be shared with the watch cache: never mutate them.
import type { KindDefinition, KubeObject, ListMeta, UserInfo } from '../api.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface RequestContext {
  readonly user?: UserInfo;
  readonly dryRun: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation: FieldValidation;
  /** Warnings to send back as `Warning: 299 - "..."` headers; the registry appends to it. */
  readonly warnings: string[];
  /**
   * Create-on-update (an apply patch of a missing object): the create authorization, asked
   * before validating admission, as handlers/patch.go wraps createValidation. Rejects with the 403.
   */
  readonly authorizeCreate?: () => Promise<void>;
}

export interface ListQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Only valid on watches; refused with 422 on lists (kube's ListOptions validation). */
  readonly sendInitialEvents?: boolean;
}

export interface WatchQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Unset or "0" (without sendInitialEvents): synthetic ADDED events for current objects first, then changes. */
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  /** Only `NotOlderThan`, and only with sendInitialEvents (kube's ListOptions rules). */
  readonly resourceVersionMatch?: string;
  /**
   * Watch-list (KEP-3157). true: the state not older than resourceVersion as ADDED events, then
   * (with allowWatchBookmarks) a BOOKMARK annotated `k8s.io/initial-events-end: "true"`, then
   * changes. false: changes only, from resourceVersion or, when it is unset or "0", from now.
   */
  readonly sendInitialEvents?: boolean;
}

export interface ObjectList {
  readonly items: readonly KubeObject[];
  readonly metadata: ListMeta;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** The object in the watched version; a metav1.Status for ERROR. */
  readonly object: KubeObject | Record<string, unknown>;
}

/** A live watch. Iterating ends when the watch is stopped or after an ERROR event. */
export interface WatchStream extends AsyncIterable<WatchEvent> {
  stop(): void;
  /**
   * Push delivery instead of iteration (one or the other): events reach `sink` synchronously as
   * they happen, with no promise per event, which is what a fan-out to thousands of watchers
   * needs.
   */
  consume(sink: WatchSink): WatchConsumer;
}

export interface WatchSink {
  /** One event; returning false pauses delivery (events queue) until `resume()`. */
  event(event: WatchEvent): boolean;
  /** The watch has ended and every event was delivered. Called once. */
  end(): void;
}

export interface WatchConsumer {
  /** Deliver what queued while paused, then go on live. */
  resume(): void;
}

export interface Preconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface DeleteOptions {
  readonly preconditions?: Preconditions;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly gracePeriodSeconds?: number;
}

export interface DeleteResult {
  /** The object as deleted, or (with finalizers pending) as updated with deletionTimestamp. */
  readonly object: KubeObject;
  /** False when finalizers keep the object until they are removed. */
  readonly deleted: boolean;
}

/**
 * Computes the desired object from the current one (undefined when absent). Throw a
 * StatusError to abort. Called again with a fresh object after a storage conflict unless the
 * result carries an explicit resourceVersion (then the conflict goes to the caller as 409).
 */
export type UpdateFn = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

export interface UpdateOptions {
  /** `status` or `scale` for subresource writes; absent for the main resource. */
  readonly subresource?: string;
  /** Create when absent (apply patches; PUT when the kind allows create-on-update). */
  readonly allowCreate?: boolean;
}

export interface UpdateResult {
  readonly object: KubeObject;
  readonly created: boolean;
}

export interface CreateOptions {
  /**
   * The caller hands `obj` over: plain JSON data (as JSON.parse returns it: no shared
   * substructure) that nothing else holds or uses afterwards. The store then works on it in
   * place instead of making its private copy first.
   */
  readonly handOver?: boolean;
}

/** One kind's REST storage, as the endpoint layer sees it. */
export interface ResourceStore {
  readonly kind: KindDefinition;

  get(ctx: RequestContext, namespace: string | undefined, name: string, version: string, opts?: { resourceVersion?: string }): Promise<KubeObject>;

  /** `namespace` undefined lists across all namespaces (or a cluster-scoped kind). */
  list(ctx: RequestContext, namespace: string | undefined, version: string, query: ListQuery): Promise<ObjectList>;

  watch(ctx: RequestContext, namespace: string | undefined, version: string, query: WatchQuery): Promise<WatchStream>;

  create(ctx: RequestContext, namespace: string | undefined, version: string, obj: KubeObject, opts?: CreateOptions): Promise<KubeObject>;

  /** Update (PUT) and patch both go through here, as GuaranteedUpdate does upstream. */
  update(ctx: RequestContext, namespace: string | undefined, name: string, version: string, fn: UpdateFn, opts?: UpdateOptions): Promise<UpdateResult>;

  delete(ctx: RequestContext, namespace: string | undefined, name: string, version: string, opts: DeleteOptions): Promise<DeleteResult>;

  deleteCollection(ctx: RequestContext, namespace: string | undefined, version: string, query: ListQuery, opts: DeleteOptions): Promise<ObjectList>;
}
