// Errors a client call can end in. A server answer that is not 2xx becomes an ApiError carrying
// the metav1.Status it sent (or one synthesized from the HTTP code when the body is not a Status),
// so callers branch on reasons exactly as client-go callers do with
// k8s.io/apimachinery/pkg/api/errors (IsNotFound, IsConflict, ...). Failures that never reached
// a server answer (no cluster in the kubeconfig, a malformed watch line) are ClientErrors.
import { StatusError, type Status, type StatusCause, type StatusReason } from '../errors.js';

const knownReasons: ReadonlySet<string> = new Set<StatusReason>([
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Invalid',
  'Expired',
  'Gone',
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'MethodNotAllowed',
  'NotAcceptable',
  'UnsupportedMediaType',
  'RequestEntityTooLarge',
  'TooManyRequests',
  'InternalError',
  'ServiceUnavailable',
  'Timeout',
]);

/**
 * The reason and message client-go gives a response whose body is not a Status
 * (k8s.io/apimachinery/pkg/api/errors/errors.go NewGenericServerResponse).
 */
const genericResponses: Readonly<Record<number, readonly [StatusReason, string]>> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the server reported that the resource is gone'],
  413: ['RequestEntityTooLarge', 'the server rejected the request because it is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to process the content type of the request'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** A non-2xx answer from the server, with the Status it sent. */
export class ApiError extends StatusError {
  /** The Status body as received (or synthesized from the HTTP code for other bodies). */
  readonly status: Status;
  /** The reason string as the server sent it (may be one this client does not know). */
  readonly serverReason: string;

  constructor(status: Status) {
    const reason = knownReasons.has(status.reason ?? '') ? (status.reason as StatusReason) : reasonForCode(status.code);
    super(reason, status.message ?? `the server responded with status ${status.code}`, status.details, status.code);
    this.name = 'ApiError';
    this.status = status;
    this.serverReason = status.reason ?? '';
  }

  /** Field causes (for Invalid: one per rejected field). */
  get causes(): readonly StatusCause[] {
    return this.details?.causes ?? [];
  }
}

/**
 * 410: the resourceVersion (or continue token) asked for is no longer available. Informers
 * relist on it; a watch surfaces it whether it came as HTTP 410 or as an ERROR event.
 */
export class ExpiredError extends ApiError {
  constructor(status: Status) {
    super(status);
    this.name = 'ExpiredError';
  }
}

function reasonForCode(code: number): StatusReason {
  return genericResponses[code]?.[0] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
}

function isStatus(body: unknown): body is Status {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { kind?: unknown }).kind === 'Status' &&
    typeof (body as { code?: unknown }).code === 'number'
  );
}

/** The typed error for a Status (from a response body or a watch ERROR event). */
export function errorFromStatus(status: Status): ApiError {
  return status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone'
    ? new ExpiredError(status)
    : new ApiError(status);
}

/**
 * The typed error for a non-2xx response. A Status body is taken as is (its code defaults to
 * the HTTP code); any other body becomes a Status with client-go's generic message and the body
 * (cut to 1 KiB) as an `UnexpectedServerResponse` cause.
 */
export function errorFromResponse(httpCode: number, body: string): ApiError {
  let parsed: unknown;
  try {
    parsed = body === '' ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return errorFromStatus({ ...parsed, code: parsed.code || httpCode });
  const [reason, message] = genericResponses[httpCode] ?? [
    reasonForCode(httpCode),
    `an error on the server ("${body.slice(0, 256)}") has prevented the request from succeeding`,
  ];
  const text = body.trim();
  return errorFromStatus({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code: httpCode,
    ...(text ? { details: { causes: [{ reason: 'UnexpectedServerResponse', message: text.slice(0, 1024) }] } } : {}),
  });
}

export type ClientErrorCode =
  /** The kubeconfig has no current context or cluster. */
  | 'NoCluster'
  /** A namespaced call (get, update, delete...) on a client made without a namespace. */
  | 'NamespaceRequired'
  /** An object passed to create/update has no metadata.name where one is needed. */
  | 'NameRequired'
  /** A selector given as a record holds a key or value that cannot be written as a selector. */
  | 'InvalidSelector'
  /** The server sent a watch line or response body that is not JSON. */
  | 'Decode'
  /** The connection failed (refused, reset, TLS) before a complete answer arrived. */
  | 'Transport';

/** A failure on the client side of the wire; `code` is stable. */
export class ClientError extends Error {
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientError';
    this.code = code;
  }
}

export function isClientError(e: unknown, code?: ClientErrorCode): e is ClientError {
  return e instanceof ClientError && (code === undefined || e.code === code);
}

/**
 * True when `e` is a StatusError with `reason`, or, when the server sent a reason this client
 * does not know, with `code` (client-go's reasonAndCodeForError fallback).
 */
function hasReason(e: unknown, reason: StatusReason, code: number): boolean {
  if (!(e instanceof StatusError)) return false;
  if (e.reason === reason) return true;
  const sent = e instanceof ApiError ? e.serverReason : e.reason;
  return !knownReasons.has(sent) && e.code === code;
}

export const isNotFound = (e: unknown): e is StatusError => hasReason(e, 'NotFound', 404);
/** No code fallback: a bare 409 is a Conflict (client-go IsAlreadyExists). */
export const isAlreadyExists = (e: unknown): e is StatusError => e instanceof StatusError && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): e is StatusError => hasReason(e, 'Conflict', 409);
export const isInvalid = (e: unknown): e is StatusError => hasReason(e, 'Invalid', 422);
export const isBadRequest = (e: unknown): e is StatusError => hasReason(e, 'BadRequest', 400);
export const isForbidden = (e: unknown): e is StatusError => hasReason(e, 'Forbidden', 403);
export const isUnauthorized = (e: unknown): e is StatusError => hasReason(e, 'Unauthorized', 401);
export const isTimeout = (e: unknown): e is StatusError => hasReason(e, 'Timeout', 504);
export const isTooManyRequests = (e: unknown): e is StatusError => hasReason(e, 'TooManyRequests', 429);
/** Expired or Gone (410): what a reflector relists on (client-go tools/cache/reflector.go isExpiredError). */
export const isExpired = (e: unknown): e is StatusError =>
  e instanceof StatusError && (e.reason === 'Expired' || e.reason === 'Gone' || e.code === 410);
