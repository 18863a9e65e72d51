// Runtime errors are values with a Kubernetes reason and HTTP code; `toStatus` is the one
// translator to metav1.Status. Message forms follow k8s.io/apimachinery/pkg/api/errors/errors.go.
import type { FieldError } from './api.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'Gone'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

const codes: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Expired: 410,
  Gone: 410,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  RequestEntityTooLarge: 413,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that becomes a metav1.Status on the wire. */
export class StatusError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: StatusDetails;

  constructor(reason: StatusReason, message: string, details?: StatusDetails, code?: number) {
    super(message);
    this.name = 'StatusError';
    this.reason = reason;
    this.code = code ?? codes[reason];
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function isStatusError(e: unknown, reason?: StatusReason): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}

/** A resource named as kube names it in messages: `flunders.wardle.example.com`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export const errors = {
  notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError('NotFound', `${qualified(gr)} "${name}" not found`, {
      name,
      group: gr.group,
      kind: gr.resource,
    });
  },
  alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError('AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
      name,
      group: gr.group,
      kind: gr.resource,
    });
  },
  conflict(gr: GroupResource, name: string, why: string): StatusError {
    return new StatusError('Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
      name,
      group: gr.group,
      kind: gr.resource,
    });
  },
  /** The optimistic-concurrency conflict (resourceVersion mismatch). */
  modified(gr: GroupResource, name: string): StatusError {
    return errors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  /** `Kind.group "name" is invalid: f: err, f2: err2` with one cause per field error. */
  invalid(group: string, kind: string, name: string, fieldErrors: readonly FieldError[]): StatusError {
    const causes = fieldErrors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    const list = fieldErrors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
    const aggregate = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    return new StatusError('Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregate}`, {
      name,
      group,
      kind,
      causes,
    });
  },
  badRequest(message: string): StatusError {
    return new StatusError('BadRequest', message);
  },
  expired(message: string): StatusError {
    return new StatusError('Expired', message);
  },
  methodNotAllowed(verb: string, gr: GroupResource): StatusError {
    return new StatusError('MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`);
  },
  notAcceptable(accepted: readonly string[]): StatusError {
    return new StatusError(
      'NotAcceptable',
      `only the following media types are accepted: ${accepted.join(', ')}`,
    );
  },
  unsupportedMediaType(contentType: string, accepted: readonly string[]): StatusError {
    return new StatusError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      contentType ? { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] } : undefined,
    );
  },
  tooLarge(message = 'Request entity too large: limit is 3145728'): StatusError {
    return new StatusError('RequestEntityTooLarge', message);
  },
  unauthorized(message = 'Unauthorized'): StatusError {
    return new StatusError('Unauthorized', message);
  },
  forbidden(message: string, details?: StatusDetails): StatusError {
    return new StatusError('Forbidden', message, details);
  },
  internal(err: unknown): StatusError {
    const why = err instanceof Error ? err.message : String(err);
    return new StatusError('InternalError', `Internal error occurred: ${why}`, {
      causes: [{ message: why }],
    });
  },
  timeout(message: string, details?: StatusDetails): StatusError {
    return new StatusError('Timeout', `Timeout: ${message}`, details);
  },
  serviceUnavailable(message: string): StatusError {
    return new StatusError('ServiceUnavailable', message);
  },
};

/** The body of a field error as kube prints it: `Invalid value: "x": must be ...`. */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueForbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'FieldValueTooLong':
      return e.detail ? `Too long: ${e.detail}` : 'Too long';
    case 'FieldValueTooMany':
      return e.detail ? `Too many: ${e.detail}` : 'Too many';
    case 'InternalError':
      return `Internal error: ${e.detail}`;
    default: {
      const label = fieldErrorLabels[e.type] ?? 'Invalid value';
      const value = e.value === undefined ? '' : `: ${formatValue(e.value)}`;
      return e.detail ? `${label}${value}: ${e.detail}` : `${label}${value}`;
    }
  }
}

const fieldErrorLabels: Partial<Record<FieldError['type'], string>> = {
  FieldValueNotFound: 'Not found',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTypeInvalid: 'Invalid value',
};

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Thrown by code that knows which fields are bad but not which object they belong to (a
 * hand-written conversion, say): the registry answers 422 Invalid for the object being written.
 */
export class InvalidFieldsError extends Error {
  readonly fieldErrors: readonly FieldError[];

  constructor(fieldErrors: readonly FieldError[]) {
    super(fieldErrors.map((e) => `${e.field}: ${fieldErrorBody(e)}`).join(', '));
    this.name = 'InvalidFieldsError';
    this.fieldErrors = fieldErrors;
  }
}
