// Hand-built ApiGroupDefinitions for server tests: a small wardle-like group with one
// namespaced kind (status + scale, in two versions) and one cluster-scoped kind (one
// version), and a group with no kinds. OpenAPI documents are minimal objects.
import type { ApiGroupDefinition, KindDefinition, KindVersionDefinition, KubeObject } from '../../src/runtime/api.js';

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function version(v: string, storage: boolean): KindVersionDefinition {
  return {
    version: v,
    served: true,
    storage,
    schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    validate: () => [],
    applyDefaults: () => {},
  };
}

const identity = {
  toHub: (obj: KubeObject): KubeObject => ({ ...obj, apiVersion: `${group}/v1beta1` }),
  fromHub: (hub: KubeObject, v: string): KubeObject => ({ ...hub, apiVersion: `${group}/${v}` }),
};

export const group = 'wardle.example.com';

export const flunder: KindDefinition = {
  group,
  kind: 'Flunder',
  listKind: 'FlunderList',
  plural: 'flunders',
  singular: 'flunder',
  shortNames: ['fl'],
  categories: ['all'],
  scope: 'Namespaced',
  verbs,
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
  },
  printerColumns: [],
  selectableFields: [],
  storageVersion: 'v1beta1',
  versions: [version('v1beta1', true), version('v1alpha1', false)],
  conversion: identity,
  strategy: {},
};

export const fischer: KindDefinition = {
  group,
  kind: 'Fischer',
  listKind: 'FischerList',
  plural: 'fischers',
  singular: 'fischer',
  shortNames: [],
  categories: [],
  scope: 'Cluster',
  verbs,
  subresources: { status: false },
  printerColumns: [],
  selectableFields: [],
  storageVersion: 'v1alpha1',
  versions: [version('v1alpha1', true)],
  conversion: {
    toHub: (obj) => obj,
    fromHub: (hub) => hub,
  },
  strategy: {},
};

function openapiV3(v: string): Record<string, unknown> {
  return {
    openapi: '3.0.0',
    info: { title: group, version: v },
    paths: {},
    components: { schemas: {} },
  };
}

/** wardle.example.com: v1beta1 (preferred, storage) and v1alpha1; flunders and fischers. */
export const wardleGroup: ApiGroupDefinition = {
  group,
  versions: [
    { version: 'v1beta1', served: true, storage: true },
    { version: 'v1alpha1', served: true, storage: false },
  ],
  preferredVersion: 'v1beta1',
  storageVersion: 'v1beta1',
  kinds: [flunder, fischer],
  openapi: {
    v2: { swagger: '2.0', info: { title: group, version: 'v1beta1' }, paths: {} },
    v3: {
      [`apis/${group}/v1beta1`]: openapiV3('v1beta1'),
      [`apis/${group}/v1alpha1`]: openapiV3('v1alpha1'),
      // Not ours: must never be published in the index (API-CONTRACT 2.1).
      'apis/other.example.com/v1': openapiV3('v1'),
    },
  },
};

/** A group with no kinds: the server shell alone. */
export const emptyGroup: ApiGroupDefinition = {
  group: 'empty.example.com',
  versions: [{ version: 'v1', served: true, storage: true }],
  preferredVersion: 'v1',
  storageVersion: 'v1',
  kinds: [],
  openapi: { v2: { swagger: '2.0', info: { title: 'empty', version: 'v1' }, paths: {} }, v3: { 'apis/empty.example.com/v1': openapiV3('v1') } },
};
