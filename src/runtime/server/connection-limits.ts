// Connections end as Go's net/http server ends them in k8s.io/apiserver
// (pkg/server/secure_serving.go: ReadHeaderTimeout 32 s, IdleTimeout 90 s, MaxHeaderBytes 1 MiB),
// so that sockets which never finish a request cannot pile up:
//
//   - a TLS handshake gets the header timeout (Go's tlsHandshakeTimeout is ReadHeaderTimeout);
//   - after it, the request head gets the header timeout again (Node's headersTimeout, checked
//     every connectionsCheckingInterval), then the socket is closed without an answer, as Go does;
//   - a kept-alive connection with no next request closes after the idle timeout;
//   - a request head over MaxHeaderBytes gets 431 and the connection closes; other unparsable
//     requests get 400 and the connection closes (Go's "400 Bad Request");
//   - a response sent before the request body was read closes the connection (`Connection:
//     close`), instead of Node's default of reading and dropping the rest of the body for as long
//     as the client sends it (Go discards at most 256 KiB of it and closes when there is more;
//     here the connection closes whatever is left).
//
// Node's defaults are looser (measured with fastify 5 on Node 20 and a client that reads): a
// silent TLS connection or an unfinished head was closed after 90 s (headersTimeout 60 s,
// checked every 30 s), a TCP connection without a handshake after 120 s, an idle one after 72 s,
// and a request head over 16 KiB got fastify's 431 without a Status.
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Status } from '../errors.js';

export interface ConnectionLimits {
  /** Go's ReadHeaderTimeout: TLS handshake, then the request head. */
  readonly readHeaderTimeoutMs: number;
  /** Go's IdleTimeout: a kept-alive connection waiting for its next request. */
  readonly idleTimeoutMs: number;
  /** Go's MaxHeaderBytes: request line and headers. */
  readonly maxHeaderBytes: number;
}

/** secure_serving.go's values. */
export const goServingLimits: ConnectionLimits = {
  readHeaderTimeoutMs: 32_000,
  idleTimeoutMs: 90_000,
  maxHeaderBytes: 1 << 20,
};

/** Options for https.createServer (inside fastify's `https`). */
export function httpsServerOptions(l: ConnectionLimits) {
  return {
    handshakeTimeout: l.readHeaderTimeoutMs,
    headersTimeout: l.readHeaderTimeoutMs,
    // Node looks for expired request heads this often; 30 s by default would let a 32 s timeout
    // last a minute. The check walks the list of open connections: cheap at this rate.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(l.readHeaderTimeoutMs / 4))),
    maxHeaderSize: l.maxHeaderBytes,
  };
}

/** Options for fastify() itself. */
export function fastifyConnectionOptions(l: ConnectionLimits) {
  return {
    keepAliveTimeout: l.idleTimeoutMs,
    // Body reads are bounded by --request-timeout (timeout.ts), as in Go, not by Node's own
    // whole-request timer.
    requestTimeout: 0,
    clientErrorHandler: clientErrorHandler(l),
  };
}

/** Errors of a connection before any request exists (fastify's clientErrorHandler; https.Server passes TLS errors too). */
function clientErrorHandler(l: ConnectionLimits) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (socket.destroyed) return;
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      answerAndClose(socket, 431, 'Request Header Fields Too Large', `request header fields too large: limit is ${l.maxHeaderBytes}`);
    } else if (err.code?.startsWith('HPE_')) {
      answerAndClose(socket, 400, 'Bad Request', 'the server could not parse the request', 'BadRequest');
    } else {
      // A TLS handshake that failed or timed out, a request head that did not arrive in time
      // (Go closes those without a response, where Node would answer 408), a reset.
      socket.destroy();
    }
  };
}

/** How long an error answer may take to leave before the socket is cut anyway. */
const answerGraceMs = 1000;

function answerAndClose(socket: Socket, code: number, text: string, message: string, reason?: string): void {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    ...(reason ? { reason } : {}),
    code,
  };
  const body = JSON.stringify(status);
  // Only when no response of this connection has started (as Node's own handler checks).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.end(
      `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
  setTimeout(() => socket.destroy(), answerGraceMs).unref();
}

/**
 * A response that leaves the request body unread (401, 403, 413, 429, 504...) closes the
 * connection once written: the client learns it from `Connection: close`, and Node then destroys
 * the socket instead of draining the body.
 */
export function installUnreadBodyClose(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, _payload, done) => {
    if (hasUnreadBody(request)) reply.header('Connection', 'close');
    done();
  });
}

function hasUnreadBody(request: FastifyRequest): boolean {
  const raw = request.raw;
  if (raw.complete) return false;
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
