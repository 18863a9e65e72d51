// Registration per version: for each kind in the version, the data the runtime serves it by
// (GVK <-> resource, scope, verbs, subresources, short names, categories, printer columns,
// selectable fields, served/storage flags) and the version's structural schema, as literals.
import type { KindIR, ProjectIR, StructuralSchema } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { paths } from './paths.js';
import { camel, kindSchema, kindsIn, versionsWithKinds } from './ts/naming.js';
import { exportConst, f, importDecl, literal, moduleText, printNode, typeRef, withDoc } from './ts/print.js';

/** Name of the registration constant of a kind in register.ts: `flunderRegistration`. */
export const registrationName = (kind: KindIR) => `${camel(kind.kind)}Registration`;

/** The schema as the runtime keeps it: descriptions dropped (OpenAPI carries them). */
export function runtimeSchema(s: StructuralSchema): StructuralSchema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' || v === undefined) continue;
    if (k === 'properties') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, StructuralSchema>).map(([p, c]) => [p, runtimeSchema(c)]));
    } else if ((k === 'items' || k === 'additionalProperties') && typeof v === 'object') {
      out[k] = runtimeSchema(v as StructuralSchema);
    } else {
      out[k] = v;
    }
  }
  return out as StructuralSchema;
}

function registration(ir: ProjectIR, kind: KindIR, version: string): Record<string, unknown> {
  const kv = kind.versions.find((v) => v.version === version)!;
  return {
    group: ir.group,
    version,
    kind: kind.kind,
    listKind: kind.listKind,
    plural: kind.plural,
    singular: kind.singular,
    shortNames: kind.shortNames,
    categories: kind.categories,
    scope: kind.scope,
    verbs: kind.verbs,
    subresources: kind.subresources.scale
      ? { status: kind.subresources.status, scale: { ...kind.subresources.scale } }
      : { status: kind.subresources.status },
    printerColumns: kind.printerColumns.map((c) => ({ ...c })),
    selectableFields: kind.selectableFields,
    served: kv.served,
    storage: kv.storage,
    storageVersion: kind.storageVersion,
    schema: runtimeSchema(kindSchema(kind, version)),
  };
}

export function registerModule(ir: ProjectIR, version: string): string {
  const parts = [printNode(importDecl(['KindVersionRegistration'], 'aa-gen/runtime', true))];
  parts.push(
    printNode(
      withDoc(exportConst('groupVersion', undefined, f.createAsExpression(literal({ group: ir.group, version }), typeRef('const'))), [
        'The group version this file registers.',
      ]),
    ),
  );
  for (const kind of kindsIn(ir, version)) {
    parts.push(
      printNode(
        withDoc(exportConst(registrationName(kind), typeRef('KindVersionRegistration'), literal(registration(ir, kind, version))), [
          `${kind.kind} (${kind.plural}.${ir.group}) in ${version}.`,
        ]),
      ),
    );
  }
  return moduleText(parts);
}

export const registerEmitter: Emitter = {
  name: 'register',
  emit(ir: ProjectIR): GeneratedFile[] {
    return versionsWithKinds(ir).map((version) => ({
      path: paths.register(ir, version),
      content: registerModule(ir, version),
      owner: 'generated',
    }));
  },
};
