// The one place that joins the server shell to the layers below it: storage backend, one
// watch cache and one registry store per kind, and the resource routes. Everything else in
// server/ knows only the `Backends` value this returns.
import type { FastifyInstance } from 'fastify';
import type { ApiGroupDefinition } from '../api.js';
import { createAdmissionChain, type AdmissionChain } from '../admission/chain.js';
import { createListers, type HubReader } from '../admission/listers.js';
import { selectAdmissionPlugins } from '../admission/plugins.js';
import { missingCoreClient, registeredAdmissionPlugins } from '../admission/generic.js';
import { namespaceLifecyclePlugin, namespaceLifecyclePluginName } from '../admission/namespace-lifecycle.js';
import { watchNamespaces, type NamespaceCache } from '../admission/namespaces.js';
import type { KubeClient } from '../auth/kube-client.js';
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

/** The core API client (--kubeconfig) the generic admission plugins read namespaces with, and where their failures go. */
export interface CoreAPI {
  readonly client: KubeClient;
  readonly log: { warn(message: string): void };
}

/** `etcdTls`: the contents of the --etcd-cafile/--etcd-certfile/--etcd-keyfile files. */
export async function openBackends(group: ApiGroupDefinition, config: CompletedConfig, etcdTls: TlsClientOptions = {}, core?: CoreAPI): Promise<Backends> {
  const stores = new Map<string, ResourceStore & HubReader>();
  const { chain: admission, namespaces } = admissionChain(group, config, stores, core);
  const s = config.storage;
  let storage: Storage;
  try {
    storage = await openStorage({
      backend: s.backend,
      dataDir: config.dataDir,
      etcdServers: [...s.etcdServers],
      etcdPrefix: s.etcdPrefix,
      etcdTls,
      maxObjectBytes: s.maxObjectBytes,
      sqliteMaxPageCount: s.sqliteMaxPageCount,
    });
  } catch (e) {
    namespaces?.close(); // the watch of namespaces started above
    throw e;
  }
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
      namespaces?.close();
      await Promise.allSettled(caches.map((c) => c.close()));
      await storage.close();
    },
  };
}

/**
 * The enabled admission plugins (--enable/--disable-admission-plugins), reading other kinds
 * through listers over `stores` (filled after this, read per request). NamespaceLifecycle, when
 * enabled with a core client, comes with the namespace cache it watches (closed with the backends).
 */
function admissionChain(
  group: ApiGroupDefinition,
  config: CompletedConfig,
  stores: ReadonlyMap<string, HubReader>,
  core: CoreAPI | undefined,
): { chain?: AdmissionChain; namespaces?: NamespaceCache } {
  const project = group.admissionPlugins ?? [];
  const noClient = missingCoreClient(config.admission?.enablePlugins ?? [], Boolean(core));
  if (noClient) throw new Error(noClient);
  // On by default once made; a disabled one watches nothing.
  const lifecycleOn = core !== undefined && !config.admission?.disablePlugins.includes(namespaceLifecyclePluginName);
  const namespaces = lifecycleOn ? watchNamespaces(core.client, { onError: (e) => core.log.warn(`NamespaceLifecycle: ${e.message}`) }) : undefined;
  const generic = namespaces && core ? [namespaceLifecyclePlugin(namespaces, core.client)] : [];
  const selection = selectAdmissionPlugins(registeredAdmissionPlugins(project, generic), config.admission);
  if (selection.errors.length) {
    namespaces?.close();
    throw new Error(selection.errors.join('; '));
  }
  const { plugins } = selection;
  return { chain: plugins.length ? createAdmissionChain(plugins, createListers(stores)) : undefined, namespaces };
}
