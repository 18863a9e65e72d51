// Stores for the admission tests: the registry fixtures' Widget (namespaced, v1 hub + v1beta1)
// and Gadget (cluster-scoped) over one memory backend, each behind its own watch cache as the
// server wires them (src/runtime/server/wiring.ts), with an admission chain over listers.
import type { KindDefinition } from '../../src/runtime/api.js';
import { createAdmissionChain } from '../../src/runtime/admission/chain.js';
import { createListers, type HubReader } from '../../src/runtime/admission/listers.js';
import type { AdmissionPlugin, Operation } from '../../src/runtime/admission/types.js';
import type { ResourceStore } from '../../src/runtime/registry/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import { createCachedStorage, type CachedStorage } from '../../src/runtime/storage/cacher.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import { gadgetKind, group, widgetKind } from '../registry/fixtures.js';

export { ctx, gadgetKind, group, rejection, widget, widgetKind } from '../registry/fixtures.js';

/** Counts the backend reads the caches cannot answer (a spy on the real backend). */
export interface ReadCounter {
  reads: number;
}

export interface Stores {
  readonly widgets: ResourceStore & HubReader;
  readonly gadgets: ResourceStore & HubReader;
  readonly backend: Storage;
  readonly counter: ReadCounter;
  close(): Promise<void>;
}

export async function openStores(plugins: readonly AdmissionPlugin[], kinds: readonly KindDefinition[] = [widgetKind, gadgetKind]): Promise<Stores> {
  const memory = createMemoryStorage({ compactInterval: 0 });
  const counter: ReadCounter = { reads: 0 };
  const backend = countingReads(memory, counter);
  const readers = new Map<string, ResourceStore & HubReader>();
  const chain = createAdmissionChain(plugins, createListers(readers));
  const caches: CachedStorage[] = [];
  for (const kind of kinds) {
    const cache = createCachedStorage(backend, `/registry/${group}/${kind.plural}/`);
    caches.push(cache);
    readers.set(kind.plural, createResourceStore(kind, cache, { admission: chain }));
  }
  await Promise.all(caches.map((c) => c.ready()));
  return {
    widgets: readers.get('widgets')!,
    gadgets: readers.get('gadgets')!,
    backend,
    counter,
    async close() {
      await Promise.all(caches.map((c) => c.close()));
      await memory.close();
    },
  };
}

/** The real memory backend with its get/list calls counted. */
function countingReads(storage: Storage, counter: ReadCounter): Storage {
  return new Proxy(storage, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'get' || prop === 'list') counter.reads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A plugin from plain parts (what defineAdmissionPlugin builds from generated code). */
export function plugin(
  name: string,
  operations: readonly Operation[],
  hooks: Partial<Pick<AdmissionPlugin & { admit: unknown; validate: unknown }, 'admit' | 'validate'>>,
  extra: { kinds?: string[]; enabledByDefault?: boolean } = {},
): AdmissionPlugin {
  return { name, handles: (op: Operation) => operations.includes(op), ...extra, ...hooks } as AdmissionPlugin;
}
