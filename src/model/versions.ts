// Kubernetes version ordering: apimachinery's version.CompareKubeAwareVersionStrings
// (k8s.io/apimachinery/pkg/version/helpers.go), used for discovery order, the default
// preferred version and APIService versionPriority.

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;
const STABILITY = { alpha: 0, beta: 1, ga: 2 } as const;

interface Parsed {
  readonly major: number;
  readonly stability: number;
  readonly minor: number;
}

function parse(v: string): Parsed | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const stability = m[2] === 'alpha' ? STABILITY.alpha : m[2] === 'beta' ? STABILITY.beta : STABILITY.ga;
  return { major: Number(m[1]), stability, minor: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * Sort comparator, most preferred first: GA before beta before alpha, then the higher major
 * version, then the higher minor version; versions that are not Kubernetes-like (`foo1`) come
 * after all others, in alphabetical order. e.g. v10, v2, v1, v11beta2, v10beta3, v3beta1,
 * v12alpha1, v11alpha2, foo1, foo10.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (!pa) return 1;
  if (!pb) return -1;
  return pb.stability - pa.stability || pb.major - pa.major || pb.minor - pa.minor;
}

/** Names sorted most preferred first (a copy). */
export function sortByKubePriority(names: readonly string[]): string[] {
  return [...names].sort(compareKubeAwareVersions);
}

/**
 * APIService spec.versionPriority for versions listed most preferred first: 100, 90, 80, ...
 * With more than 10 versions the step shrinks so that the last stays >= 1; past 100 versions
 * the tail shares priority 1 (kube-aggregator then orders ties by version name, the same order).
 */
export function versionPriorities(count: number): number[] {
  const step = count <= 1 ? 10 : Math.max(1, Math.min(10, Math.floor(99 / (count - 1))));
  return Array.from({ length: count }, (_, i) => Math.max(1, 100 - step * i));
}
