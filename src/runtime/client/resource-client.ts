// A typed REST client for one resource in one version (client-go's typed clients and dynamic
// client, k8s.io/client-go/gentype/type.go). URL layout and query parameters follow
// API-CONTRACT 3; generated clientsets construct one per kind, version and namespace.
import type { IncomingMessage } from 'node:http';
import type { KubeObject, ListMeta, ObjectMeta } from '../api.js';
import type { Status } from '../errors.js';
import type { FieldValidation } from '../registry/interface.js';
import { ClientError } from './errors.js';
import { encodeFieldSelector, encodeLabelSelector, type FieldSelectorInput, type LabelSelectorInput } from './selectors.js';
import type { Query, Transport } from './transport.js';
import { parseWatchEvents, type TypedWatchEvent } from './watch.js';

/** Where a resource lives: what the URL is made of. */
export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  /** Plural resource name, as in the URL. */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** A list of one kind (`<Kind>List`). */
export interface KubeList<T> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** autoscaling/v1 Scale, the body of the /scale subresource. */
export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: ObjectMeta;
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

export interface GetOptions {
  readonly resourceVersion?: string;
  readonly signal?: AbortSignal;
}

export interface ClientListOptions<F extends string = string> {
  readonly labelSelector?: LabelSelectorInput;
  readonly fieldSelector?: FieldSelectorInput<F>;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface ClientWatchOptions<F extends string = string> {
  /** Changes after this version; unset or "0" starts with an ADDED event per existing object. */
  readonly resourceVersion?: string;
  readonly labelSelector?: LabelSelectorInput;
  readonly fieldSelector?: FieldSelectorInput<F>;
  readonly allowWatchBookmarks?: boolean;
  /** The server ends the stream after this long (the iterator then ends cleanly). */
  readonly timeoutSeconds?: number;
  /** Aborting ends the iterator cleanly. */
  readonly signal?: AbortSignal;
}

export interface WriteOptions {
  /** Server dry run (dryRun=All): validate and answer, persist nothing. */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: FieldValidation;
  readonly signal?: AbortSignal;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Default `merge`. `apply` needs `fieldManager`. */
  readonly type?: PatchType;
  /** Apply only: take ownership of conflicting fields. */
  readonly force?: boolean;
}

/** RFC 6902 operation. */
export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly from: string; readonly path: string };

/** An RFC 7386 merge patch of T: every field optional, `null` deletes it, lists are replaced. */
export type MergePatch<T> = { [K in keyof T]?: MergePatchValue<T[K]> };

/** Distributes over unions, so an optional struct field takes a partial struct. */
type MergePatchValue<V> = V extends readonly unknown[] ? V | null : V extends object ? MergePatch<V> | null : V | null;

export interface ClientDeleteOptions {
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly gracePeriodSeconds?: number;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Methods that exist only when the kind has a status subresource. */
export type StatusMethods = 'updateStatus' | 'patchStatus';
/** Methods that exist only when the kind has a scale subresource. */
export type ScaleMethods = 'getScale' | 'updateScale' | 'patchScale';

const seg = (s: string) => encodeURIComponent(s);

function writeQuery(o: WriteOptions | undefined): Query {
  return {
    dryRun: o?.dryRun ? 'All' : undefined,
    fieldManager: o?.fieldManager,
    fieldValidation: o?.fieldValidation,
  };
}

function deleteBody(o: ClientDeleteOptions | undefined): object {
  return {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    ...(o?.propagationPolicy !== undefined ? { propagationPolicy: o.propagationPolicy } : {}),
    ...(o?.preconditions !== undefined ? { preconditions: o.preconditions } : {}),
    ...(o?.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
    ...(o?.dryRun ? { dryRun: ['All'] } : {}),
  };
}

/**
 * The client for one resource. A namespaced resource's client made without a namespace lists
 * and watches across all namespaces, and takes the namespace of the object on create/update;
 * calls that name one object (get, delete, patch...) then need a namespace.
 */
export class ResourceClient<T extends KubeObject, TList extends KubeList<T> = KubeList<T>, F extends string = string> {
  readonly resource: ResourceInfo;
  /** The namespace of this client; undefined for cluster-scoped kinds and all-namespaces clients. */
  readonly namespace: string | undefined;
  readonly #transport: Transport;

  constructor(transport: Transport, resource: ResourceInfo, namespace?: string) {
    this.#transport = transport;
    this.resource = resource;
    this.namespace = resource.namespaced && namespace !== undefined && namespace !== '' ? namespace : undefined;
  }

  /** The same resource in another namespace (undefined: all namespaces). */
  withNamespace(namespace: string | undefined): ResourceClient<T, TList, F> {
    return new ResourceClient<T, TList, F>(this.#transport, this.resource, namespace);
  }

  /** `/apis/g/v[/namespaces/ns]/plural[/name[/sub]]` (core group `/api/v1`). */
  #path(namespace: string | undefined, name?: string, subresource?: string): string {
    const r = this.resource;
    let p = r.group === '' ? `/api/${seg(r.version)}` : `/apis/${seg(r.group)}/${seg(r.version)}`;
    if (r.namespaced && namespace !== undefined) p += `/namespaces/${seg(namespace)}`;
    p += `/${seg(r.plural)}`;
    if (name !== undefined) p += `/${seg(name)}`;
    if (subresource !== undefined) p += `/${subresource}`;
    return p;
  }

  #namespaceFor(action: string, obj?: KubeObject): string | undefined {
    if (!this.resource.namespaced) return undefined;
    const ns = this.namespace ?? obj?.metadata?.namespace;
    if (ns === undefined || ns === '') {
      throw new ClientError(
        'NamespaceRequired',
        `${action} ${this.resource.plural}: the client has no namespace${obj ? ' and the object names none' : ''}: call ${this.resource.plural}(namespace)`,
      );
    }
    return ns;
  }

  #nameOf(action: string, obj: KubeObject): string {
    const name = obj?.metadata?.name;
    if (!name) throw new ClientError('NameRequired', `${action} ${this.resource.plural}: the object has no metadata.name`);
    return name;
  }

  #listQuery(o: ClientListOptions<F> | ClientWatchOptions<F> | undefined): Query {
    const list = o as ClientListOptions<F> | undefined;
    return {
      labelSelector: encodeLabelSelector(o?.labelSelector),
      fieldSelector: encodeFieldSelector(o?.fieldSelector),
      limit: list?.limit,
      continue: list?.continue || undefined,
      resourceVersion: o?.resourceVersion,
      resourceVersionMatch: list?.resourceVersionMatch,
      timeoutSeconds: o?.timeoutSeconds,
    };
  }

  get(name: string, options?: GetOptions): Promise<T> {
    return this.#transport.json<T>({
      method: 'GET',
      path: this.#path(this.#namespaceFor('get'), name),
      query: { resourceVersion: options?.resourceVersion },
      signal: options?.signal,
    });
  }

  /** One page (all items unless `limit` is set); `metadata.continue` names the next page. */
  list(options?: ClientListOptions<F>): Promise<TList> {
    return this.#transport.json<TList>({
      method: 'GET',
      path: this.#path(this.namespace),
      query: this.#listQuery(options),
      signal: options?.signal,
    });
  }

  /**
   * Every matching object, fetched `limit` (default 500, as kubectl) at a time following
   * `continue` tokens. Pages of one traversal come from one snapshot (the server encodes its
   * resourceVersion in the token); an expired token rejects with ExpiredError.
   */
  async *listAll(options?: Omit<ClientListOptions<F>, 'continue'>): AsyncGenerator<T, void, undefined> {
    let token: string | undefined;
    do {
      const page = await this.list({ limit: 500, ...options, continue: token });
      yield* page.items;
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
  }

  create(obj: T, options?: WriteOptions): Promise<T> {
    return this.#transport.json<T>({
      method: 'POST',
      path: this.#path(this.#namespaceFor('create', obj)),
      query: writeQuery(options),
      body: obj,
      signal: options?.signal,
    });
  }

  /** PUT: replaces the object; a stale metadata.resourceVersion rejects with Conflict. */
  update(obj: T, options?: WriteOptions): Promise<T> {
    return this.#transport.json<T>({
      method: 'PUT',
      path: this.#path(this.#namespaceFor('update', obj), this.#nameOf('update', obj)),
      query: writeQuery(options),
      body: obj,
      signal: options?.signal,
    });
  }

  /** PUT /status: only `.status` (and the resourceVersion precondition) is taken. */
  updateStatus(obj: T, options?: WriteOptions): Promise<T> {
    return this.#transport.json<T>({
      method: 'PUT',
      path: this.#path(this.#namespaceFor('update status of', obj), this.#nameOf('update status of', obj), 'status'),
      query: writeQuery(options),
      body: obj,
      signal: options?.signal,
    });
  }

  patch(name: string, body: readonly JsonPatchOperation[], options: PatchOptions & { readonly type: 'json' }): Promise<T>;
  patch(name: string, body: MergePatch<T>, options?: PatchOptions & { readonly type?: 'merge' | 'strategic' | 'apply' }): Promise<T>;
  patch(name: string, body: unknown, options?: PatchOptions): Promise<T> {
    return this.#patch(name, body, options, undefined);
  }

  patchStatus(name: string, body: readonly JsonPatchOperation[], options: PatchOptions & { readonly type: 'json' }): Promise<T>;
  patchStatus(name: string, body: MergePatch<T>, options?: PatchOptions & { readonly type?: 'merge' | 'strategic' | 'apply' }): Promise<T>;
  patchStatus(name: string, body: unknown, options?: PatchOptions): Promise<T> {
    return this.#patch(name, body, options, 'status');
  }

  #patch<R>(name: string, body: unknown, options: PatchOptions | undefined, subresource: string | undefined): Promise<R> {
    const type = options?.type ?? 'merge';
    return this.#transport.json<R>({
      method: 'PATCH',
      path: this.#path(this.#namespaceFor('patch'), name, subresource),
      query: { ...writeQuery(options), force: type === 'apply' && options?.force !== undefined ? options.force : undefined },
      body,
      contentType: patchContentTypes[type],
      signal: options?.signal,
    });
  }

  /**
   * DELETE: resolves to the object when it stays (finalizers set deletionTimestamp) or was
   * returned, or to a Success Status.
   */
  delete(name: string, options?: ClientDeleteOptions): Promise<T | Status> {
    return this.#transport.json<T | Status>({
      method: 'DELETE',
      path: this.#path(this.#namespaceFor('delete'), name),
      body: deleteBody(options),
      signal: options?.signal,
    });
  }

  /** DELETE on the collection (in this client's namespace): every object the selectors match. */
  deleteCollection(options?: ClientDeleteOptions & Omit<ClientListOptions<F>, 'signal'>): Promise<TList | Status> {
    return this.#transport.json<TList | Status>({
      method: 'DELETE',
      path: this.#path(this.#namespaceFor('delete collection of')),
      query: this.#listQuery(options),
      body: deleteBody(options),
      signal: options?.signal,
    });
  }

  getScale(name: string, options?: GetOptions): Promise<Scale> {
    return this.#transport.json<Scale>({
      method: 'GET',
      path: this.#path(this.#namespaceFor('get scale of'), name, 'scale'),
      query: { resourceVersion: options?.resourceVersion },
      signal: options?.signal,
    });
  }

  /** PUT /scale with an autoscaling/v1 Scale (its resourceVersion is a precondition when set). */
  updateScale(name: string, scale: Scale, options?: WriteOptions): Promise<Scale> {
    return this.#transport.json<Scale>({
      method: 'PUT',
      path: this.#path(this.#namespaceFor('update scale of'), name, 'scale'),
      query: writeQuery(options),
      body: scale,
      signal: options?.signal,
    });
  }

  /** PATCH /scale, e.g. `{spec: {replicas: 3}}` as `kubectl scale` sends it. */
  patchScale(name: string, body: MergePatch<Scale>, options?: Omit<PatchOptions, 'type'>): Promise<Scale> {
    return this.#patch<Scale>(name, body, { ...options, type: 'merge' }, 'scale');
  }

  /**
   * Watches for changes. The request starts at once (`opened` settles when the server has
   * answered); iterate the result for events. See {@link Watch}.
   */
  watch(options?: ClientWatchOptions<F>): Watch<T> {
    return new Watch<T>((signal) =>
      this.#transport.stream({
        method: 'GET',
        path: this.#path(this.namespace),
        query: {
          ...this.#listQuery(options),
          watch: 'true',
          allowWatchBookmarks: options?.allowWatchBookmarks ? 'true' : undefined,
        },
        signal,
      }),
      options?.signal,
    );
  }
}

/**
 * A running watch: an async iterator of typed events. It ends (done) when the server closes the
 * stream (timeoutSeconds, shutdown), when the caller breaks out of `for await`, calls `stop()`
 * or aborts the signal given to `watch()`. An ERROR event or an HTTP error makes `next()`
 * reject with the typed error (ExpiredError for 410); a dropped connection rejects with
 * ClientError('Transport').
 */
export class Watch<T> implements AsyncIterableIterator<TypedWatchEvent<T>> {
  /** Settles once the server answered the watch: resolves on 200, rejects with its error. */
  readonly opened: Promise<void>;
  readonly #controller = new AbortController();
  readonly #response: Promise<IncomingMessage>;
  readonly #events: AsyncGenerator<TypedWatchEvent<T>, void, undefined>;
  readonly #onAbort = () => this.stop();
  #external: AbortSignal | undefined;

  constructor(open: (signal: AbortSignal) => Promise<IncomingMessage>, signal?: AbortSignal) {
    this.#external = signal;
    if (signal?.aborted) this.#controller.abort();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#response = this.#controller.signal.aborted
      ? Promise.reject(new ClientError('Transport', 'watch aborted before it started'))
      : open(this.#controller.signal);
    this.opened = this.#response.then(() => undefined);
    // Errors are delivered through next(); these keep an unobserved failure from being unhandled.
    this.#response.catch(() => undefined);
    this.opened.catch(() => undefined);
    this.#events = this.#run();
  }

  get stopped(): boolean {
    return this.#controller.signal.aborted;
  }

  async *#run(): AsyncGenerator<TypedWatchEvent<T>, void, undefined> {
    let res: IncomingMessage | undefined;
    try {
      try {
        res = await this.#response;
      } catch (err) {
        if (this.stopped) return;
        throw err;
      }
      try {
        for await (const event of parseWatchEvents<T>(res)) {
          if (this.stopped) return;
          yield event;
        }
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof Error && !(err instanceof ClientError) && !('code' in err && typeof err.code === 'number')) {
          throw new ClientError('Transport', `watch: the connection broke: ${err.message}`, { cause: err });
        }
        throw err;
      }
    } finally {
      this.#external?.removeEventListener('abort', this.#onAbort);
      res?.destroy();
      this.#controller.abort();
    }
  }

  /** Ends the watch: a pending `next()` resolves done, the connection is closed. */
  stop(): void {
    this.#controller.abort();
    this.#response.then((res) => res.destroy(), () => undefined);
  }

  next(): Promise<IteratorResult<TypedWatchEvent<T>, undefined>> {
    return this.#events.next() as Promise<IteratorResult<TypedWatchEvent<T>, undefined>>;
  }

  async return(): Promise<IteratorResult<TypedWatchEvent<T>, undefined>> {
    this.stop();
    await this.#events.return(undefined);
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
