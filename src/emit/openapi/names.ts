// Names in the OpenAPI documents, derived the way kube-apiserver derives them, so clients that
// generate code from the documents (and people reading them) find the usual shapes:
// - definition names reverse the group's DNS labels (`com.example.wardle.v1alpha1.Flunder`), as
//   the CRD OpenAPI builder names them (apiextensions-apiserver pkg/controller/openapi/builder);
// - operation IDs are verb + group + version + rest (`listWardleExampleComV1alpha1NamespacedFlunder`),
//   as k8s.io/apiserver pkg/endpoints/openapi (GetOperationIDAndTags) builds them.

/** A group/version/kind as the `x-kubernetes-group-version-kind` extension spells it. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Definitions of k8s.io/apimachinery meta/v1 and friends, by their published names. */
export const metaV1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const defs = {
  objectMeta: `${metaV1}.ObjectMeta`,
  listMeta: `${metaV1}.ListMeta`,
  status: `${metaV1}.Status`,
  statusDetails: `${metaV1}.StatusDetails`,
  statusCause: `${metaV1}.StatusCause`,
  deleteOptions: `${metaV1}.DeleteOptions`,
  preconditions: `${metaV1}.Preconditions`,
  watchEvent: `${metaV1}.WatchEvent`,
  patch: `${metaV1}.Patch`,
  managedFieldsEntry: `${metaV1}.ManagedFieldsEntry`,
  ownerReference: `${metaV1}.OwnerReference`,
  time: `${metaV1}.Time`,
  fieldsV1: `${metaV1}.FieldsV1`,
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  scale: 'io.k8s.api.autoscaling.v1.Scale',
  scaleSpec: 'io.k8s.api.autoscaling.v1.ScaleSpec',
  scaleStatus: 'io.k8s.api.autoscaling.v1.ScaleStatus',
} as const;

/** The GVK of the autoscaling/v1 Scale that `/scale` subresources read and write. */
export const scaleGVK: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** `wardle.example.com` -> `com.example.wardle`. */
export function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

/** Definition name of a kind (or list kind) in a version of the group. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${reversedGroup(group)}.${version}.${kind}`;
}

/**
 * An identifier from a name with dots, dashes and the like: letters, underscores and (except
 * first) digits are kept, anything else is dropped and capitalizes the next kept character.
 * `wardle.example.com` -> `wardleExampleCom` (or `WardleExampleCom` with `upperFirst`).
 */
export function identifier(name: string, upperFirst: boolean): string {
  let out = '';
  let upper = upperFirst;
  for (const ch of name) {
    const keep = /\p{L}|_/u.test(ch) || (out !== '' && /[0-9]/.test(ch));
    if (!keep) {
      upper = true;
      continue;
    }
    out += upper ? ch.toUpperCase() : ch;
    upper = false;
  }
  return out;
}

/** kube drops `.k8s.io` from group names in operation IDs and tags. */
function groupForIds(group: string): string {
  return group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
}

/** `WardleExampleComV1alpha1`: what follows the verb in every operation ID of a group version. */
export function operationGroupVersion(group: string, version: string): string {
  return identifier(groupForIds(group), true) + identifier(version, true);
}

/** `wardleExampleCom_v1alpha1`: the tag of every operation of a group version. */
export function operationTag(group: string, version: string): string {
  return `${identifier(groupForIds(group), false)}_${identifier(version, false)}`;
}

/** `a Flunder`, `an Example`: the article kube's operation descriptions put before a kind. */
export function withArticle(kind: string): string {
  return (/^[AEIOU]/i.test(kind) ? 'an ' : 'a ') + kind;
}
