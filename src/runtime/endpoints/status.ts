// Every error leaves the server as a metav1.Status (API-CONTRACT 7.1), including fastify's own
// (body too large, unsupported media type, bad JSON, bad URL) and unknown routes. The message
// forms follow k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go and
// k8s.io/apimachinery pkg/api/errors/errors.go.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StatusError, errors, type Status, type StatusReason } from '../errors.js';

/** kube's message for a path no handler serves (apimachinery errors.NewNotFound of ""). */
export const notFoundMessage = 'the server could not find the requested resource';

/** The reason kube uses for a bare HTTP code (apimachinery errors.NewGenericServerResponse). */
const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Maps any thrown value to a StatusError; unknown errors become 500 InternalError. */
export function toStatusError(err: unknown, maxBodyBytes: number): { error: StatusError; internal: boolean } {
  if (err instanceof StatusError) return { error: err, internal: false };
  const e = err as Partial<FastifyError> & { message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: errors.tooLarge(`Request entity too large: limit is ${maxBodyBytes}`), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: errors.unsupportedMediaType('', ['application/json', 'application/yaml']), internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { error: errors.badRequest('the body of the request is empty'), internal: false };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: errors.badRequest(e.message ?? 'invalid request body'), internal: false };
    case 'FST_ERR_BAD_URL':
      return { error: errors.badRequest(e.message ?? 'malformed URL'), internal: false };
    case 'FST_ERR_NOT_FOUND':
      return { error: new StatusError('NotFound', notFoundMessage, {}), internal: false };
    default:
      break;
  }
  // JSON.parse errors from fastify's body parser carry statusCode 400.
  if (err instanceof SyntaxError || (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)) {
    const code = e.statusCode ?? 400;
    const reason = reasonByCode[code] ?? 'BadRequest';
    return { error: new StatusError(reason, e.message || reason, undefined, code), internal: false };
  }
  return { error: errors.internal(err), internal: true };
}

/** Sends `status` as the response (application/json), whatever the request asked for. */
export function sendStatus(reply: FastifyReply, status: Status): FastifyReply {
  if (status.reason === 'TooManyRequests' && status.details?.retryAfterSeconds !== undefined) {
    reply.header('Retry-After', String(status.details.retryAfterSeconds));
  }
  return reply.code(status.code).type('application/json').send(JSON.stringify(status));
}

/**
 * Installs the error handler, the not-found handler and the framework-error handler on the
 * root instance; child plugins inherit them. 500s are logged with the request; nothing else.
 */
export function installStatusHandlers(app: FastifyInstance, opts: { maxRequestBodyBytes: number }): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { error, internal } = toStatusError(err, opts.maxRequestBodyBytes);
    if (internal) request.log.error({ err }, 'internal error serving %s %s', request.method, request.url);
    if (reply.sent || reply.raw.headersSent) {
      // A stream (watch) already started: the status line is gone, so only end the response.
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    return sendStatus(reply, error.toStatus());
  });
  app.setNotFoundHandler((_request, reply) => {
    return sendStatus(reply, new StatusError('NotFound', notFoundMessage, {}).toStatus());
  });
}

/** fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding...). */
export function frameworkErrorHandler(maxRequestBodyBytes: number) {
  return (err: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
    sendStatus(reply, toStatusError(err, maxRequestBodyBytes).error.toStatus());
  };
}
