// NamespaceLifecycle, as k8s.io/apiserver pkg/admission/plugin/namespace/lifecycle/admission.go
// runs it in an aggregated server (sample-apiserver): writes of namespaced objects are checked
// against the core API's namespaces. Not found in the watched cache: wait 50 ms for the cache to
// catch up (creates only), then ask kube-apiserver directly before refusing with its 404
// `namespaces "x" not found`. A create in a Terminating namespace is 403 Forbidden with a
// NamespaceTerminating cause. Deletes always pass, as do cluster-scoped kinds. The immortal
// namespaces and the force-live-lookup list concern deletes of Namespace objects, which an
// aggregated server never serves.
import type { KubeClient } from '../auth/kube-client.js';
import { errors, StatusError } from '../errors.js';
import { admissionForbidden } from './errors.js';
import type { NamespaceCache, NamespaceObject } from './namespaces.js';
import type { MutatingAttributes, MutatingPlugin } from './types.js';

export const namespaceLifecyclePluginName = 'NamespaceLifecycle';

export interface NamespaceLifecycleOptions {
  /** missingNamespaceWait: 50 ms upstream. */
  readonly missingNamespaceWaitMs?: number;
  /** How long a request waits for the first list (admission.Handler WaitForReady): 10 s. */
  readonly readyTimeoutMs?: number;
}

export function namespaceLifecyclePlugin(cache: NamespaceCache, client: KubeClient, opts: NamespaceLifecycleOptions = {}): MutatingPlugin {
  const wait = opts.missingNamespaceWaitMs ?? 50;
  const readyTimeout = opts.readyTimeoutMs ?? 10_000;
  return Object.freeze({
    name: namespaceLifecyclePluginName,
    handles: (op: string) => op === 'CREATE' || op === 'UPDATE' || op === 'DELETE',
    enabledByDefault: true,
    async admit(a: MutatingAttributes) {
      if (!a.namespace || a.operation === 'DELETE') return;
      if (!(await cache.waitForReady(readyTimeout))) throw admissionForbidden(a, new Error('not yet ready to handle request'));
      let ns = cache.get(a.namespace);
      if (!ns && a.operation === 'CREATE') {
        // Gives the cache time to see a namespace created just before its first object.
        await sleep(wait);
        ns = cache.get(a.namespace);
      }
      ns ??= await liveGet(client, a.namespace);
      if (a.operation === 'CREATE' && ns.status?.phase === 'Terminating') throw terminating(a);
    },
  });
}

/** The last resort: a GET of the namespace from kube-apiserver itself. */
async function liveGet(client: KubeClient, name: string): Promise<NamespaceObject> {
  let res;
  try {
    res = await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`);
  } catch (e) {
    throw errors.internal(e);
  }
  if (res.status === 200) return res.body as NamespaceObject;
  if (res.status === 404) throw new StatusError('NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
  const b = res.body as { message?: unknown } | undefined;
  throw errors.internal(typeof b?.message === 'string' ? b.message : `GET namespace ${name}: HTTP ${res.status}`);
}

function terminating(a: MutatingAttributes): StatusError {
  const err = admissionForbidden(a, new Error(`unable to create new content in namespace ${a.namespace} because it is being terminated`));
  const details = err.details ?? {};
  return new StatusError(err.reason, err.message, {
    ...details,
    causes: [...(details.causes ?? []), { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }],
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
