// `--request-timeout`: a request other than a long-running one (a watch) that is not answered
// within the timeout gets 504, as k8s.io/apiserver's WithRequestDeadline
// (pkg/endpoints/filters/request_deadline.go) and WithTimeoutForNonLongRunningRequests
// (pkg/server/filters/timeout.go: NewTimeoutError("request did not complete within the allotted
// timeout")) do. A `?timeout=` shorter than the flag shortens it; one that is not a Go duration
// is 400. The clock starts before authentication and covers reading the body. When the handler
// has already started its response, Go aborts the connection (http.ErrAbortHandler); so does this.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseGoDuration } from '../auth/options.js';
import { errors } from '../errors.js';
import { sendStatus } from '../endpoints/status.js';
import { isLongRunning } from './chain.js';

/** Installs the timer as an onRequest hook; register it before authentication. 0: no timeout. */
export function installRequestTimeout(app: FastifyInstance, maxTimeoutMs: number): void {
  if (maxTimeoutMs <= 0) return;
  app.addHook('onRequest', (request, reply, done) => {
    if (isLongRunning(request)) return done();
    const given = userTimeout(request);
    if (typeof given === 'string') {
      sendStatus(reply, errors.badRequest(given).toStatus());
      return;
    }
    // 0 or more than the flag: the flag's (request_deadline.go).
    const timeoutMs = given !== undefined && given > 0 && given < maxTimeoutMs ? given : maxTimeoutMs;
    const timer = setTimeout(() => {
      if (reply.raw.writableEnded) return;
      if (reply.sent || reply.raw.headersSent) {
        request.raw.socket?.destroy();
        return;
      }
      request.log.warn('request %s %s did not complete within %d ms', request.method, request.url, timeoutMs);
      sendStatus(reply, errors.timeout('request did not complete within the allotted timeout', {}).toStatus());
    }, timeoutMs);
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}

/** `?timeout=` in milliseconds; undefined when absent; the 400 message when it is not a Go duration. */
function userTimeout(request: FastifyRequest): number | string | undefined {
  const raw = (request.query as Record<string, unknown> | undefined)?.['timeout'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = parseGoDuration(value);
  if (ms !== undefined) return ms;
  return `invalid timeout specified in the request URL - ${goDurationError(value)}`;
}

/** time.ParseDuration's error text. */
function goDurationError(value: string): string {
  const quoted = JSON.stringify(value);
  if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(value)) return `time: missing unit in duration ${quoted}`;
  const unit = /^[-+]?(?:\d+\.?\d*|\.\d+)([^\d.]+)/.exec(value)?.[1];
  if (unit && !['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'].includes(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
  return `time: invalid duration ${quoted}`;
}
