// Admission plugins, as k8s.io/apiserver pkg/admission/interfaces.go defines them: a plugin
// has a name, says which operations it handles, and either mutates (Admit) or validates
// (Validate) the object of a write. Mutating plugins run before the strategy and schema
// validation, validating plugins after them (the order of pkg/endpoints/handlers/create.go
// and pkg/registry/generic/registry/store.go). Objects are always in the kind's hub (storage)
// version.
import type { KubeObject, UserInfo } from '../api.js';

/** admission.Operation. CONNECT never occurs here: no connect subresources are served. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/** Read-only all the way down: what validating plugins and listers hand out. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The operation's options (metav1.CreateOptions, UpdateOptions or DeleteOptions). */
export interface OperationOptions {
  readonly kind: 'CreateOptions' | 'UpdateOptions' | 'DeleteOptions';
  readonly apiVersion: 'meta.k8s.io/v1';
  readonly dryRun?: readonly ['All'];
  readonly fieldManager?: string;
  readonly fieldValidation?: string;
  readonly propagationPolicy?: string;
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/**
 * admission.Attributes. `kind` and `resource` name the version of the request; `object` and
 * `oldObject` are in the hub version. `name` is the name of the request: on a CREATE with
 * `generateName` it is '' (the name is generated after mutating admission).
 */
export interface AdmissionAttributes<T extends KubeObject = KubeObject> {
  readonly operation: Operation;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  /** '' for the main resource; `status` or `scale`. */
  readonly subresource: string;
  /** '' for cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
  /** The incoming object (a private frozen copy); undefined on DELETE. */
  readonly object: DeepReadonly<T> | undefined;
  /** The stored object; set on UPDATE and DELETE. */
  readonly oldObject: DeepReadonly<T> | undefined;
  readonly user: UserInfo;
  /** Nothing will be persisted: plugins with side effects must not make them. */
  readonly dryRun: boolean;
  readonly options: OperationOptions;
}

/** What a mutating plugin gets: the same, with `object` its to change in place. */
export interface MutatingAttributes<T extends KubeObject = KubeObject> extends Omit<AdmissionAttributes<T>, 'object'> {
  readonly object: T | undefined;
}

/**
 * Read access to one resource through its watch cache: no storage round trip once synced
 * (reads wait for the first sync). Objects are in the hub version and shared with the cache:
 * never mutate them (as Go listers' objects).
 */
export interface AdmissionLister<T extends KubeObject = KubeObject> {
  /** Every object, or those of `namespace` (namespaced kinds), matching `labelSelector`. */
  list(opts?: { readonly namespace?: string; readonly labelSelector?: string }): Promise<readonly DeepReadonly<T>[]>;
  /** One object; `namespace` is ignored for cluster-scoped kinds. */
  get(name: string, namespace?: string): Promise<DeepReadonly<T> | undefined>;
}

/** Resource plural -> hub object type; generated as `Resources` in src/generated/admission.ts. */
export type ResourceTypes = Record<string, KubeObject>;

export interface AdmissionListers<R extends ResourceTypes = ResourceTypes> {
  /** The lister of a resource of the group by plural (`fischers`); throws for unknown plurals. */
  get<P extends keyof R & string>(plural: P): AdmissionLister<R[P]>;
}

export interface AdmissionContext<R extends ResourceTypes = ResourceTypes> {
  readonly listers: AdmissionListers<R>;
}

/**
 * Hooks a user writes (src/admission/<name>.ts). Reject by throwing: an Error becomes
 * `403 Forbidden` in admission.NewForbidden's form; a StatusError is answered as it is.
 */
export interface MutatingHooks<T extends KubeObject = KubeObject, R extends ResourceTypes = ResourceTypes> {
  /** May change `a.object` in place; runs before the strategy and schema validation. */
  admit(a: MutatingAttributes<T>, ctx: AdmissionContext<R>): void | Promise<void>;
}

export interface ValidatingHooks<T extends KubeObject = KubeObject, R extends ResourceTypes = ResourceTypes> {
  /** Must not change anything; runs after the strategy and schema validation. */
  validate(a: AdmissionAttributes<T>, ctx: AdmissionContext<R>): void | Promise<void>;
}

interface PluginBase {
  readonly name: string;
  /** admission.Interface Handles: whether the plugin runs for `operation`. */
  handles(operation: Operation): boolean;
  /** Kinds (of the group) the plugin is called for; undefined: every kind. */
  readonly kinds?: readonly string[];
  /** Whether the plugin runs without `--enable-admission-plugins` naming it. Default true. */
  readonly enabledByDefault?: boolean;
}

/** admission.MutationInterface. */
export interface MutatingPlugin extends PluginBase {
  admit(a: MutatingAttributes, ctx: AdmissionContext): void | Promise<void>;
}

/** admission.ValidationInterface. */
export interface ValidatingPlugin extends PluginBase {
  validate(a: AdmissionAttributes, ctx: AdmissionContext): void | Promise<void>;
}

/** A plugin may be mutating, validating, or both (its admit runs with the mutating ones). */
export type AdmissionPlugin = MutatingPlugin | ValidatingPlugin | (MutatingPlugin & ValidatingPlugin);
