// The generic plugins k8s.io/apiserver registers for every server (pkg/server/plugins.go), ahead
// of the project's own in the order they run (RecommendedPluginOrder in
// pkg/server/options/admission.go puts NamespaceLifecycle first; it is on by default). It needs
// a core API client (--kubeconfig, or the pod's service account): without one it is registered
// but off, so its name is still known to the flags and standalone servers run as before.
import { namespaceLifecyclePluginName } from './namespace-lifecycle.js';
import type { AdmissionPlugin } from './types.js';

/** Plugins that need a core client, by name, with the flag that provides one. */
export const coreClientPlugins: readonly string[] = [namespaceLifecyclePluginName];

/**
 * Every registered plugin, in the order they run: the generic ones (`generic`, made when a core
 * client exists; an inert, default-off stand-in otherwise), then the project's.
 */
export function registeredAdmissionPlugins(project: readonly AdmissionPlugin[], generic: readonly AdmissionPlugin[] = []): AdmissionPlugin[] {
  const made = new Map(generic.map((p) => [p.name, p]));
  const stand = (name: string): AdmissionPlugin => ({ name, enabledByDefault: false, handles: () => false, admit: () => {} });
  return [...coreClientPlugins.map((n) => made.get(n) ?? stand(n)), ...project];
}

/** The error when --enable-admission-plugins names a plugin that needs a core client and there is none. */
export function missingCoreClient(enabled: readonly string[], haveClient: boolean): string | undefined {
  const needing = enabled.filter((n) => coreClientPlugins.includes(n));
  if (haveClient || needing.length === 0) return undefined;
  return `admission plugin ${needing.join(', ')} needs a core API client: give --kubeconfig (or run in a pod with a service account)`;
}
