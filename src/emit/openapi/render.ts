// Turns the dialect-neutral paths of operations.ts into OpenAPI v2 or v3 path items.
// Path parameters and `pretty` sit on the path item (shared by its operations, as kube-openapi
// publishes them); everything else on the operation. v2 refers to shared query parameters
// (`#/parameters/<name>`, see sharedParametersV2), as kube's v2 document does, which keeps it
// about half the size; v3 inlines them, because kubectl looks for `fieldValidation` by name in
// the PATCH operation's parameters without resolving references (cli-runtime
// pkg/resource/query_param_verifier_v3.go).
import type { Dialect } from './dialect.js';
import type { OperationSpec, PathSpec } from './operations.js';
import type { JsonObject } from './order.js';
import { pathParameter, type QueryParamName, queryParameter } from './parameters.js';

/** The `paths` object of a document. Two specs with one path is a builder bug. */
export function renderPaths(specs: readonly PathSpec[], d: Dialect): JsonObject {
  const paths: JsonObject = {};
  for (const spec of specs) {
    if (paths[spec.path] !== undefined) throw new Error(`openapi: two path specs for ${spec.path}`);
    const item: JsonObject = {
      parameters: [
        ...spec.pathParams.map((p) => pathParameter(p.name, p.description, d)),
        queryParameterOrRef('pretty', d),
      ],
    };
    for (const op of spec.operations) {
      if (item[op.method] !== undefined) throw new Error(`openapi: two ${op.method} operations on ${spec.path}`);
      item[op.method] = d.version === 'v2' ? operationV2(op, d) : operationV3(op, d);
    }
    paths[spec.path] = item;
  }
  return paths;
}

function queryParameterOrRef(name: QueryParamName, d: Dialect): JsonObject {
  return d.version === 'v2' ? { $ref: `#/parameters/${name}` } : queryParameter(name, d);
}

/** The top-level `parameters` of a v2 document: every query parameter its paths refer to. */
export function sharedParametersV2(specs: readonly PathSpec[], d: Dialect): JsonObject {
  const used = new Set<QueryParamName>(['pretty']);
  for (const spec of specs) for (const op of spec.operations) for (const name of op.query) used.add(name);
  return Object.fromEntries([...used].map((name) => [name, queryParameter(name, d)]));
}

function extensions(op: OperationSpec): JsonObject {
  return {
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version },
  };
}

function operationV2(op: OperationSpec, d: Dialect): JsonObject {
  const parameters: JsonObject[] = op.query.map((name) => queryParameterOrRef(name, d));
  if (op.requestBody !== undefined) {
    parameters.push({ name: 'body', in: 'body', required: op.requestBody.required, schema: d.ref(op.requestBody.definition) });
  }
  const responses: JsonObject = {};
  for (const r of op.responses) {
    responses[String(r.code)] = {
      description: r.description,
      ...(r.definition !== undefined ? { schema: d.ref(r.definition) } : {}),
    };
  }
  return {
    description: op.description,
    operationId: op.operationId,
    tags: [op.tag],
    schemes: ['https'],
    ...(op.requestBody !== undefined ? { consumes: [...op.requestBody.contentTypes] } : {}),
    produces: [...op.produces],
    parameters,
    responses,
    ...extensions(op),
  };
}

function operationV3(op: OperationSpec, d: Dialect): JsonObject {
  const content = (types: readonly string[], definition: string): JsonObject =>
    Object.fromEntries(types.map((type) => [type, { schema: d.ref(definition) }]));
  const responses: JsonObject = {};
  for (const r of op.responses) {
    responses[String(r.code)] = {
      description: r.description,
      ...(r.definition !== undefined ? { content: content(op.produces, r.definition) } : {}),
    };
  }
  return {
    description: op.description,
    operationId: op.operationId,
    tags: [op.tag],
    parameters: op.query.map((name) => queryParameter(name, d)),
    ...(op.requestBody !== undefined
      ? {
          requestBody: {
            content: content(op.requestBody.contentTypes, op.requestBody.definition),
            required: op.requestBody.required,
          },
        }
      : {}),
    responses,
    ...extensions(op),
  };
}
