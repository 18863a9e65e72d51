// The one place that joins the server shell to the layers below it: storage backend, one
// watch cache and one registry store per kind, and the resource routes. Everything else in
// server/ knows only the `Backends` value this returns.
import type { FastifyInstance } from 'fastify';
import type { ApiGroupDefinition } from '../api.js';
import { createAdmissionChain, type AdmissionChain } from '../admission/chain.js';
import { createListers, type HubReader } from '../admission/listers.js';
import { selectAdmissionPlugins } from '../admission/plugins.js';
import { resourceRoutes } from '../endpoints/resources.js';
import type { ResourceStore } from '../registry/interface.js';
import { createResourceStore } from '../registry/store.js';
import { createCachedStorage, openStorage, type CachedStorage, type TlsClientOptions } from '../storage/index.js';
import type { Storage } from '../storage/interface.js';
import type { CompletedConfig } from './options.js';

export interface Backends {
  /** The backend itself: the `storage` health check pings it. */
  readonly storage: Storage;
  /** Registry stores by plural. */
  readonly stores: ReadonlyMap<string, ResourceStore>;
  /** True once every watch cache has synced (the `informer-sync` readiness check). */
  synced(): boolean;
  /** Registers the resource routes (a fastify plugin) on `app`. */
  register(app: FastifyInstance): Promise<void>;
  /** Stops the watch caches, then closes the backend. */
  close(): Promise<void>;
}

/** `etcdTls`: the contents of the --etcd-cafile/--etcd-certfile/--etcd-keyfile files. */
export async function openBackends(group: ApiGroupDefinition, config: CompletedConfig, etcdTls: TlsClientOptions = {}): Promise<Backends> {
  const stores = new Map<string, ResourceStore & HubReader>();
  const admission = admissionChain(group, config, stores);
  const s = config.storage;
  const storage = await openStorage({
    backend: s.backend,
    dataDir: config.dataDir,
    etcdServers: [...s.etcdServers],
    etcdPrefix: s.etcdPrefix,
    etcdTls,
    maxObjectBytes: s.maxObjectBytes,
    sqliteMaxPageCount: s.sqliteMaxPageCount,
  });
  // Keys are `<prefix>/<group>/<resource>/<namespace>/<name>`.
  const keyPrefix = s.etcdPrefix.replace(/\/+$/, '');
  const caches: CachedStorage[] = [];
  // A fixed size replaces the adaptive window (count or age) of the cacher's defaults.
  const watchWindow =
    s.watchCacheSize === undefined
      ? {}
      : { windowEvents: s.watchCacheSize, windowMs: 0, maxWindowEvents: s.watchCacheSize };
  for (const kind of group.kinds) {
    // One watch cache per resource, fed by the backend's watch of the resource's key prefix.
    const cached = createCachedStorage(storage, `${keyPrefix}/${kind.group}/${kind.plural}/`, watchWindow);
    caches.push(cached);
    stores.set(kind.plural, createResourceStore(kind, cached, { prefix: keyPrefix, admission }));
  }
  let synced = caches.length === 0;
  void Promise.all(caches.map((c) => c.ready())).then(
    () => {
      synced = true;
    },
    () => {},
  );
  return {
    storage,
    stores,
    synced: () => synced,
    async register(app) {
      // Even with no kinds: the plugin answers its own paths (415s, 404s) consistently.
      await app.register(resourceRoutes, { group, stores, minRequestTimeoutSeconds: config.minRequestTimeoutSeconds });
    },
    async close() {
      await Promise.allSettled(caches.map((c) => c.close()));
      await storage.close();
    },
  };
}

/**
 * The enabled admission plugins (--enable/--disable-admission-plugins), reading other kinds
 * through listers over `stores` (filled after this, read per request).
 */
function admissionChain(group: ApiGroupDefinition, config: CompletedConfig, stores: ReadonlyMap<string, HubReader>): AdmissionChain | undefined {
  const selection = selectAdmissionPlugins(group.admissionPlugins ?? [], config.admission);
  if (selection.errors.length) throw new Error(selection.errors.join('; '));
  return selection.plugins.length ? createAdmissionChain(selection.plugins, createListers(stores)) : undefined;
}
