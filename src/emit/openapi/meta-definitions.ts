// The shared definitions every document needs besides the group's own kinds: object and list
// metadata, Status, delete options, watch events and, for kinds with a scale subresource,
// autoscaling/v1 Scale. Written once here, for both dialects; their shape follows the Go types
// in k8s.io/apimachinery pkg/apis/meta/v1/types.go and k8s.io/api autoscaling/v1/types.go, and
// the descriptions are ours.
import type { Dialect } from './dialect.js';
import { defs } from './names.js';
import type { JsonObject } from './order.js';

const conventions = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

/** Descriptions of the type-meta fields every kind, list and Status has. */
export const typeMetaDescriptions = {
  apiVersion:
    'APIVersion names the versioned schema of this representation of the object. Servers convert ' +
    `recognized schemas to their latest internal value and may reject unrecognized values. More info: ${conventions}#resources`,
  kind:
    'Kind is the REST resource type this object represents, in CamelCase. Servers may infer it from ' +
    `the endpoint the client sends the request to. It cannot be updated. More info: ${conventions}#types-kinds`,
} as const;

export const objectMetaDescription = `Standard object's metadata. More info: ${conventions}#metadata`;
export const listMetaDescription = `Standard list metadata. More info: ${conventions}#types-kinds`;

const str = (description: string): JsonObject => ({ type: 'string', description });
const bool = (description: string): JsonObject => ({ type: 'boolean', description });
const int32 = (description: string): JsonObject => ({ type: 'integer', format: 'int32', description });
const int64 = (description: string): JsonObject => ({ type: 'integer', format: 'int64', description });
const stringMap = (description: string): JsonObject => ({
  type: 'object',
  additionalProperties: { type: 'string' },
  description,
});

function arrayOf(items: JsonObject, description: string, extensions: JsonObject = {}): JsonObject {
  return { type: 'array', items, description, ...extensions };
}

function typeMeta(): JsonObject {
  return { apiVersion: str(typeMetaDescriptions.apiVersion), kind: str(typeMetaDescriptions.kind) };
}

function gvk(group: string, version: string, kind: string): JsonObject {
  return { 'x-kubernetes-group-version-kind': [{ group, kind, version }] };
}

/** The meta/v1 and runtime definitions, keyed by definition name. */
export function metaDefinitions(d: Dialect): Record<string, JsonObject> {
  return {
    [defs.time]: {
      type: 'string',
      format: 'date-time',
      description: 'Time is a timestamp in RFC 3339 form with second precision, always in UTC.',
    },
    [defs.fieldsV1]: {
      type: 'object',
      description:
        'FieldsV1 is a set of fields in a trie-like JSON form: each key is a field (`f:<name>`), a map ' +
        'key (`k:<json>`), a list value (`v:<json>`) or a list index (`i:<n>`), and `.` marks the field itself.',
    },
    [defs.rawExtension]: {
      type: 'object',
      description: 'RawExtension holds an embedded object, such as the object of a watch event, as JSON.',
    },
    [defs.patch]: {
      type: 'object',
      description:
        'Patch names the body of a PATCH request. Its format is given by the request Content-Type: a JSON ' +
        'patch, a JSON merge patch, a strategic merge patch or an apply configuration.',
    },
    [defs.managedFieldsEntry]: {
      type: 'object',
      description:
        'ManagedFieldsEntry records which field manager owns which fields of an object, for server-side apply.',
      properties: {
        apiVersion: str('APIVersion is the version of the resource the fields are tracked in.'),
        fieldsType: str('FieldsType is the format of the fields field; the only value is "FieldsV1".'),
        fieldsV1: d.refWithDescription(defs.fieldsV1, 'FieldsV1 holds the managed fields, when fieldsType is "FieldsV1".'),
        manager: str('Manager identifies the workflow that manages these fields.'),
        operation: str('Operation is the kind of request that set these fields: "Apply" or "Update".'),
        subresource: str('Subresource is the subresource the fields were set through, empty for the main resource.'),
        time: d.refWithDescription(defs.time, 'Time is when the set of fields last changed.'),
      },
    },
    [defs.ownerReference]: {
      type: 'object',
      description:
        'OwnerReference identifies an owner of an object. The owner must be in the same namespace as the ' +
        'object, or cluster-scoped.',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str('API version of the owner.'),
        blockOwnerDeletion: bool(
          'When true, and the owner has the "foregroundDeletion" finalizer, the owner cannot be deleted ' +
            'from the key-value store until this reference is removed.',
        ),
        controller: bool('When true, this reference points to the managing controller.'),
        kind: str(`Kind of the owner. More info: ${conventions}#types-kinds`),
        name: str('Name of the owner.'),
        uid: str('UID of the owner.'),
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [defs.objectMeta]: {
      type: 'object',
      description: 'ObjectMeta is the metadata every persisted resource has, users and servers alike set parts of it.',
      properties: {
        annotations: stringMap(
          'Annotations is an unstructured key-value map for arbitrary metadata that tools set and read. ' +
            'It is not queryable.',
        ),
        creationTimestamp: d.refWithDescription(
          defs.time,
          'CreationTimestamp is when the server created the object. Set by the system; read-only.',
        ),
        deletionGracePeriodSeconds: int64(
          'Seconds the object is allowed to take to terminate gracefully once deletion was requested. ' +
            'Set only when deletionTimestamp is set; read-only.',
        ),
        deletionTimestamp: d.refWithDescription(
          defs.time,
          'DeletionTimestamp is when deletion was requested; the object is removed once its finalizers ' +
            'are empty. Set by the server; read-only.',
        ),
        finalizers: arrayOf(
          { type: 'string' },
          'Finalizers must be empty before the object is deleted from storage. Each entry names a ' +
            'component responsible for cleaning up before deletion.',
          { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
        ),
        generateName: str(
          'GenerateName is a prefix the server uses to generate a unique name when name is empty.',
        ),
        generation: int64('A sequence number for a specific generation of the desired state. Set by the system; read-only.'),
        labels: stringMap('Map of string keys and values used to organize and select objects.'),
        managedFields: arrayOf(
          d.ref(defs.managedFieldsEntry),
          'ManagedFields maps workflow IDs and versions to the fields they manage. Mostly for internal ' +
            'housekeeping; users should not need to set or understand it.',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
        name: str('Name is unique within a namespace. It is required when creating, unless generateName is set. It cannot be updated.'),
        namespace: str(
          'Namespace scopes the name. Empty is the "default" namespace for namespaced kinds; ' +
            'cluster-scoped objects have none. It cannot be updated.',
        ),
        ownerReferences: arrayOf(
          d.ref(defs.ownerReference),
          'Objects this object depends on. When all of them are deleted, this object is garbage collected.',
          {
            'x-kubernetes-list-map-keys': ['uid'],
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-patch-merge-key': 'uid',
            'x-kubernetes-patch-strategy': 'merge',
          },
        ),
        resourceVersion: str(
          'An opaque value for the internal version of this object, for optimistic concurrency, change ' +
            'detection and watches. Clients must not interpret it. Set by the system; read-only.',
        ),
        selfLink: str('Deprecated; not set by the system.'),
        uid: str('UID is unique in time and space for this object. Set by the system; read-only.'),
      },
    },
    [defs.listMeta]: {
      type: 'object',
      description: 'ListMeta is the metadata synthetic resources such as lists have.',
      properties: {
        continue: str(
          'Set when more items are available: pass it as the continue parameter to get the next chunk. ' +
            'It is opaque and expires.',
        ),
        remainingItemCount: int64(
          'The number of items after this chunk, when the list was paged and the count is known. It may be an estimate.',
        ),
        resourceVersion: str(
          'The version of the list, opaque to clients; a watch started from it sees every later change.',
        ),
        selfLink: str('Deprecated; not set by the system.'),
      },
    },
    [defs.statusCause]: {
      type: 'object',
      description: 'StatusCause gives more detail about one reason a request failed.',
      properties: {
        field: str('The field of the resource that caused the error, as a path such as "spec.ports[0].name", if any.'),
        message: str('A human-readable description of the cause.'),
        reason: str('A machine-readable reason; empty when unknown.'),
      },
    },
    [defs.statusDetails]: {
      type: 'object',
      description: 'StatusDetails is set by the server on errors that have more to say than the reason.',
      properties: {
        causes: arrayOf(d.ref(defs.statusCause), 'The causes of the error, when there is more than the reason.', {
          'x-kubernetes-list-type': 'atomic',
        }),
        group: str('The group of the resource the status is about.'),
        kind: str(`The kind of the resource the status is about. More info: ${conventions}#types-kinds`),
        name: str('The name of the resource the status is about, when there is one.'),
        retryAfterSeconds: int32('When set, the number of seconds the client should wait before retrying.'),
        uid: str('The UID of the resource the status is about, when there is one.'),
      },
    },
    [defs.status]: {
      type: 'object',
      description: 'Status is the result of an operation that does not return an object, and of every failure.',
      properties: {
        ...typeMeta(),
        code: int32('The HTTP status code of this status, 0 when not set.'),
        details: d.refWithDescription(defs.statusDetails, 'Extended data associated with the reason.'),
        message: str('A human-readable description of the status.'),
        metadata: d.refWithDescription(defs.listMeta, listMetaDescription),
        reason: str('A machine-readable reason when status is "Failure", such as NotFound, Conflict or Invalid.'),
        status: str(`"Success" or "Failure". More info: ${conventions}#spec-and-status`),
      },
      ...gvk('', 'v1', 'Status'),
    },
    [defs.preconditions]: {
      type: 'object',
      description: 'Preconditions must hold before an operation is carried out.',
      properties: {
        resourceVersion: str('The object must have this resourceVersion.'),
        uid: str('The object must have this UID.'),
      },
    },
    [defs.deleteOptions]: {
      type: 'object',
      description: 'DeleteOptions may be sent as the body of a DELETE request.',
      properties: {
        ...typeMeta(),
        dryRun: arrayOf(
          { type: 'string' },
          'When present, the deletion is validated but not persisted. The only valid value is "All".',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
        gracePeriodSeconds: int64(
          'Seconds before the object should be deleted; a positive integer, or zero to delete immediately.',
        ),
        orphanDependents: bool(
          'Deprecated, use propagationPolicy. Whether dependents are orphaned; conflicts with propagationPolicy.',
        ),
        preconditions: d.refWithDescription(
          defs.preconditions,
          'Must be fulfilled before the deletion is carried out, else the request fails with 409 Conflict.',
        ),
        propagationPolicy: str(
          'Whether and how garbage collection deletes dependents: "Orphan", "Background" or "Foreground".',
        ),
      },
      ...gvk('', 'v1', 'DeleteOptions'),
    },
    [defs.watchEvent]: {
      type: 'object',
      description: 'WatchEvent is one event of a watch stream.',
      required: ['type', 'object'],
      properties: {
        object: d.refWithDescription(
          defs.rawExtension,
          'The object of the event: the object as it is now for ADDED and MODIFIED, as it was last for ' +
            'DELETED, a Status for ERROR and an object with only metadata.resourceVersion for BOOKMARK.',
        ),
        type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
      },
      ...gvk('', 'v1', 'WatchEvent'),
    },
  };
}

/** autoscaling/v1 Scale, read and written through `/scale` subresources. */
export function scaleDefinitions(d: Dialect): Record<string, JsonObject> {
  return {
    [defs.scale]: {
      type: 'object',
      description: 'Scale represents the scaling request and state of a resource with a scale subresource.',
      properties: {
        ...typeMeta(),
        metadata: d.refWithDescription(defs.objectMeta, objectMetaDescription),
        spec: d.refWithDescription(defs.scaleSpec, 'The desired scale of the object.'),
        status: d.refWithDescription(defs.scaleStatus, 'The current scale of the object. Read-only.'),
      },
      ...gvk('autoscaling', 'v1', 'Scale'),
    },
    [defs.scaleSpec]: {
      type: 'object',
      description: 'ScaleSpec is the desired scale.',
      properties: { replicas: int32('The desired number of instances of the scaled object.') },
    },
    [defs.scaleStatus]: {
      type: 'object',
      description: 'ScaleStatus is the observed scale.',
      required: ['replicas'],
      properties: {
        replicas: int32('The observed number of instances of the scaled object.'),
        selector: str(
          'The label selector of the pods (or other instances) counted in replicas, as a string in the ' +
            'selector query syntax.',
        ),
      },
    },
  };
}
