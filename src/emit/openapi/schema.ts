// The user's structural schemas as OpenAPI component schemas, and the kind and list schemas
// built around them. What kube-apiserver publishes for a CRD is the model
// (apiextensions-apiserver pkg/controller/openapi/builder/builder.go, and v2/conversion.go for
// what OpenAPI v2 cannot say):
// - v3 keeps the schema as written; int-or-string is `x-kubernetes-int-or-string` + anyOf.
// - v2 has no nullable and no anyOf: int-or-string becomes `type: string, format: int-or-string`
//   (as the built-in IntOrString is published), a nullable field loses its type (kubectl's v2
//   validation would reject null otherwise) and leaves `required`, and a field that preserves
//   unknown fields loses its properties and items (kubectl would reject the unknown ones).
import type { KindIR, StructuralSchema } from '../../model/ir.js';
import type { Dialect } from './dialect.js';
import { listMetaDescription, objectMetaDescription, typeMetaDescriptions } from './meta-definitions.js';
import { defs, definitionName } from './names.js';
import type { JsonObject } from './order.js';

/** Keywords copied as they are (deep-copied) in both dialects. */
const plainKeywords = [
  'type',
  'description',
  'format',
  'default',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
] as const satisfies readonly (keyof StructuralSchema)[];

/** A user schema (of a field or of a whole kind's body) in the given dialect. */
export function convertSchema(schema: StructuralSchema, d: Dialect): JsonObject {
  const out: JsonObject = {};
  for (const key of plainKeywords) {
    if (schema[key] !== undefined) out[key] = structuredClone(schema[key]);
  }
  const v2 = d.version === 'v2';
  const dropsStructure = v2 && (schema.nullable === true || schema['x-kubernetes-preserve-unknown-fields'] === true);

  if (schema.properties !== undefined && !dropsStructure) {
    const properties: JsonObject = {};
    for (const [name, sub] of Object.entries(schema.properties)) properties[name] = convertSchema(sub, d);
    out.properties = properties;
  }
  if (schema.required !== undefined && schema.required.length > 0 && !dropsStructure) {
    // v2 cannot say "required but may be null"; kube drops such fields from required.
    const required = v2 ? schema.required.filter((name) => schema.properties?.[name]?.nullable !== true) : [...schema.required];
    if (required.length > 0) out.required = required;
  }
  if (schema.items !== undefined && !dropsStructure) out.items = convertSchema(schema.items, d);
  if (schema.additionalProperties !== undefined && !dropsStructure) {
    out.additionalProperties =
      typeof schema.additionalProperties === 'boolean'
        ? schema.additionalProperties
        : convertSchema(schema.additionalProperties, d);
  }

  if (schema['x-kubernetes-int-or-string'] === true) {
    out['x-kubernetes-int-or-string'] = true;
    if (v2) {
      out.type = 'string';
      out.format = 'int-or-string';
    } else {
      delete out.type;
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    }
  }
  if (schema.nullable === true) {
    if (v2) delete out.type;
    else out.nullable = true;
  }
  // kubectl cannot handle an array without items (v2 after dropping them).
  if (out.type === 'array' && out.items === undefined) delete out.type;

  if (schema['x-kubernetes-embedded-resource'] === true && !(v2 && dropsStructure)) {
    addTypeAndObjectMeta(out, d);
    const required = new Set((out.required as string[] | undefined) ?? []);
    out.required = [...required, ...['kind', 'apiVersion'].filter((name) => !required.has(name))];
  }
  return out;
}

/** Adds apiVersion, kind and metadata properties (an object with Kubernetes type and object meta). */
function addTypeAndObjectMeta(out: JsonObject, d: Dialect): void {
  out.properties = {
    ...(out.properties as JsonObject | undefined),
    apiVersion: { type: 'string', description: typeMetaDescriptions.apiVersion },
    kind: { type: 'string', description: typeMetaDescriptions.kind },
    metadata: d.refWithDescription(defs.objectMeta, objectMetaDescription),
  };
}

function gvkExtension(group: string, version: string, kind: string): JsonObject {
  return { 'x-kubernetes-group-version-kind': [{ group, kind, version }] };
}

/**
 * The component schema of a kind in a version: the user's schema plus apiVersion, kind and
 * metadata, tagged with its GVK (an ARRAY: kubectl explain matches kinds inside it).
 */
export function kindSchema(group: string, kind: KindIR, version: string, body: StructuralSchema, d: Dialect): JsonObject {
  const out = convertSchema(body, d);
  out.type = 'object';
  out.description = kind.description !== '' ? kind.description : body.description;
  // kube publishes a v2 kind that keeps unknown fields as a bare object: typed properties would
  // make kubectl's v2 validation refuse the unknown ones.
  if (!(d.version === 'v2' && body['x-kubernetes-preserve-unknown-fields'] === true)) addTypeAndObjectMeta(out, d);
  return { ...out, ...gvkExtension(group, version, kind.kind) };
}

/** The component schema of a kind's list in a version. */
export function listSchema(group: string, kind: KindIR, version: string, d: Dialect): JsonObject {
  return {
    type: 'object',
    description: `${kind.listKind} is a list of ${kind.kind}.`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: typeMetaDescriptions.apiVersion },
      kind: { type: 'string', description: typeMetaDescriptions.kind },
      items: {
        type: 'array',
        description: `List of ${kind.plural}.`,
        items: d.ref(definitionName(group, version, kind.kind)),
      },
      metadata: d.refWithDescription(defs.listMeta, listMetaDescription),
    },
    ...gvkExtension(group, version, kind.listKind),
  };
}
