// The OpenAPI emitter: the documents of openapi/build.ts as two TypeScript modules (a JSON
// file could not carry the generated-file header), which the generated registry hands to the
// runtime as ApiGroupDefinition.openapi. The runtime serves them, hashing the v3 documents.
import type { ProjectIR } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { buildOpenAPI } from './openapi/build.js';
import { paths } from './paths.js';

export { buildOpenAPI, type OpenAPIDocuments } from './openapi/build.js';
export { PATCH_CONTENT_TYPES } from './openapi/media-types.js';

function emitOpenAPI(ir: ProjectIR): GeneratedFile[] {
  const { v2, v3 } = buildOpenAPI(ir);
  return [
    {
      path: paths.openapiV2(),
      owner: 'generated',
      content:
        `/** Swagger 2.0 document of ${ir.group}, served at /openapi/v2. */\n` +
        `export const openapiV2: Record<string, unknown> = ${JSON.stringify(v2, null, 2)};\n`,
    },
    {
      path: paths.openapiV3(),
      owner: 'generated',
      content:
        `/** OpenAPI 3.0 documents of ${ir.group}, one per served version, served at /openapi/v3/<key>. */\n` +
        `export const openapiV3: Record<string, Record<string, unknown>> = ${JSON.stringify(v3, null, 2)};\n`,
    },
  ];
}

export const openapiEmitter: Emitter = { name: 'openapi', emit: emitOpenAPI };
