// spec -> IR. Every default is applied here and only here; names come from ./names.ts and
// version order from ./versions.ts. The input must have passed the spec loader's validation
// (src/spec); the output is plain, deep-frozen data.
import type {
  AdmissionOperation,
  AdmissionPluginIR,
  GroupVersionIR,
  KindIR,
  KindVersionIR,
  PrinterColumnIR,
  ProjectIR,
  StructuralSchema,
  SubresourcesIR,
} from './ir.js';
import {
  defaultImage,
  defaultProjectName,
  defaultServiceName,
  listKindOf,
  pluralOf,
  singularOf,
} from './names.js';
import type { SpecAdmissionPlugin, SpecDocument, SpecKind, SpecPrinterColumn } from './spec-input.js';
import { compareKubeAwareVersions, versionPriorities } from './versions.js';

/** Verbs of the main resource of every kind (the generic registry implements them all). */
export const KIND_VERBS: readonly string[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** The column kubectl shows for a CRD without additionalPrinterColumns. */
export const DEFAULT_PRINTER_COLUMNS: readonly PrinterColumnIR[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0, description: '', format: '' },
];

export const DEFAULT_REPLICAS = 1;
export const DEFAULT_GROUP_PRIORITY_MINIMUM = 1000;

export function buildProjectIR(spec: SpecDocument): ProjectIR {
  const name = spec.name ?? defaultProjectName(spec.group);
  const versions = buildVersions(spec);
  const preferredVersion = versions[0].name;
  const storageVersion = versions.find((v) => v.storage)!.name;
  const kinds = spec.kinds
    .map((k) => buildKind(k, versions, storageVersion))
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return deepFreeze({
    name,
    group: spec.group,
    versions,
    preferredVersion,
    storageVersion,
    kinds,
    deploy: {
      namespace: spec.deploy?.namespace ?? name,
      serviceName: spec.deploy?.serviceName ?? defaultServiceName(name),
      image: spec.deploy?.image ?? defaultImage(name),
      replicas: spec.deploy?.replicas ?? DEFAULT_REPLICAS,
      groupPriorityMinimum: spec.deploy?.groupPriorityMinimum ?? DEFAULT_GROUP_PRIORITY_MINIMUM,
    },
    admissionPlugins: (spec.admission?.plugins ?? []).map((p) => admissionPlugin(p, kinds)),
  });
}

/** Operations in their canonical order; CONNECT is left out of the default (nothing connects). */
const OPERATION_ORDER: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
export const DEFAULT_ADMISSION_OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE'];

function admissionPlugin(p: SpecAdmissionPlugin, kinds: readonly KindIR[]): AdmissionPluginIR {
  const ops = new Set(p.operations ?? DEFAULT_ADMISSION_OPERATIONS);
  return {
    name: p.name,
    type: p.type,
    operations: OPERATION_ORDER.filter((o) => ops.has(o)),
    kinds: p.kinds ? [...p.kinds] : kinds.map((k) => k.kind),
    enabledByDefault: p.enabledByDefault ?? true,
    description: p.description ?? '',
  };
}

/**
 * The group's versions, preferred first, then in Kubernetes priority order. The preferred
 * version is the one marked so, else the first served version in priority order.
 */
function buildVersions(spec: SpecDocument): GroupVersionIR[] {
  const ordered = [...spec.versions].sort((a, b) => compareKubeAwareVersions(a.name, b.name));
  const served = (v: { served?: boolean }) => v.served ?? true;
  const preferred = ordered.find((v) => v.preferred === true) ?? ordered.find(served) ?? ordered[0];
  const inOrder = [preferred, ...ordered.filter((v) => v !== preferred)];
  const priorities = versionPriorities(inOrder.length);
  return inOrder.map((v, i) => ({
    name: v.name,
    served: served(v),
    storage: v.storage ?? false,
    preferred: v === preferred,
    versionPriority: priorities[i],
  }));
}

function buildKind(k: SpecKind, groupVersions: readonly GroupVersionIR[], groupStorage: string): KindIR {
  const own = groupVersions.filter((v) => Object.hasOwn(k.versions, v.name));
  const storageVersion = own.some((v) => v.name === groupStorage) ? groupStorage : own[0].name;
  const versions: KindVersionIR[] = own.map((v) => ({
    version: v.name,
    served: v.served,
    storage: v.name === storageVersion,
    schema: k.versions[v.name].schema as StructuralSchema,
  }));
  const subresources: SubresourcesIR = {
    status: k.subresources?.status !== undefined,
    ...(k.subresources?.scale
      ? {
          scale: {
            specReplicasPath: k.subresources.scale.specReplicasPath,
            statusReplicasPath: k.subresources.scale.statusReplicasPath,
            ...(k.subresources.scale.labelSelectorPath !== undefined
              ? { labelSelectorPath: k.subresources.scale.labelSelectorPath }
              : {}),
          },
        }
      : {}),
  };
  return {
    kind: k.kind,
    listKind: listKindOf(k.kind),
    plural: k.plural ?? pluralOf(k.kind),
    singular: k.singular ?? singularOf(k.kind),
    shortNames: [...(k.shortNames ?? [])],
    categories: [...(k.categories ?? [])],
    scope: k.scope ?? 'Namespaced',
    description: k.description ?? '',
    subresources,
    printerColumns: k.printerColumns ? k.printerColumns.map(printerColumn) : DEFAULT_PRINTER_COLUMNS.map((c) => ({ ...c })),
    selectableFields: (k.selectableFields ?? []).map((f) => f.jsonPath),
    versions,
    storageVersion,
    verbs: [...KIND_VERBS],
  };
}

function printerColumn(c: SpecPrinterColumn): PrinterColumnIR {
  return {
    name: c.name,
    type: c.type,
    jsonPath: c.jsonPath,
    priority: c.priority ?? 0,
    description: c.description ?? '',
    format: c.format ?? '',
  };
}

/** Freezes a tree of plain data in place (shared subtrees from YAML aliases are fine). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
