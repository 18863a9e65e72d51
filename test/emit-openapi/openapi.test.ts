// The OpenAPI documents kubectl, client generators and kube-aggregator read
// (API-CONTRACT.md 2; shapes as apiextensions-apiserver pkg/controller/openapi/builder and
// k8s.io/apiserver pkg/endpoints/openapi publish them).
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import type { ProjectIR } from '../../src/model/ir.js';
import { buildOpenAPI, openapiEmitter, PATCH_CONTENT_TYPES } from '../../src/emit/openapi.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';

type Json = Record<string, any>;

const fixtures: [string, ProjectIR][] = [
  ['wardle', wardleIR],
  ['widgets', widgetsIR],
];

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of a document with its path and method. */
function operations(doc: Json): { path: string; method: string; op: Json }[] {
  const out: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of methods) if (item[method] !== undefined) out.push({ path, method, op: item[method] });
  }
  return out;
}

function allDocs(ir: ProjectIR): [string, Json][] {
  const { v2, v3 } = buildOpenAPI(ir);
  return [['v2', v2], ...Object.entries(v3).map(([k, v]): [string, Json] => [`v3 ${k}`, v])];
}

/** Names of the query parameters of an operation, resolving v2's `#/parameters/...` references. */
const queryNames = (op: Json, path: Json, doc: Json): string[] =>
  [...(path.parameters ?? []), ...(op.parameters ?? [])]
    .map((p: Json) => (p.$ref !== undefined ? doc.parameters[p.$ref.replace('#/parameters/', '')] : p))
    .filter((p: Json) => p.in === 'query')
    .map((p: Json) => p.name);

describe.each(fixtures)('OpenAPI of %s', (_name, ir) => {
  const { v2, v3 } = buildOpenAPI(ir);

  it('has one v3 document per served version, keyed apis/<group>/<version>', () => {
    expect(Object.keys(v3).sort()).toEqual(
      ir.versions.filter((v) => v.served).map((v) => `apis/${ir.group}/${v.name}`).sort(),
    );
  });

  it('v2 validates under @apidevtools/swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(v2) as any)).resolves.toBeTruthy();
  });

  it('each v3 document validates under @apidevtools/swagger-parser', async () => {
    for (const doc of Object.values(v3)) {
      expect(doc.openapi).toBe('3.0.0');
      await expect(SwaggerParser.validate(structuredClone(doc) as any)).resolves.toBeTruthy();
    }
  });

  it('every operation has x-kubernetes-group-version-kind (one object) and x-kubernetes-action', () => {
    const actions = new Set(['get', 'list', 'watch', 'post', 'put', 'patch', 'delete', 'deletecollection']);
    for (const [, doc] of allDocs(ir)) {
      for (const { op } of operations(doc)) {
        const gvk = op['x-kubernetes-group-version-kind'];
        expect(Array.isArray(gvk)).toBe(false);
        expect(Object.keys(gvk).sort()).toEqual(['group', 'kind', 'version']);
        expect(actions.has(op['x-kubernetes-action'])).toBe(true);
        expect(op.operationId).toMatch(/^[a-z]+[A-Z][A-Za-z0-9]*$/);
      }
    }
  });

  it('every PATCH declares fieldValidation, dryRun, fieldManager and force, and the patch types', () => {
    for (const [, doc] of allDocs(ir)) {
      const patches = operations(doc).filter((o) => o.method === 'patch');
      expect(patches.length).toBeGreaterThan(0);
      for (const { path, op } of patches) {
        expect(queryNames(op, doc.paths[path], doc)).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager', 'force']));
        const types = doc.swagger === '2.0' ? op.consumes : Object.keys(op.requestBody.content);
        expect([...types].sort()).toEqual([...PATCH_CONTENT_TYPES].sort());
      }
    }
  });

  it('POST and PUT declare dryRun, fieldManager and fieldValidation; lists the list options', () => {
    for (const [, doc] of allDocs(ir)) {
      for (const { path, method, op } of operations(doc)) {
        const names = queryNames(op, doc.paths[path], doc);
        expect(names).toContain('pretty');
        if (method === 'post' || method === 'put') {
          expect(names).toEqual(expect.arrayContaining(['dryRun', 'fieldManager', 'fieldValidation']));
        }
        if (op['x-kubernetes-action'] === 'list') {
          expect(names).toEqual(
            expect.arrayContaining(['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion',
              'resourceVersionMatch', 'watch', 'allowWatchBookmarks', 'sendInitialEvents', 'timeoutSeconds']),
          );
        }
        if (op['x-kubernetes-action'] === 'delete') {
          expect(names).toEqual(expect.arrayContaining(['gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'dryRun']));
        }
      }
    }
  });

  it('component schemas of kinds and lists carry their GVK as an array, and apiVersion/kind/metadata', () => {
    for (const [label, doc] of allDocs(ir)) {
      const schemas: Json = doc.swagger === '2.0' ? doc.definitions : doc.components.schemas;
      const ref = doc.swagger === '2.0' ? '#/definitions/' : '#/components/schemas/';
      const versions = label === 'v2' ? ir.versions.filter((v) => v.served).map((v) => v.name) : [label.split('/').pop()!];
      for (const version of versions) {
        for (const kind of ir.kinds.filter((k) => k.versions.some((kv) => kv.version === version && kv.served))) {
          const base = `${ir.group.split('.').reverse().join('.')}.${version}`;
          const schema = schemas[`${base}.${kind.kind}`];
          expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: ir.group, kind: kind.kind, version }]);
          expect(schema.properties.apiVersion.type).toBe('string');
          expect(schema.properties.kind.type).toBe('string');
          expect(JSON.stringify(schema.properties.metadata)).toContain(`${ref}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`);
          const list = schemas[`${base}.${kind.listKind}`];
          expect(list['x-kubernetes-group-version-kind']).toEqual([{ group: ir.group, kind: kind.listKind, version }]);
          expect(list.properties.items.items).toEqual({ $ref: `${ref}${base}.${kind.kind}` });
        }
      }
      for (const name of ['ObjectMeta', 'ListMeta', 'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions',
        'Preconditions', 'WatchEvent', 'Patch', 'ManagedFieldsEntry', 'OwnerReference', 'Time', 'FieldsV1']) {
        expect(schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${name}`]?.description).toBeTruthy();
      }
      expect(schemas['io.k8s.apimachinery.pkg.runtime.RawExtension']).toBeDefined();
    }
  });

  it('every $ref uses the dialect prefix and resolves', () => {
    for (const [, doc] of allDocs(ir)) {
      const v2 = doc.swagger === '2.0';
      const prefix = v2 ? '#/definitions/' : '#/components/schemas/';
      const schemas: Json = v2 ? doc.definitions : doc.components.schemas;
      const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(0);
      for (const r of refs) {
        if (v2 && r.startsWith('#/parameters/')) {
          expect(doc.parameters[r.slice('#/parameters/'.length)]).toBeDefined();
          continue;
        }
        expect(r.startsWith(prefix)).toBe(true);
        expect(schemas[r.slice(prefix.length)]).toBeDefined();
      }
    }
  });

  it('v3 PATCH operations carry fieldValidation inline: kubectl does not resolve parameter references', () => {
    for (const doc of Object.values(v3)) {
      for (const { op } of operations(doc).filter((o) => o.method === 'patch')) {
        expect(op.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
      }
    }
  });

  it('is deterministic: two builds are byte-identical, and the emitter output too', () => {
    expect(JSON.stringify(buildOpenAPI(structuredClone(ir)))).toBe(JSON.stringify(buildOpenAPI(ir)));
    expect(openapiEmitter.emit(ir)).toEqual(openapiEmitter.emit(structuredClone(ir)));
  });
});

describe('paths and operation IDs (wardle)', () => {
  const { v2, v3 } = buildOpenAPI(wardleIR) as { v2: Json; v3: Record<string, Json> };
  const doc = v3['apis/wardle.example.com/v1alpha1'];

  it('serves namespaced, all-namespaces and cluster-scoped paths', () => {
    expect(Object.keys(doc.paths as Json).sort()).toEqual([
      '/apis/wardle.example.com/v1alpha1/fischers',
      '/apis/wardle.example.com/v1alpha1/fischers/{name}',
      '/apis/wardle.example.com/v1alpha1/flunders',
      '/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders',
      '/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders/{name}',
    ]);
    // Fischer exists in v1alpha1 only.
    expect(Object.keys(v3['apis/wardle.example.com/v1beta1'].paths as Json).some((p) => p.includes('fischers'))).toBe(false);
    expect(Object.keys(v2.paths as Json)).toHaveLength(5 + 3);
  });

  it('names operations as kube does', () => {
    const ids = operations(doc).map((o) => `${o.method} ${o.path.replace('/apis/wardle.example.com/v1alpha1', '')} ${o.op.operationId} ${o.op['x-kubernetes-action']}`);
    expect(ids.sort()).toEqual([
      'delete /fischers deleteWardleExampleComV1alpha1CollectionFischer deletecollection',
      'delete /fischers/{name} deleteWardleExampleComV1alpha1Fischer delete',
      'delete /namespaces/{namespace}/flunders deleteWardleExampleComV1alpha1CollectionNamespacedFlunder deletecollection',
      'delete /namespaces/{namespace}/flunders/{name} deleteWardleExampleComV1alpha1NamespacedFlunder delete',
      'get /fischers listWardleExampleComV1alpha1Fischer list',
      'get /fischers/{name} readWardleExampleComV1alpha1Fischer get',
      'get /flunders listWardleExampleComV1alpha1FlunderForAllNamespaces list',
      'get /namespaces/{namespace}/flunders listWardleExampleComV1alpha1NamespacedFlunder list',
      'get /namespaces/{namespace}/flunders/{name} readWardleExampleComV1alpha1NamespacedFlunder get',
      'patch /fischers/{name} patchWardleExampleComV1alpha1Fischer patch',
      'patch /namespaces/{namespace}/flunders/{name} patchWardleExampleComV1alpha1NamespacedFlunder patch',
      'post /fischers createWardleExampleComV1alpha1Fischer post',
      'post /namespaces/{namespace}/flunders createWardleExampleComV1alpha1NamespacedFlunder post',
      'put /fischers/{name} replaceWardleExampleComV1alpha1Fischer put',
      'put /namespaces/{namespace}/flunders/{name} replaceWardleExampleComV1alpha1NamespacedFlunder put',
    ]);
  });

  it('answers with kube response codes', () => {
    const codes = (path: string, method: string) => Object.keys((doc.paths as Json)[path][method].responses);
    const ns = '/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders';
    expect(codes(ns, 'get')).toEqual(['200', '401']);
    expect(codes(ns, 'post')).toEqual(['200', '201', '202', '401']);
    expect(codes(`${ns}/{name}`, 'put')).toEqual(['200', '201', '401']);
    expect(codes(`${ns}/{name}`, 'patch')).toEqual(['200', '201', '401']);
    expect(codes(`${ns}/{name}`, 'delete')).toEqual(['200', '202', '401']);
  });
});

describe('subresources and schema features (widgets)', () => {
  const { v2, v3 } = buildOpenAPI(widgetsIR) as { v2: Json; v3: Record<string, Json> };
  const doc = v3['apis/demo.example.com/v1'];
  const item = '/apis/demo.example.com/v1/namespaces/{namespace}/widgets/{name}';

  it('serves /status with the kind and /scale with autoscaling/v1 Scale', () => {
    const paths = doc.paths as Json;
    expect(paths[`${item}/status`].patch.operationId).toBe('patchDemoExampleComV1NamespacedWidgetStatus');
    expect(paths[`${item}/status`].get['x-kubernetes-group-version-kind']).toEqual({ group: 'demo.example.com', kind: 'Widget', version: 'v1' });
    expect(paths[`${item}/scale`].get.operationId).toBe('readDemoExampleComV1NamespacedWidgetScale');
    expect(paths[`${item}/scale`].put['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(paths[`${item}/scale`].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale',
    });
    const schemas = doc.components.schemas as Json;
    expect(schemas['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'autoscaling', kind: 'Scale', version: 'v1' },
    ]);
    expect(schemas['io.k8s.api.autoscaling.v1.ScaleSpec']).toBeDefined();
    expect(schemas['io.k8s.api.autoscaling.v1.ScaleStatus']).toBeDefined();
    // Scale is defined only where a kind has a scale subresource: wardle has none.
    expect(buildOpenAPI(wardleIR).v2.definitions).not.toHaveProperty(['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('keeps the user schema in v3: descriptions, required, enum, default, formats, bounds, nullable, x-kubernetes-*', () => {
    const spec = (doc.components.schemas as Json)['com.example.demo.v1.Widget'].properties.spec;
    expect(spec.description).toBe('WidgetSpec is the desired state of a Widget.');
    expect(spec.required).toEqual(['size']);
    expect(spec.properties.size).toEqual({ type: 'integer', format: 'int32', minimum: 0, maximum: 100, description: 'Size of the widget.' });
    expect(spec.properties.color).toEqual({ type: 'string', enum: ['red', 'green', 'blue'], default: 'red' });
    expect(spec.properties.port).toEqual({
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      description: 'A port number or name.',
    });
    expect(spec.properties.note).toEqual({ type: 'string', nullable: true });
    expect(spec.properties.ports['x-kubernetes-list-type']).toBe('map');
    expect(spec.properties.ports['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(spec.properties.ports.items.properties.name.pattern).toBe('^[a-z]([-a-z0-9]*[a-z0-9])?$');
    expect(spec.properties.labels).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
      'x-kubernetes-map-type': 'granular',
    });
    expect(spec.properties.config).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('says in v2 what v2 can: int-or-string as format, no nullable, no anyOf', () => {
    const spec = (v2.definitions as Json)['com.example.demo.v1.Widget'].properties.spec;
    expect(spec.properties.port).toEqual({
      type: 'string',
      format: 'int-or-string',
      'x-kubernetes-int-or-string': true,
      description: 'A port number or name.',
    });
    expect(spec.properties.note).toEqual({});
    expect(JSON.stringify(v2)).not.toMatch(/"nullable"|"anyOf"/);
  });

  it('keeps the description of a $ref in v3 through allOf (siblings of $ref are ignored there)', () => {
    const meta = (doc.components.schemas as Json)['com.example.demo.v1.Widget'].properties.metadata;
    expect(meta.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    expect(meta.description).toMatch(/metadata/);
  });
});

describe('the emitted modules', () => {
  it('are two TypeScript modules at paths.openapiV2() and paths.openapiV3() exporting the documents', async () => {
    const files = openapiEmitter.emit(widgetsIR);
    expect(files.map((f) => f.path)).toEqual(['src/generated/openapi/v2.ts', 'src/generated/openapi/v3.ts']);
    expect(files.every((f) => f.owner === 'generated' && !f.content.includes('Code generated'))).toBe(true);
    const { v2, v3 } = buildOpenAPI(widgetsIR);
    const v2Module = files[0].content;
    expect(v2Module).toContain('export const openapiV2: Record<string, unknown> = ');
    // The modules are printed in prettier's layout (src/emit/openapi.ts), not as JSON: evaluate them.
    const literal = (module: string) => new Function(`return (${module.slice(module.indexOf('= ') + 2, module.lastIndexOf(';'))});`)();
    expect(literal(v2Module)).toEqual(v2);
    const v3Module = files[1].content;
    expect(v3Module).toContain('export const openapiV3: Record<string, Record<string, unknown>> = ');
    expect(literal(v3Module)).toEqual(v3);
  });
});
