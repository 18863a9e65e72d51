// `--request-timeout`: a request other than a long-running one (a watch) that is not answered
// within the timeout gets 504, as k8s.io/apiserver's WithRequestDeadline and
// WithTimeoutForNonLongRunningRequests do (pkg/server/filters/timeout.go:
// NewTimeoutError("request did not complete within the allotted timeout")). The clock starts
// before authentication and covers reading the body. When the handler has already started its
// response, Go aborts the connection (http.ErrAbortHandler); so does this.
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { sendStatus } from '../endpoints/status.js';
import { isLongRunning } from './chain.js';

/** Installs the timer as an onRequest hook; register it before authentication. 0: no timeout. */
export function installRequestTimeout(app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  app.addHook('onRequest', (request, reply, done) => {
    if (!isLongRunning(request)) {
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
    }
    done();
  });
}
