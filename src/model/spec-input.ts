// The shape of a spec that passed validation (schemas/aa-gen.schema.json plus the loader's
// cross-checks): what src/model/build.ts turns into the IR. Optional fields are the ones with
// defaults; the builder applies every default.
import type { AdmissionOperation, AdmissionPluginType, PrinterColumnType, Scope, StructuralSchema } from './ir.js';

export interface SpecVersion {
  readonly name: string;
  readonly served?: boolean;
  readonly storage?: boolean;
  readonly preferred?: boolean;
}

export interface SpecDeploy {
  readonly namespace?: string;
  readonly serviceName?: string;
  readonly image?: string;
  readonly replicas?: number;
  readonly groupPriorityMinimum?: number;
}

export interface SpecPrinterColumn {
  readonly name: string;
  readonly type: PrinterColumnType;
  readonly jsonPath: string;
  readonly priority?: number;
  readonly description?: string;
  readonly format?: string;
}

export interface SpecKind {
  readonly kind: string;
  readonly plural?: string;
  readonly singular?: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly scope?: Scope;
  readonly description?: string;
  readonly subresources?: {
    readonly status?: Readonly<Record<string, never>>;
    readonly scale?: {
      readonly specReplicasPath: string;
      readonly statusReplicasPath: string;
      readonly labelSelectorPath?: string;
    };
  };
  readonly printerColumns?: readonly SpecPrinterColumn[];
  readonly selectableFields?: readonly { readonly jsonPath: string }[];
  readonly versions: Readonly<Record<string, { readonly schema: StructuralSchema }>>;
}

export interface SpecAdmissionPlugin {
  readonly name: string;
  readonly type: AdmissionPluginType;
  readonly operations?: readonly AdmissionOperation[];
  readonly kinds?: readonly string[];
  readonly enabledByDefault?: boolean;
  readonly description?: string;
}

export interface SpecDocument {
  readonly name?: string;
  readonly group: string;
  readonly versions: readonly SpecVersion[];
  readonly deploy?: SpecDeploy;
  readonly kinds: readonly SpecKind[];
  readonly admission?: { readonly plugins?: readonly SpecAdmissionPlugin[] };
}
