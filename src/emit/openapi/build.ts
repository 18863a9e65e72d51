// The OpenAPI documents of a project, as plain data: one Swagger 2.0 document of the whole
// group (served at /openapi/v2) and one OpenAPI 3.0 document per served version (served at
// /openapi/v3/apis/<group>/<version>, API-CONTRACT.md 2). Pure: the emitter serializes what
// this returns, and tests validate it.
import type { KindIR, KindVersionIR, ProjectIR } from '../../model/ir.js';
import { type Dialect, openapi3, swagger2 } from './dialect.js';
import { metaDefinitions, scaleDefinitions } from './meta-definitions.js';
import { definitionName } from './names.js';
import { kindPaths, type PathSpec } from './operations.js';
import { type JsonObject, sortKeysDeep } from './order.js';
import { renderPaths, sharedParametersV2 } from './render.js';
import { kindSchema, listSchema } from './schema.js';

export interface OpenAPIDocuments {
  /** Swagger 2.0 document of every served version of the group. */
  readonly v2: JsonObject;
  /** OpenAPI 3.0 documents keyed by `apis/<group>/<version>`, one per served version. */
  readonly v3: Record<string, JsonObject>;
}

/** A kind as served in a version. */
interface ServedKind {
  readonly version: string;
  readonly kind: KindIR;
  readonly kindVersion: KindVersionIR;
}

/** The served versions of the group, in the IR's order (preferred first). */
function servedVersions(ir: ProjectIR): string[] {
  return ir.versions.filter((v) => v.served).map((v) => v.name);
}

function servedKinds(ir: ProjectIR, version: string): ServedKind[] {
  const out: ServedKind[] = [];
  for (const kind of ir.kinds) {
    const kindVersion = kind.versions.find((kv) => kv.version === version && kv.served);
    if (kindVersion !== undefined) out.push({ version, kind, kindVersion });
  }
  return out;
}

function document(ir: ProjectIR, served: readonly ServedKind[], d: Dialect): JsonObject {
  const paths: PathSpec[] = served.flatMap((s) => kindPaths(ir.group, s.version, s.kind));
  const definitions: Record<string, JsonObject> = { ...metaDefinitions(d) };
  if (served.some((s) => s.kind.subresources.scale !== undefined)) Object.assign(definitions, scaleDefinitions(d));
  for (const s of served) {
    definitions[definitionName(ir.group, s.version, s.kind.kind)] = kindSchema(ir.group, s.kind, s.version, s.kindVersion.schema, d);
    definitions[definitionName(ir.group, s.version, s.kind.listKind)] = listSchema(ir.group, s.kind, s.version, d);
  }
  const info = { title: ir.group, version: 'unversioned' };
  const bearer = { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' };
  const security = [{ BearerToken: [] }];
  const doc: JsonObject =
    d.version === 'v2'
      ? {
          swagger: '2.0',
          info,
          paths: renderPaths(paths, d),
          parameters: paths.length > 0 ? sharedParametersV2(paths, d) : undefined,
          definitions,
          securityDefinitions: { BearerToken: bearer },
          security,
        }
      : {
          openapi: '3.0.0',
          info,
          paths: renderPaths(paths, d),
          components: { schemas: definitions, securitySchemes: { BearerToken: bearer } },
          security,
        };
  return sortKeysDeep(doc);
}

/** Builds both documents from the IR. Deterministic: same IR, same documents, same key order. */
export function buildOpenAPI(ir: ProjectIR): OpenAPIDocuments {
  const versions = servedVersions(ir);
  const v2 = document(ir, versions.flatMap((v) => servedKinds(ir, v)), swagger2);
  const v3: Record<string, JsonObject> = {};
  for (const version of versions) v3[`apis/${ir.group}/${version}`] = document(ir, servedKinds(ir, version), openapi3);
  return { v2, v3: sortKeysDeep(v3) };
}
