// KubeConfig comes from @kubernetes/client-node so every kubeconfig auth method works. It is
// loaded lazily: the package takes most of a second to import, and servers that import
// aa-gen/runtime but never act as a client should not pay for it.
import type { KubeConfig } from '@kubernetes/client-node';

export type { KubeConfig };

/**
 * A KubeConfig read from `file`, or, without one, the way kubectl finds it ($KUBECONFIG,
 * ~/.kube/config, then the in-cluster service account).
 */
export async function loadKubeConfig(file?: string): Promise<KubeConfig> {
  const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
  const kc = new KubeConfigClass();
  if (file !== undefined) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}
