// The intermediate model every emitter reads. Plain readonly data with every default applied
// once (in src/model/build.ts); emitters never look at the YAML spec, only at this.

/** A structural OpenAPI v3 schema, the subset CRDs accept (apiextensions JSONSchemaProps). */
export interface StructuralSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly required?: readonly string[];
  readonly items?: StructuralSchema;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
}

export type Scope = 'Namespaced' | 'Cluster';

export type PrinterColumnType = 'integer' | 'number' | 'string' | 'boolean' | 'date';

export interface PrinterColumnIR {
  readonly name: string;
  readonly type: PrinterColumnType;
  /** JSONPath into the object of the request's version, e.g. `.spec.replicas`. */
  readonly jsonPath: string;
  readonly priority: number;
  readonly description: string;
  readonly format: string;
}

export interface ScaleIR {
  /** JSONPath of the desired replicas, e.g. `.spec.replicas` (required). */
  readonly specReplicasPath: string;
  /** JSONPath of the observed replicas, e.g. `.status.replicas` (required). */
  readonly statusReplicasPath: string;
  /** JSONPath of the label selector string, e.g. `.status.selector` (optional). */
  readonly labelSelectorPath?: string;
}

export interface SubresourcesIR {
  readonly status: boolean;
  readonly scale?: ScaleIR;
}

/** A version of the group, as listed in the spec. */
export interface GroupVersionIR {
  readonly name: string;
  readonly served: boolean;
  /** Exactly one version of the group is the storage version: the hub of every conversion. */
  readonly storage: boolean;
  readonly preferred: boolean;
  /** APIService spec.versionPriority (1..999, higher is preferred). */
  readonly versionPriority: number;
}

/** A kind as it exists in one version. */
export interface KindVersionIR {
  readonly version: string;
  readonly served: boolean;
  /** True when this is the kind's hub (its storage version). */
  readonly storage: boolean;
  /** Schema of everything but apiVersion/kind/metadata (normally `spec` and `status`). */
  readonly schema: StructuralSchema;
}

export interface KindIR {
  readonly kind: string;
  readonly listKind: string;
  /** Lower-case plural resource name, a DNS label: `flunders`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly scope: Scope;
  readonly description: string;
  readonly subresources: SubresourcesIR;
  /** Columns after the implicit Name column; defaults to one Age column. */
  readonly printerColumns: readonly PrinterColumnIR[];
  /** JSONPaths usable in field selectors besides metadata.name and metadata.namespace. */
  readonly selectableFields: readonly string[];
  /** Versions this kind exists in, in the group's preference order. */
  readonly versions: readonly KindVersionIR[];
  /** The hub: the group's storage version when the kind has it, else its most preferred version. */
  readonly storageVersion: string;
  /** Verbs served on the main resource, sorted. */
  readonly verbs: readonly string[];
}

export interface DeployIR {
  /** Namespace the server is deployed to. */
  readonly namespace: string;
  /** Name of the Service, Deployment and ServiceAccount. */
  readonly serviceName: string;
  readonly image: string;
  readonly replicas: number;
  /** APIService spec.groupPriorityMinimum (1..19999). */
  readonly groupPriorityMinimum: number;
}

export type AdmissionPluginType = 'mutating' | 'validating';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** An admission plugin: the user writes its hook in src/admission/<name lower-cased>.ts. */
export interface AdmissionPluginIR {
  /** UpperCamelCase, unique: `BanFlunder`. */
  readonly name: string;
  readonly type: AdmissionPluginType;
  /** In the order CREATE, UPDATE, DELETE, CONNECT. */
  readonly operations: readonly AdmissionOperation[];
  /** Kinds the plugin is called for, in the order the spec lists them (default: every kind, sorted). */
  readonly kinds: readonly string[];
  readonly enabledByDefault: boolean;
  readonly description: string;
}

export interface ProjectIR {
  /** Project name: npm package name and base of deploy names. */
  readonly name: string;
  readonly group: string;
  /** Every version of the group, preferred first, then in Kubernetes version priority order. */
  readonly versions: readonly GroupVersionIR[];
  readonly preferredVersion: string;
  readonly storageVersion: string;
  /** Sorted by kind name. */
  readonly kinds: readonly KindIR[];
  readonly deploy: DeployIR;
  /** Admission plugins, in the order they run (the spec's order). */
  readonly admissionPlugins: readonly AdmissionPluginIR[];
}
