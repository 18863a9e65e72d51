// Query and path parameters of the resource operations: the options structs of
// k8s.io/apimachinery pkg/apis/meta/v1/types.go (ListOptions, GetOptions, CreateOptions,
// UpdateOptions, PatchOptions, DeleteOptions) as kube-apiserver publishes them, and which
// operation takes which (API-CONTRACT.md 3.2). Descriptions are ours.
import type { Dialect } from './dialect.js';
import type { JsonObject } from './order.js';

type ParamType = 'string' | 'integer' | 'boolean';

interface QueryParamSpec {
  readonly type: ParamType;
  readonly description: string;
  readonly enum?: readonly string[];
}

const query = {
  pretty: { type: 'string', description: "If 'true', the output is pretty printed." },
  dryRun: {
    type: 'string',
    description:
      'When present, the request is validated and defaulted but nothing is persisted. The only valid value is "All".',
  },
  fieldManager: {
    type: 'string',
    description:
      'A name for the actor making the change, at most 128 printable characters. Required for apply patches; ' +
      'for other requests it defaults from the user agent.',
  },
  fieldValidation: {
    type: 'string',
    description:
      'What to do with unknown or duplicate fields in the body: "Ignore" drops them, "Warn" drops them and ' +
      'answers with a Warning header for each, "Strict" fails the request with 400 Bad Request.',
    enum: ['Ignore', 'Warn', 'Strict'],
  },
  force: {
    type: 'boolean',
    description:
      'Force an apply patch: take ownership of the fields other managers own instead of failing with a conflict. ' +
      'Only valid with apply patches.',
  },
  labelSelector: { type: 'string', description: 'A selector on labels that returned objects must match. Defaults to everything.' },
  fieldSelector: {
    type: 'string',
    description:
      'A selector on fields that returned objects must match, such as metadata.name=x. Defaults to everything.',
  },
  limit: {
    type: 'integer',
    description:
      'The most items to return. When more exist, the list metadata carries a continue token for the next chunk.',
  },
  continue: {
    type: 'string',
    description:
      'The continue token of the previous chunk of a paged list. An expired token fails with 410 Gone; list again from the start.',
  },
  resourceVersion: {
    type: 'string',
    description:
      'Which state to read: unset for the latest, "0" for any, otherwise a resourceVersion the result must not be ' +
      'older than (or, with resourceVersionMatch=Exact, must equal). For a watch, where to start.',
  },
  resourceVersionMatch: {
    type: 'string',
    description: 'How resourceVersion applies to a list: "NotOlderThan" or "Exact". Requires resourceVersion.',
  },
  watch: {
    type: 'boolean',
    description: 'Watch for changes of the selected objects instead of listing them; the response is a stream of events.',
  },
  allowWatchBookmarks: {
    type: 'boolean',
    description: 'Ask a watch for BOOKMARK events, which only carry a resourceVersion. The server may send none.',
  },
  sendInitialEvents: {
    type: 'boolean',
    description:
      'For a watch with resourceVersionMatch=NotOlderThan: first send the current state as ADDED events, then a ' +
      'BOOKMARK marking the end of it, then the changes.',
  },
  timeoutSeconds: {
    type: 'integer',
    description: 'A limit on the duration of the list or watch call, whatever activity there is.',
  },
  gracePeriodSeconds: {
    type: 'integer',
    description: 'Seconds before the object should be deleted: a non-negative integer, zero deletes immediately.',
  },
  propagationPolicy: {
    type: 'string',
    description: 'Whether and how garbage collection deletes dependents: "Orphan", "Background" or "Foreground".',
  },
  orphanDependents: {
    type: 'boolean',
    description: 'Deprecated, use propagationPolicy. Whether dependents are orphaned; conflicts with propagationPolicy.',
  },
} as const satisfies Record<string, QueryParamSpec>;

export type QueryParamName = keyof typeof query;

/** The query parameters of each action (path-level `pretty` aside). */
export const queryParamsByAction = {
  get: ['resourceVersion'],
  list: [
    'allowWatchBookmarks',
    'continue',
    'fieldSelector',
    'labelSelector',
    'limit',
    'resourceVersion',
    'resourceVersionMatch',
    'sendInitialEvents',
    'timeoutSeconds',
    'watch',
  ],
  post: ['dryRun', 'fieldManager', 'fieldValidation'],
  put: ['dryRun', 'fieldManager', 'fieldValidation'],
  patch: ['dryRun', 'fieldManager', 'fieldValidation', 'force'],
  delete: ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'],
  deletecollection: [
    'continue',
    'dryRun',
    'fieldSelector',
    'gracePeriodSeconds',
    'labelSelector',
    'limit',
    'orphanDependents',
    'propagationPolicy',
    'resourceVersion',
    'resourceVersionMatch',
    'sendInitialEvents',
    'timeoutSeconds',
  ],
} as const satisfies Record<string, readonly QueryParamName[]>;

/** A query parameter in the given dialect. */
export function queryParameter(name: QueryParamName, d: Dialect): JsonObject {
  const spec: QueryParamSpec = query[name];
  const enumValues = spec.enum !== undefined ? { enum: [...spec.enum] } : {};
  if (d.version === 'v2') {
    return { name, in: 'query', description: spec.description, type: spec.type, uniqueItems: true, ...enumValues };
  }
  return { name, in: 'query', description: spec.description, schema: { type: spec.type, uniqueItems: true, ...enumValues } };
}

/** A path parameter (`namespace`, `name`) in the given dialect; path parameters are always required. */
export function pathParameter(name: string, description: string, d: Dialect): JsonObject {
  if (d.version === 'v2') return { name, in: 'path', required: true, description, type: 'string', uniqueItems: true };
  return { name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } };
}
