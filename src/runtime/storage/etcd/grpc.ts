// gRPC over node:http2, the part etcd needs: unary calls and one bidirectional stream per watch,
// on one HTTP/2 connection to one of the endpoints at a time (gRPC's PROTOCOL-HTTP2.md: POST to
// /<service>/<method>, `content-type: application/grpc`, `te: trailers`, length-prefixed
// messages, the status in the `grpc-status` / `grpc-message` trailers, or in the headers of a
// trailers-only answer). No compression, no retries (a retried txn could apply twice: callers
// decide), no load balancing: a connection that fails is dropped and the next call connects to
// the next endpoint.
//
// Why not @grpc/grpc-js + protobufjs (the etcd3 package): they cost two to three times the CPU per call
// (bench/README.md, section 2), and on a 2-core machine that CPU is the etcd3 backend's limit.

import http2 from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';

/** gRPC status codes we produce or act on (grpc's doc/statuscodes.md). */
export const GrpcStatus = { OK: 0, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Decodes one received message, given as buf[start, end). */
export type Decode<T> = (buf: Buffer, start: number, end: number) => T;

export interface GrpcChannelOptions {
  /** http:// or https:// URLs; connections go to one at a time, the next one after a failure. */
  readonly endpoints: readonly string[];
  /** Unary call deadline in ms. */
  readonly timeoutMs: number;
}

export interface StreamHandlers {
  onMessage(buf: Buffer, start: number, end: number): void;
  /** The stream ended: `undefined` for an OK status, else why. Called once, not after cancel(). */
  onClose(err: GrpcError | undefined): void;
}

export interface GrpcStream {
  send(frame: Buffer): void;
  /** Ends the stream from our side (RST_STREAM CANCEL); onClose is not called after this. */
  cancel(): void;
}

interface InFlight {
  readonly deadline: number;
  readonly fail: (e: GrpcError) => void;
}

const MESSAGE_PREFIX = 5;

export class GrpcChannel {
  private current?: ClientHttp2Session;
  private nextEndpoint = 0;
  /** Unary calls in flight, oldest first: one timer checks their deadlines, in that order. */
  private readonly inFlight = new Set<InFlight>();
  private deadlineTimer?: NodeJS.Timeout;
  private readonly headers = new Map<string, http2.OutgoingHttpHeaders>();
  /** Sessions whose connection came up (a call on one may have reached etcd). */
  private readonly connected = new WeakSet<ClientHttp2Session>();
  private closed = false;

  constructor(private readonly opts: GrpcChannelOptions) {
    if (opts.endpoints.length === 0) throw new Error('a gRPC channel needs at least one endpoint');
  }

  /**
   * One request message, one response message. Rejects with GrpcError. A call whose connection
   * never came up (nothing reached etcd) is tried on the next endpoint, once per endpoint.
   */
  unary<T>(path: string, frame: Buffer, decode: Decode<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let stream: ClientHttp2Stream | undefined;
      const fail = (e: GrpcError): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(call);
        if (stream && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(e);
      };
      const call: InFlight = { deadline: performance.now() + this.opts.timeoutMs, fail };
      this.inFlight.add(call);
      this.deadlineTimer ??= this.startDeadlineTimer();

      const attempt = (triesLeft: number): void => {
        let session: ClientHttp2Session;
        try {
          session = this.session();
          stream = session.request(this.headersFor(path));
        } catch (e) {
          return fail(unavailable(e));
        }
        const s = stream;
        const outcome = trackStatus(s);
        let body: Buffer | undefined;
        s.on('data', (chunk: Buffer) => {
          body = body ? Buffer.concat([body, chunk]) : chunk;
        });
        s.on('close', () => {
          if (settled) return;
          const err = outcome.error();
          if (err && outcome.failed() && triesLeft > 0 && !this.connected.has(session)) {
            this.abandon(session);
            session.destroy();
            return attempt(triesLeft - 1);
          }
          if (err) return fail(err);
          let result: T;
          try {
            result = decode(...singleMessage(body));
          } catch (e) {
            return fail(new GrpcError(GrpcStatus.UNKNOWN, `malformed response to ${path}: ${messageOf(e)}`));
          }
          settled = true;
          this.inFlight.delete(call);
          resolve(result);
        });
        s.end(frame);
      };
      attempt(this.opts.endpoints.length - 1);
    });
  }

  /** A bidirectional stream (etcd's Watch). Messages may arrive split over or packed in chunks. */
  stream(path: string, handlers: StreamHandlers): GrpcStream {
    let stream: ClientHttp2Stream;
    try {
      stream = this.session().request(this.headersFor(path));
    } catch (e) {
      queueMicrotask(() => handlers.onClose(unavailable(e)));
      return { send: () => undefined, cancel: () => undefined };
    }
    let cancelled = false;
    let pending: Buffer | undefined;
    const outcome = trackStatus(stream);
    stream.on('data', (chunk: Buffer) => {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (!cancelled && buf.length - at >= MESSAGE_PREFIX) {
        const end = at + MESSAGE_PREFIX + buf.readUInt32BE(at + 1);
        if (end > buf.length) break;
        handlers.onMessage(buf, at + MESSAGE_PREFIX, end);
        at = end;
      }
      pending = at < buf.length ? buf.subarray(at) : undefined;
    });
    stream.on('close', () => {
      if (cancelled) return;
      cancelled = true;
      handlers.onClose(outcome.error());
    });
    return {
      send: (frame) => {
        if (!cancelled && !stream.closed) stream.write(frame);
      },
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  /** Ends the connection once calls in flight are done; later calls fail Unavailable. */
  close(): void {
    this.closed = true;
    clearInterval(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.current?.close();
    this.current = undefined;
  }

  private session(): ClientHttp2Session {
    if (this.closed) throw new GrpcError(GrpcStatus.UNAVAILABLE, 'the etcd client is closed');
    const s = this.current;
    if (s && !s.closed && !s.destroyed) return s;
    const endpoints = this.opts.endpoints;
    const url = endpoints[this.nextEndpoint % endpoints.length]!;
    const session = http2.connect(url);
    const drop = (): void => this.abandon(session);
    // Errors also reach each stream, which is where calls report them.
    session.on('error', drop);
    session.on('goaway', drop);
    session.on('close', drop);
    session.on('connect', () => this.connected.add(session));
    this.current = session;
    return session;
  }

  /** Stop using `session` for new calls (those in flight go on); the next connects to the next endpoint. */
  private abandon(session: ClientHttp2Session): void {
    if (this.current !== session) return;
    this.current = undefined;
    this.nextEndpoint++;
  }

  private headersFor(path: string): http2.OutgoingHttpHeaders {
    let h = this.headers.get(path);
    if (!h) {
      h = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' };
      this.headers.set(path, h);
    }
    return h;
  }

  /** Checks deadlines every tenth of the timeout (5 ms to 1 s): a late call fails within 1.1x. */
  private startDeadlineTimer(): NodeJS.Timeout {
    const timeout = this.opts.timeoutMs;
    const timer = setInterval(
      () => {
        const now = performance.now();
        for (const call of this.inFlight) {
          if (call.deadline > now) break;
          call.fail(new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, `etcd did not answer within ${timeout} ms`));
        }
      },
      Math.max(5, Math.min(1000, Math.floor(timeout / 10))),
    );
    timer.unref();
    return timer;
  }
}

/**
 * Follows how a call's stream ends: its gRPC status (in the trailers, or in the headers of a
 * trailers-only answer) or a stream error. Read once the stream has closed.
 */
function trackStatus(stream: ClientHttp2Stream): { error(): GrpcError | undefined; failed(): boolean } {
  let status: IncomingHttpHeaders | undefined;
  let streamError: Error | undefined;
  stream.on('response', (h) => {
    if (h['grpc-status'] !== undefined) status = h;
  });
  stream.on('trailers', (t) => {
    status = t;
  });
  stream.on('error', (e) => {
    streamError = e;
  });
  return { error: () => statusError(status, streamError, stream.rstCode), failed: () => streamError !== undefined };
}

/** The error a closed stream ended with, or undefined for grpc-status 0. */
function statusError(status: IncomingHttpHeaders | undefined, streamError: Error | undefined, rstCode: number | undefined): GrpcError | undefined {
  const code = status?.['grpc-status'];
  if (code !== undefined) {
    const n = Number(code);
    if (n === GrpcStatus.OK) return undefined;
    const raw = status?.['grpc-message'];
    return new GrpcError(Number.isInteger(n) ? n : GrpcStatus.UNKNOWN, decodeGrpcMessage(typeof raw === 'string' ? raw : `gRPC status ${code}`));
  }
  if (streamError) return unavailable(streamError);
  return new GrpcError(GrpcStatus.UNAVAILABLE, `the etcd stream closed without a status (HTTP/2 code ${rstCode ?? 'none'})`);
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md). */
function decodeGrpcMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The one message of a unary response body. */
function singleMessage(body: Buffer | undefined): [Buffer, number, number] {
  if (!body || body.length < MESSAGE_PREFIX) throw new Error('no response message');
  if (body[0] !== 0) throw new Error('compressed messages are not supported');
  const end = MESSAGE_PREFIX + body.readUInt32BE(1);
  if (end > body.length) throw new Error('truncated response message');
  return [body, MESSAGE_PREFIX, end];
}

function unavailable(e: unknown): GrpcError {
  return e instanceof GrpcError ? e : new GrpcError(GrpcStatus.UNAVAILABLE, messageOf(e));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
