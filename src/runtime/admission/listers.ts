// AdmissionListers for admission plugins, as the informer listers sample-apiserver's plugins get through
// their initializer: reads served by each resource's watch cache (the registry store's
// storage), in the hub version, without a storage round trip once the cache has synced.
import type { KubeObject } from '../api.js';
import type { DeepReadonly, AdmissionLister, AdmissionListers } from './types.js';

/** What a registry store offers listers: its stored hub objects, shared: never mutated. */
export interface HubReader {
  listHub(namespace?: string, labelSelector?: string): Promise<readonly KubeObject[]>;
  getHub(name: string, namespace?: string): Promise<KubeObject | undefined>;
}

/**
 * AdmissionListers over `readers` (plural -> store). The map is read on each call, so it may be filled
 * after the listers are made (stores need the admission chain, the chain needs listers).
 */
export function createListers(readers: ReadonlyMap<string, HubReader>): AdmissionListers {
  const made = new Map<string, AdmissionLister>();
  return {
    get(plural: string) {
      let lister = made.get(plural);
      if (!lister) {
        const reader = () => {
          const r = readers.get(plural);
          if (!r) throw new Error(`no lister for resource ${JSON.stringify(plural)}: the group has ${[...readers.keys()].sort().join(', ') || 'no resources'}`);
          return r;
        };
        reader(); // unknown plurals fail where the plugin asks, not at first use
        lister = {
          list: async (opts) => (await reader().listHub(opts?.namespace, opts?.labelSelector)) as readonly DeepReadonly<KubeObject>[],
          get: async (name, namespace) => (await reader().getHub(name, namespace)) as DeepReadonly<KubeObject> | undefined,
        };
        made.set(plural, lister);
      }
      return lister;
    },
  } as AdmissionListers;
}
