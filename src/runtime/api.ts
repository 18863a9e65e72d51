// The contract between generated code and the runtime. Generated `src/generated/registry.ts`
// builds one ApiGroupDefinition from data (names, schemas, compiled validators, conversions)
// and the user's strategies; the runtime serves it. Nothing here knows about the generator.
import type { AdmissionPlugin } from './admission/types.js';

/** A Kubernetes field error, as k8s.io/apimachinery/pkg/util/validation/field.Error. */
export interface FieldError {
  readonly type: FieldErrorType;
  /** Kubernetes field path: `spec.containers[0].name`, `metadata.labels[app]`. */
  readonly field: string;
  readonly value?: unknown;
  readonly detail: string;
}

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  selfLink?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Any object of a served kind, in some version. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Validation compiled from a version's schema (no schema interpretation per request). */
export type SchemaValidate = (obj: unknown) => FieldError[];

/** Defaulting compiled from a version's schema; mutates its argument in place. */
export type ApplyDefaults = (obj: Record<string, unknown>) => void;

export interface StructuralSchemaData {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralSchemaData>>;
  readonly items?: StructuralSchemaData;
  readonly additionalProperties?: StructuralSchemaData | boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly [keyword: string]: unknown;
}

export interface KindVersionDefinition {
  readonly version: string;
  readonly served: boolean;
  readonly storage: boolean;
  /**
   * The version's structural schema of everything but apiVersion/kind/metadata: pruning,
   * unknown-field detection and list-map merge keys read it.
   */
  readonly schema: StructuralSchemaData;
  readonly validate: SchemaValidate;
  readonly applyDefaults: ApplyDefaults;
}

/** Conversion of one kind between its hub (storage version) and its other versions. */
export interface KindConversion {
  /** Returns a new object in the hub version; `obj` is not mutated. */
  toHub(obj: KubeObject): KubeObject;
  /** Returns a new object in `version`; `hub` is not mutated. */
  fromHub(hub: KubeObject, version: string): KubeObject;
}

/** Who is asking, for strategy hooks and admission (authentication fills it). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface StrategyContext {
  readonly user?: UserInfo;
  readonly namespace?: string;
  readonly dryRun: boolean;
  readonly subresource?: string;
}

/**
 * Per-kind hooks, the equivalent of a Go REST strategy (k8s.io/apiserver
 * pkg/registry/rest/create.go, update.go). Every hook receives objects in the kind's hub
 * (storage) version. Hooks run after schema defaulting and validation; `prepareFor*` and
 * `canonicalize` may mutate `obj`, the others must not.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Clear fields the caller may not set on create (status when the kind has /status...). */
  prepareForCreate?(obj: T, ctx: StrategyContext): void;
  /** Carry over fields the caller may not change (status, on the main resource). */
  prepareForUpdate?(obj: T, old: T, ctx: StrategyContext): void;
  validate?(obj: T, ctx: StrategyContext): FieldError[];
  validateUpdate?(obj: T, old: T, ctx: StrategyContext): FieldError[];
  /** Normalise an object before it is stored. */
  canonicalize?(obj: T): void;
  warningsOnCreate?(obj: T, ctx: StrategyContext): string[];
  warningsOnUpdate?(obj: T, old: T, ctx: StrategyContext): string[];
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly priority: number;
  readonly description: string;
  readonly format: string;
}

export interface ScaleSubresource {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

export interface KindDefinition {
  readonly group: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
  readonly verbs: readonly string[];
  readonly subresources: {
    readonly status: boolean;
    readonly scale?: ScaleSubresource;
  };
  readonly printerColumns: readonly PrinterColumn[];
  /** JSONPaths accepted in field selectors besides metadata.name and metadata.namespace. */
  readonly selectableFields: readonly string[];
  /** The hub version objects are stored in. */
  readonly storageVersion: string;
  /** Versions the kind exists in, in the group's preference order. */
  readonly versions: readonly KindVersionDefinition[];
  readonly conversion: KindConversion;
  readonly strategy: Strategy;
}

export interface GroupVersionDefinition {
  readonly version: string;
  readonly served: boolean;
  readonly storage: boolean;
}

export interface OpenAPIDocuments {
  /** Swagger 2.0 document of the whole group. */
  readonly v2: Readonly<Record<string, unknown>>;
  /** OpenAPI 3.0 documents keyed by `apis/<group>/<version>`. */
  readonly v3: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface ApiGroupDefinition {
  readonly group: string;
  /** Versions in preference order: the first served one is the preferred version. */
  readonly versions: readonly GroupVersionDefinition[];
  readonly preferredVersion: string;
  readonly storageVersion: string;
  readonly kinds: readonly KindDefinition[];
  readonly openapi: OpenAPIDocuments;
  /** Admission plugins the project registers, in the order they run (absent: none). */
  readonly admissionPlugins?: readonly AdmissionPlugin[];
}
