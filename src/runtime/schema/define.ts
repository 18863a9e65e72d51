// What generated register.ts and registry.ts hand to the runtime: per kind and version the
// registration data, and the functions that assemble it into an ApiGroupDefinition with the
// consistency checks a hand-edited or stale generated file could break.
import type {
  ApiGroupDefinition,
  ApplyDefaults,
  KindConversion,
  KindDefinition,
  PrinterColumn,
  ScaleSubresource,
  SchemaValidate,
  Strategy,
  StructuralSchemaData,
} from '../api.js';

/** One kind in one version, as generated into `apis/<group>/<version>/register.ts`. */
export interface KindVersionRegistration {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
  readonly verbs: readonly string[];
  readonly subresources: { readonly status: boolean; readonly scale?: ScaleSubresource };
  readonly printerColumns: readonly PrinterColumn[];
  readonly selectableFields: readonly string[];
  readonly served: boolean;
  /** True in the kind's hub (storage) version. */
  readonly storage: boolean;
  readonly storageVersion: string;
  /** Structural schema of everything but apiVersion/kind/metadata, for pruning and merges. */
  readonly schema: StructuralSchemaData;
}

export interface KindVersionWiring {
  readonly registration: KindVersionRegistration;
  readonly validate: SchemaValidate;
  readonly applyDefaults: ApplyDefaults;
}

export interface KindWiring {
  /** In the group's preference order. */
  readonly versions: readonly KindVersionWiring[];
  readonly conversion: KindConversion;
  /** The user's strategy, typed on the hub version's kind type. */
  readonly strategy: Strategy;
}

/** Thrown when generated wiring is inconsistent (a stale or hand-edited generated file). */
export class ApiDefinitionError extends Error {
  constructor(message: string) {
    super(`${message} (regenerate with \`aa-gen generate\`)`);
    this.name = 'ApiDefinitionError';
  }
}

export function defineKind(wiring: KindWiring): KindDefinition {
  const regs = wiring.versions.map((v) => v.registration);
  const hub = regs.find((r) => r.storage);
  if (hub === undefined) throw new ApiDefinitionError(`kind ${regs[0]?.kind ?? '?'} has no storage version`);
  for (const r of regs) {
    if (r.kind !== hub.kind || r.group !== hub.group || r.plural !== hub.plural) {
      throw new ApiDefinitionError(`kind ${hub.kind}: version ${r.version} registers ${r.group}/${r.kind} (${r.plural})`);
    }
    if (r.storage && r !== hub) throw new ApiDefinitionError(`kind ${hub.kind} has two storage versions`);
    if (r.storageVersion !== hub.version) {
      throw new ApiDefinitionError(`kind ${hub.kind}: version ${r.version} names storage version ${r.storageVersion}, not ${hub.version}`);
    }
  }
  return {
    group: hub.group,
    kind: hub.kind,
    listKind: hub.listKind,
    plural: hub.plural,
    singular: hub.singular,
    shortNames: hub.shortNames,
    categories: hub.categories,
    scope: hub.scope,
    verbs: hub.verbs,
    subresources: hub.subresources,
    printerColumns: hub.printerColumns,
    selectableFields: hub.selectableFields,
    storageVersion: hub.version,
    versions: wiring.versions.map((v) => ({
      version: v.registration.version,
      served: v.registration.served,
      storage: v.registration.storage,
      schema: v.registration.schema,
      validate: v.validate,
      applyDefaults: v.applyDefaults,
    })),
    conversion: wiring.conversion,
    strategy: wiring.strategy,
  };
}

/** Checks an API group's wiring and freezes its top level. */
export function defineApiGroup(def: ApiGroupDefinition): ApiGroupDefinition {
  const versions = new Set(def.versions.map((v) => v.version));
  const storage = def.versions.filter((v) => v.storage);
  if (storage.length !== 1 || storage[0]!.version !== def.storageVersion) {
    throw new ApiDefinitionError(`group ${def.group} must have exactly one storage version, ${def.storageVersion}`);
  }
  if (!versions.has(def.preferredVersion)) {
    throw new ApiDefinitionError(`group ${def.group}: preferred version ${def.preferredVersion} is not one of its versions`);
  }
  const seen = new Set<string>();
  for (const k of def.kinds) {
    if (k.group !== def.group) throw new ApiDefinitionError(`kind ${k.kind} is in group ${k.group}, not ${def.group}`);
    if (seen.has(k.plural)) throw new ApiDefinitionError(`resource ${k.plural} is defined twice`);
    seen.add(k.plural);
    for (const v of k.versions) {
      if (!versions.has(v.version)) throw new ApiDefinitionError(`kind ${k.kind}: version ${v.version} is not a version of ${def.group}`);
    }
  }
  return Object.freeze({ ...def, versions: Object.freeze([...def.versions]), kinds: Object.freeze([...def.kinds]) });
}
