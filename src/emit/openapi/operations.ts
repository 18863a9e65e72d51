// The REST operations of every kind in one served version, as a dialect-neutral model that
// render.ts turns into OpenAPI v2 or v3 paths. The set of paths, verbs, operation IDs and
// responses follows what kube-apiserver publishes for a resource (k8s.io/apiserver
// pkg/endpoints/installer.go, and the CRD builder in apiextensions-apiserver
// pkg/controller/openapi/builder/builder.go); the deprecated `/watch/` paths are left out
// (kubectl 1.32 uses `?watch=true`, API-CONTRACT.md 3.1).
import type { KindIR } from '../../model/ir.js';
import {
  LIST_RESPONSE_CONTENT_TYPES,
  PATCH_CONTENT_TYPES,
  REQUEST_CONTENT_TYPES,
  RESPONSE_CONTENT_TYPES,
} from './media-types.js';
import {
  defs,
  definitionName,
  type GroupVersionKind,
  operationGroupVersion,
  operationTag,
  scaleGVK,
  withArticle,
} from './names.js';
import { type QueryParamName, queryParamsByAction } from './parameters.js';

/** `x-kubernetes-action` values (k8s.io/apiserver pkg/endpoints/installer.go). */
export type Action = 'get' | 'list' | 'watch' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  readonly code: number;
  readonly description: string;
  /** Definition name of the body; none for 401. */
  readonly definition?: string;
}

export interface OperationSpec {
  readonly method: HttpMethod;
  readonly operationId: string;
  readonly description: string;
  readonly tag: string;
  readonly action: Action;
  /** ONE object in operations (kubectl finds a kind's PATCH operation by it). */
  readonly gvk: GroupVersionKind;
  readonly query: readonly QueryParamName[];
  readonly requestBody?: {
    readonly definition: string;
    readonly required: boolean;
    readonly contentTypes: readonly string[];
  };
  readonly produces: readonly string[];
  readonly responses: readonly ResponseSpec[];
}

export interface PathParamSpec {
  readonly name: 'namespace' | 'name';
  readonly description: string;
}

export interface PathSpec {
  readonly path: string;
  readonly pathParams: readonly PathParamSpec[];
  readonly operations: readonly OperationSpec[];
}

const unauthorized: ResponseSpec = { code: 401, description: 'Unauthorized' };

/** Every path of one kind in one version (the kind must be served in it). */
export function kindPaths(group: string, version: string, kind: KindIR): PathSpec[] {
  const gv = operationGroupVersion(group, version);
  const tag = operationTag(group, version);
  const gvk: GroupVersionKind = { group, version, kind: kind.kind };
  const objectDef = definitionName(group, version, kind.kind);
  const listDef = definitionName(group, version, kind.listKind);
  const namespaced = kind.scope === 'Namespaced';
  const scopeWord = namespaced ? 'Namespaced' : '';
  const verbs = new Set(kind.verbs);

  const namespaceParam: PathParamSpec = {
    name: 'namespace',
    description: 'The namespace of the objects: the scope of their names and of authorization.',
  };
  const nameParam: PathParamSpec = { name: 'name', description: `Name of the ${kind.kind}.` };
  const collectionParams = namespaced ? [namespaceParam] : [];
  const itemParams = [...collectionParams, nameParam];

  const base = `/apis/${group}/${version}`;
  const collection = namespaced ? `${base}/namespaces/{namespace}/${kind.plural}` : `${base}/${kind.plural}`;
  const item = `${collection}/{name}`;

  /** An operation ID: the verb, the group version, then the rest (`Namespaced<Kind>...`). */
  const opId = (verb: string, rest: string) => `${verb}${gv}${rest}`;

  const list = (operationId: string): OperationSpec => ({
    method: 'get',
    operationId,
    description: `list or watch objects of kind ${kind.kind}`,
    tag,
    action: 'list',
    gvk,
    query: queryParamsByAction.list,
    produces: LIST_RESPONSE_CONTENT_TYPES,
    responses: [{ code: 200, description: 'OK', definition: listDef }, unauthorized],
  });

  const paths: PathSpec[] = [];

  if (namespaced && verbs.has('list')) {
    paths.push({
      path: `${base}/${kind.plural}`,
      pathParams: [],
      operations: [list(opId('list', `${kind.kind}ForAllNamespaces`))],
    });
  }

  const collectionOps: OperationSpec[] = [];
  if (verbs.has('list')) collectionOps.push(list(opId('list', `${scopeWord}${kind.kind}`)));
  if (verbs.has('create')) {
    collectionOps.push({
      method: 'post',
      operationId: opId('create', `${scopeWord}${kind.kind}`),
      description: `create ${withArticle(kind.kind)}`,
      tag,
      action: 'post',
      gvk,
      query: queryParamsByAction.post,
      requestBody: { definition: objectDef, required: true, contentTypes: REQUEST_CONTENT_TYPES },
      produces: RESPONSE_CONTENT_TYPES,
      responses: [
        { code: 200, description: 'OK', definition: objectDef },
        { code: 201, description: 'Created', definition: objectDef },
        { code: 202, description: 'Accepted', definition: objectDef },
        unauthorized,
      ],
    });
  }
  if (verbs.has('deletecollection')) {
    collectionOps.push({
      method: 'delete',
      operationId: opId('delete', `Collection${scopeWord}${kind.kind}`),
      description: `delete collection of ${kind.kind}`,
      tag,
      action: 'deletecollection',
      gvk,
      query: queryParamsByAction.deletecollection,
      requestBody: { definition: defs.deleteOptions, required: false, contentTypes: REQUEST_CONTENT_TYPES },
      produces: RESPONSE_CONTENT_TYPES,
      responses: [{ code: 200, description: 'OK', definition: defs.status }, unauthorized],
    });
  }
  if (collectionOps.length > 0) paths.push({ path: collection, pathParams: collectionParams, operations: collectionOps });

  const itemOps: OperationSpec[] = [];
  if (verbs.has('get')) itemOps.push(...readReplacePatch(['get'], ''));
  if (verbs.has('update')) itemOps.push(...readReplacePatch(['put'], ''));
  if (verbs.has('patch')) itemOps.push(...readReplacePatch(['patch'], ''));
  if (verbs.has('delete')) {
    itemOps.push({
      method: 'delete',
      operationId: opId('delete', `${scopeWord}${kind.kind}`),
      description: `delete ${withArticle(kind.kind)}`,
      tag,
      action: 'delete',
      gvk,
      query: queryParamsByAction.delete,
      requestBody: { definition: defs.deleteOptions, required: false, contentTypes: REQUEST_CONTENT_TYPES },
      produces: RESPONSE_CONTENT_TYPES,
      responses: [
        { code: 200, description: 'OK', definition: defs.status },
        { code: 202, description: 'Accepted', definition: defs.status },
        unauthorized,
      ],
    });
  }
  if (itemOps.length > 0) paths.push({ path: item, pathParams: itemParams, operations: itemOps });

  // Subresources are served with get, update and patch, whatever the main resource's verbs.
  if (kind.subresources.status) {
    paths.push({
      path: `${item}/status`,
      pathParams: itemParams,
      operations: readReplacePatch(['get', 'put', 'patch'], 'status'),
    });
  }
  if (kind.subresources.scale !== undefined) {
    paths.push({
      path: `${item}/scale`,
      pathParams: itemParams,
      operations: readReplacePatch(['get', 'put', 'patch'], 'scale'),
    });
  }
  return paths;

  /**
   * get/put/patch of the object or of a subresource. A typed server tags scale operations with
   * autoscaling/v1 Scale, the kind they read and write (installer.go takes the GVK from the
   * subresource's storage).
   */
  function readReplacePatch(methods: readonly ('get' | 'put' | 'patch')[], subresource: '' | 'status' | 'scale'): OperationSpec[] {
    const isScale = subresource === 'scale';
    const bodyDef = isScale ? defs.scale : objectDef;
    const opGvk = isScale ? scaleGVK : gvk;
    const suffix = subresource === '' ? '' : subresource[0].toUpperCase() + subresource.slice(1);
    const of = subresource === '' ? '' : ` ${subresource} of`;
    const rest = `${scopeWord}${kind.kind}${suffix}`;
    return methods.map((method): OperationSpec => {
      switch (method) {
        case 'get':
          return {
            method,
            operationId: opId('read', rest),
            description: `read${of} the specified ${kind.kind}`,
            tag,
            action: 'get',
            gvk: opGvk,
            query: queryParamsByAction.get,
            produces: RESPONSE_CONTENT_TYPES,
            responses: [{ code: 200, description: 'OK', definition: bodyDef }, unauthorized],
          };
        case 'put':
          return {
            method,
            operationId: opId('replace', rest),
            description: `replace${of} the specified ${kind.kind}`,
            tag,
            action: 'put',
            gvk: opGvk,
            query: queryParamsByAction.put,
            requestBody: { definition: bodyDef, required: true, contentTypes: REQUEST_CONTENT_TYPES },
            produces: RESPONSE_CONTENT_TYPES,
            responses: [
              { code: 200, description: 'OK', definition: bodyDef },
              { code: 201, description: 'Created', definition: bodyDef },
              unauthorized,
            ],
          };
        case 'patch':
          return {
            method,
            operationId: opId('patch', rest),
            description: `partially update${of} the specified ${kind.kind}`,
            tag,
            action: 'patch',
            gvk: opGvk,
            query: queryParamsByAction.patch,
            requestBody: { definition: defs.patch, required: true, contentTypes: PATCH_CONTENT_TYPES },
            produces: RESPONSE_CONTENT_TYPES,
            responses: [
              { code: 200, description: 'OK', definition: bodyDef },
              { code: 201, description: 'Created', definition: bodyDef },
              unauthorized,
            ],
          };
      }
    });
  }
}
