// gRPC over HTTP/2 (h2.ts), the part etcd needs: unary calls and one bidirectional stream per
// watch, on one HTTP/2 connection to one of the endpoints at a time (gRPC's PROTOCOL-HTTP2.md:
// POST to /<service>/<method>, `content-type: application/grpc`, `te: trailers`, length-prefixed
// messages, the status in the `grpc-status` / `grpc-message` trailers, or in the headers of a
// trailers-only answer). No compression, no retries (a retried txn could apply twice: callers
// decide), no load balancing: a connection that fails is dropped and the next call connects to
// the next endpoint.
//
// Why not @grpc/grpc-js + protobufjs (the etcd3 package): they cost two to three times the CPU per call
// (bench/README.md, section 2), and on a 2-core machine that CPU is the etcd3 backend's limit.

import { H2Connection, H2Error, requestHeaders } from './h2.js';
import type { H2Stream, KeepaliveOptions, TlsClientOptions } from './h2.js';

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
  /** For https:// endpoints. */
  readonly tls?: TlsClientOptions;
  readonly keepalive?: KeepaliveOptions;
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
  /** The connection new calls go to, its URL, and the header block of each path on it. */
  private current?: { conn: H2Connection; url: URL; headers: Map<string, Buffer> };
  private nextEndpoint = 0;
  /** Unary calls in flight, oldest first: one timer checks their deadlines, in that order. */
  private readonly inFlight = new Set<InFlight>();
  private deadlineTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: GrpcChannelOptions) {
    if (opts.endpoints.length === 0) throw new Error('a gRPC channel needs at least one endpoint');
  }

  /**
   * One request message, one response message. Rejects with GrpcError. A call that reached no
   * server (its connection never came up, or the server refused the stream) is tried on the
   * next endpoint, once per endpoint.
   */
  unary<T>(path: string, frame: Buffer, decode: Decode<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let stream: H2Stream | undefined;
      const fail = (e: GrpcError): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(call);
        stream?.cancel();
        reject(e);
      };
      const call: InFlight = { deadline: performance.now() + this.opts.timeoutMs, fail };
      this.inFlight.add(call);
      this.deadlineTimer ??= this.startDeadlineTimer();

      const attempt = (triesLeft: number): void => {
        const status = new CallStatus();
        let body: Buffer | undefined;
        try {
          stream = this.open(path, {
            onHeaders: (fields) => status.headers(fields),
            onData: (chunk) => {
              body = body ? Buffer.concat([body, chunk]) : chunk;
            },
            onClose: (err) => {
              if (settled) return;
              if (err?.unprocessed && triesLeft > 0) return attempt(triesLeft - 1);
              const failed = status.error(err);
              if (failed) return fail(failed);
              let result: T;
              try {
                result = decode(...singleMessage(body));
              } catch (e) {
                return fail(new GrpcError(GrpcStatus.UNKNOWN, `malformed response to ${path}: ${messageOf(e)}`));
              }
              settled = true;
              this.inFlight.delete(call);
              resolve(result);
            },
          });
        } catch (e) {
          return fail(unavailable(e));
        }
        stream.write(frame, true);
      };
      attempt(this.opts.endpoints.length - 1);
    });
  }

  /** A bidirectional stream (etcd's Watch). Messages may arrive split over or packed in chunks. */
  stream(path: string, handlers: StreamHandlers): GrpcStream {
    let cancelled = false;
    let pending: Buffer | undefined;
    const status = new CallStatus();
    let stream: H2Stream;
    try {
      stream = this.open(path, {
        onHeaders: (fields) => status.headers(fields),
        onData: (chunk) => {
          const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
          let at = 0;
          while (!cancelled && buf.length - at >= MESSAGE_PREFIX) {
            const end = at + MESSAGE_PREFIX + buf.readUInt32BE(at + 1);
            if (end > buf.length) break;
            handlers.onMessage(buf, at + MESSAGE_PREFIX, end);
            at = end;
          }
          pending = at < buf.length ? buf.subarray(at) : undefined;
        },
        onClose: (err) => {
          if (cancelled) return;
          cancelled = true;
          handlers.onClose(status.error(err));
        },
      });
    } catch (e) {
      queueMicrotask(() => handlers.onClose(unavailable(e)));
      return { send: () => undefined, cancel: () => undefined };
    }
    return {
      send: (frame) => {
        if (!cancelled) stream.write(frame, false);
      },
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        stream.cancel();
      },
    };
  }

  /** Ends the connection once calls in flight are done; later calls fail Unavailable. */
  close(): void {
    this.closed = true;
    clearInterval(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.current?.conn.close();
    this.current = undefined;
  }

  private open(path: string, handlers: Parameters<H2Connection['open']>[1]): H2Stream {
    if (this.closed) throw new GrpcError(GrpcStatus.UNAVAILABLE, 'the etcd client is closed');
    let c = this.current;
    if (!c || !c.conn.usable) {
      const endpoints = this.opts.endpoints;
      const url = new URL(endpoints[this.nextEndpoint % endpoints.length]!);
      const conn: H2Connection = new H2Connection(url, {
        tls: this.opts.tls,
        keepalive: this.opts.keepalive,
        // Calls in flight go on; the next call connects to the next endpoint.
        onUnusable: () => {
          if (this.current?.conn !== conn) return;
          this.current = undefined;
          this.nextEndpoint++;
        },
      });
      c = { conn, url, headers: new Map() };
      this.current = c;
    }
    let block = c.headers.get(path);
    if (!block) {
      block = requestHeaders(c.url, path); // :authority and :scheme are the endpoint's
      c.headers.set(path, block);
    }
    return c.conn.open(block, handlers);
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
 * How a call ends: its gRPC status, from the trailers or from the headers of a trailers-only
 * answer, or the stream's failure.
 */
class CallStatus {
  private code: string | undefined;
  private message: string | undefined;

  headers(fields: readonly [string, string][]): void {
    for (const [name, value] of fields) {
      if (name === 'grpc-status') this.code = value;
      else if (name === 'grpc-message') this.message = value;
    }
  }

  /** The error the call ended with, or undefined for grpc-status 0. */
  error(streamError: H2Error | undefined): GrpcError | undefined {
    const code = this.code;
    if (code !== undefined) {
      const n = Number(code);
      if (n === GrpcStatus.OK) return undefined;
      return new GrpcError(Number.isInteger(n) ? n : GrpcStatus.UNKNOWN, decodeGrpcMessage(this.message ?? `gRPC status ${code}`));
    }
    if (streamError) return unavailable(streamError);
    return new GrpcError(GrpcStatus.UNAVAILABLE, 'the etcd stream closed without a gRPC status');
  }
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
