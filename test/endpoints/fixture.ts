// The widgets test IR (test/fixtures/ir/widgets.ts) as the runtime sees it: an
// ApiGroupDefinition with hand-written validation, defaulting and conversions standing in for
// the generated ones. Widget v1 (hub) <-> v1beta1 renames spec.color <-> spec.colour.
import type {
  ApiGroupDefinition,
  FieldError,
  KindDefinition,
  KindVersionDefinition,
  KubeObject,
  StructuralSchemaData,
} from '../../src/runtime/api.js';
import type { KindIR } from '../../src/model/ir.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';

function validateSpec(obj: unknown): FieldError[] {
  const spec = (obj as { spec?: Record<string, unknown> }).spec;
  const errs: FieldError[] = [];
  if (spec && typeof spec['size'] === 'number' && spec['size'] < 0) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.size', value: spec['size'], detail: 'should be greater than or equal to 0' });
  }
  return errs;
}

function defaults(kind: string) {
  return (obj: Record<string, unknown>): void => {
    const spec = obj['spec'] as Record<string, unknown> | undefined;
    if (kind === 'Widget' && spec && spec['replicas'] === undefined) spec['replicas'] = 1;
  };
}

function rename(obj: KubeObject, from: string, to: string, apiVersion: string): KubeObject {
  const out = structuredClone(obj);
  out.apiVersion = apiVersion;
  const spec = out['spec'] as Record<string, unknown> | undefined;
  if (spec && from in spec) {
    spec[to] = spec[from];
    delete spec[from];
  }
  return out;
}

function kindDefinition(ir: KindIR): KindDefinition {
  const group = widgetsIR.group;
  const versions: KindVersionDefinition[] = ir.versions.map((v) => ({
    version: v.version,
    served: v.served,
    storage: v.storage,
    schema: v.schema as StructuralSchemaData,
    validate: validateSpec,
    applyDefaults: defaults(ir.kind),
  }));
  return {
    group,
    kind: ir.kind,
    listKind: ir.listKind,
    plural: ir.plural,
    singular: ir.singular,
    shortNames: ir.shortNames,
    categories: ir.categories,
    scope: ir.scope,
    verbs: ir.verbs,
    subresources: ir.subresources,
    printerColumns: ir.printerColumns,
    selectableFields: ir.selectableFields,
    storageVersion: ir.storageVersion,
    versions,
    conversion: {
      toHub: (obj) =>
        ir.kind === 'Widget' && obj.apiVersion === `${group}/v1beta1`
          ? rename(obj, 'colour', 'color', `${group}/v1`)
          : { ...structuredClone(obj), apiVersion: `${group}/${ir.storageVersion}` },
      fromHub: (hub, version) =>
        ir.kind === 'Widget' && version === 'v1beta1'
          ? rename(hub, 'color', 'colour', `${group}/v1beta1`)
          : { ...structuredClone(hub), apiVersion: `${group}/${version}` },
    },
    strategy: {},
  };
}

export const group: ApiGroupDefinition = {
  group: widgetsIR.group,
  versions: widgetsIR.versions.map((v) => ({ version: v.name, served: v.served, storage: v.storage })),
  preferredVersion: widgetsIR.preferredVersion,
  storageVersion: widgetsIR.storageVersion,
  kinds: widgetsIR.kinds.map(kindDefinition),
  openapi: { v2: {}, v3: {} },
};
