// An HTTP/2 client connection (RFC 9113), the part a gRPC client of etcd needs: streams opened
// with a HEADERS block, DATA both ways with flow control, response headers and trailers,
// RST_STREAM, SETTINGS, PING, GOAWAY. No server push (disabled), no priorities, no upgrade from
// HTTP/1.1: "prior knowledge" over TCP for http://, ALPN h2 over TLS for https://.
//
// Why not node:http2: per stream it builds an Http2Stream (a Duplex), converts headers both
// ways, and binds an AsyncResource whose deprecation wrappers alone cost more than our framing
// (bench/README.md, section 2); at thousands of etcd calls per second on two cores, that CPU is
// the etcd3 backend's limit. Frames produced in one tick go out in one socket write.

import net from 'node:net';
import tls from 'node:tls';
import { encodeHeaders, HpackDecoder } from './hpack.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER = 9;

const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}

const enum Flag {
  END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20,
}

const enum Setting {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
}

/** RFC 9113 section 7 error codes we send or name. */
export const H2Code = { NO_ERROR: 0x0, PROTOCOL_ERROR: 0x1, REFUSED_STREAM: 0x7, CANCEL: 0x8 } as const;

const DEFAULT_WINDOW = 65_535;
/** What we let the peer send before we acknowledge it, per stream and per connection. */
const RECEIVE_WINDOW = 16 * 1024 * 1024;
const MAX_WINDOW = 2 ** 31 - 1;
const MAX_STREAM_ID = 2 ** 31 - 1;

export class H2Error extends Error {
  constructor(
    message: string,
    /** Nothing of the stream reached the server (refused, or the connection never came up): safe to try elsewhere. */
    readonly unprocessed = false,
  ) {
    super(message);
  }
}

export interface H2StreamHandlers {
  /** Response headers (first call) or trailers (`end`), as received. */
  onHeaders(fields: [string, string][], end: boolean): void;
  onData(chunk: Buffer): void;
  /** The stream is over: `undefined` after END_STREAM from the server, else why. Called once. */
  onClose(err: H2Error | undefined): void;
}

export interface H2Stream {
  /** Sends `data` (queued while flow control holds it back); `end` half-closes our side. */
  write(data: Buffer, end: boolean): void;
  /** Ends the stream at once (RST_STREAM CANCEL); onClose is not called after this. */
  cancel(): void;
}

class Stream implements H2Stream {
  sendWindow: number;
  received = 0; // DATA bytes not yet acknowledged with WINDOW_UPDATE
  readonly pending: Buffer[] = [];
  endQueued = false;
  endSent = false;
  gotHeaders = false;
  closed = false;

  constructor(
    readonly conn: H2Connection,
    readonly id: number,
    readonly handlers: H2StreamHandlers,
    sendWindow: number,
  ) {
    this.sendWindow = sendWindow;
  }

  write(data: Buffer, end: boolean): void {
    if (this.closed || this.endQueued) return;
    if (data.length > 0) this.pending.push(data);
    this.endQueued = end;
    this.conn.flushStream(this);
  }

  cancel(): void {
    if (this.closed) return;
    this.conn.reset(this, H2Code.CANCEL);
  }
}

/** An opening waiting for the peer's MAX_CONCURRENT_STREAMS to allow it. */
interface Waiting {
  readonly block: Buffer;
  readonly handlers: H2StreamHandlers;
  readonly placeholder: { stream?: Stream; data: Buffer[]; end: boolean; cancelled: boolean };
}

/** TLS for https:// endpoints, as PEM text. */
export interface TlsClientOptions {
  /** The CAs to trust (default: node's bundled ones). */
  readonly ca?: string;
  /** A client certificate and its key, for servers that ask for one (etcd's --client-cert-auth). */
  readonly cert?: string;
  readonly key?: string;
}

/**
 * gRPC-style keepalive: while streams are open, a connection silent for `intervalMs` gets a
 * PING, and one still silent `timeoutMs` later is given up (its streams fail). Without it a
 * peer that vanished without closing (a partition, a host gone) would hold watches open and
 * silent for good.
 */
export interface KeepaliveOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface H2ConnectionOptions {
  /** Called once when the connection can take no new streams (GOAWAY, stream ids used up, failure, close). */
  readonly onUnusable?: () => void;
  readonly tls?: TlsClientOptions;
  readonly keepalive?: KeepaliveOptions;
}

export class H2Connection {
  private readonly socket: net.Socket;
  private readonly streams = new Map<number, Stream>();
  private readonly waiting: Waiting[] = [];
  private readonly decoder = new HpackDecoder();
  private nextStreamId = 1;
  private sendWindow = DEFAULT_WINDOW;
  private received = 0;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = 16_384;
  private peerMaxStreams = Infinity;
  /** Streams whose data waits for the connection window. */
  private readonly blocked = new Set<Stream>();
  private inbound: Buffer | undefined;
  /** A header block being received over HEADERS + CONTINUATION frames. */
  private headerBlock: { stream: number; end: boolean; parts: Buffer[] } | undefined;
  private outbound: Buffer[] = [];
  private flushScheduled = false;
  /** The socket is up and the preface sent: a stream sent on it may have reached the server. */
  connected = false;
  /** No new streams: GOAWAY received, ids used up, closing or failed. */
  private unusable = false;
  private closing = false;
  private failed: H2Error | undefined;
  /** When a frame last arrived, and when our keepalive PING went out (undefined: none waiting). */
  private lastFrameAt = performance.now();
  private pingSentAt: number | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;

  constructor(
    url: URL,
    private readonly opts: H2ConnectionOptions = {},
  ) {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.protocol === 'https:') {
      const socket = tls.connect({ host, port, ALPNProtocols: ['h2'], servername: net.isIP(host) ? undefined : host, ...opts.tls });
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol === 'h2') this.connected = true;
        else this.fail(new H2Error(`${url.host} does not speak HTTP/2 over TLS (ALPN: ${socket.alpnProtocol || 'none'})`, true));
      });
      this.socket = socket;
    } else if (url.protocol === 'http:') {
      this.socket = net.connect({ host, port });
      this.socket.once('connect', () => (this.connected = true));
    } else {
      throw new H2Error(`unsupported endpoint scheme ${url.protocol} (http: or https:)`, true);
    }
    this.socket.setNoDelay(true);
    // The preface goes first; the socket holds writes until it is connected.
    this.sendPreface();
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    if (opts.keepalive) this.keepaliveTimer = this.startKeepalive(opts.keepalive);
    this.socket.on('error', (e) => this.fail(new H2Error(`connection to ${url.host} failed: ${socketErrorMessage(e)}`, !this.connected)));
    this.socket.on('close', () => this.fail(new H2Error(`connection to ${url.host} closed`, !this.connected)));
  }

  /** Can take new streams. */
  get usable(): boolean {
    return !this.unusable;
  }

  /** Opens a stream with `block` (an HPACK header block from `encodeHeaders`). */
  open(block: Buffer, handlers: H2StreamHandlers): H2Stream {
    if (this.unusable) {
      const err = new H2Error(this.failed?.message ?? 'the connection takes no new streams', true);
      queueMicrotask(() => handlers.onClose(err));
      return { write: () => undefined, cancel: () => undefined };
    }
    if (this.streams.size >= this.peerMaxStreams) {
      // Wait for a stream to end; writes and cancel go to the stream once it exists.
      const placeholder: Waiting['placeholder'] = { data: [], end: false, cancelled: false };
      this.waiting.push({ block, handlers, placeholder });
      return {
        write: (data, end) => {
          if (placeholder.stream) return placeholder.stream.write(data, end);
          placeholder.data.push(data);
          placeholder.end ||= end;
        },
        cancel: () => {
          if (placeholder.stream) return placeholder.stream.cancel();
          placeholder.cancelled = true;
        },
      };
    }
    return this.openStream(block, handlers);
  }

  /** Ends the connection once its open streams are done; openings still waiting for a slot fail. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.markUnusable();
    this.failWaiting(new H2Error('the connection is closing', true));
    if (this.streams.size === 0) this.socket.end();
  }

  destroy(): void {
    this.fail(new H2Error('the connection was closed'));
  }

  // ---- sending -------------------------------------------------------------------------------

  private sendPreface(): void {
    const settings = Buffer.alloc(18);
    settings.writeUInt16BE(Setting.ENABLE_PUSH, 0);
    settings.writeUInt32BE(0, 2);
    settings.writeUInt16BE(Setting.INITIAL_WINDOW_SIZE, 6);
    settings.writeUInt32BE(RECEIVE_WINDOW, 8);
    settings.writeUInt16BE(Setting.HEADER_TABLE_SIZE, 12);
    settings.writeUInt32BE(4096, 14);
    this.send(PREFACE);
    this.frame(FrameType.SETTINGS, 0, 0, settings);
    this.windowUpdate(0, RECEIVE_WINDOW - DEFAULT_WINDOW);
  }

  private openStream(block: Buffer, handlers: H2StreamHandlers): Stream {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    if (this.nextStreamId > MAX_STREAM_ID) this.markUnusable(); // this one is the last
    const stream = new Stream(this, id, handlers, this.peerInitialWindow);
    this.streams.set(id, stream);
    // Header blocks of etcd requests are far below any frame size limit: no CONTINUATION.
    this.frame(FrameType.HEADERS, Flag.END_HEADERS, id, block);
    return stream;
  }

  /** Send what flow control allows of `s`'s queued data (and its END_STREAM once all is sent). */
  flushStream(s: Stream): void {
    while (s.pending.length > 0) {
      const allowed = Math.min(s.sendWindow, this.sendWindow, this.peerMaxFrame);
      if (allowed <= 0) {
        if (this.sendWindow <= 0) this.blocked.add(s);
        return;
      }
      const head = s.pending[0]!;
      const part = head.length <= allowed ? head : head.subarray(0, allowed);
      if (part === head) s.pending.shift();
      else s.pending[0] = head.subarray(allowed);
      s.sendWindow -= part.length;
      this.sendWindow -= part.length;
      const last = s.endQueued && s.pending.length === 0;
      this.frame(FrameType.DATA, last ? Flag.END_STREAM : 0, s.id, part);
      if (last) s.endSent = true;
    }
    if (s.endQueued && !s.endSent) {
      s.endSent = true;
      this.frame(FrameType.DATA, Flag.END_STREAM, s.id, Buffer.alloc(0));
    }
  }

  reset(s: Stream, code: number): void {
    const rst = Buffer.alloc(4);
    rst.writeUInt32BE(code, 0);
    this.frame(FrameType.RST_STREAM, 0, s.id, rst);
    this.forget(s);
  }

  private windowUpdate(stream: number, increment: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(increment, 0);
    this.frame(FrameType.WINDOW_UPDATE, 0, stream, b);
  }

  private frame(type: FrameType, flags: number, stream: number, payload: Buffer): void {
    const h = Buffer.allocUnsafe(FRAME_HEADER);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(stream, 5);
    this.send(h);
    if (payload.length > 0) this.send(payload);
  }

  /** Frames made in one tick leave in one write. */
  private send(b: Buffer): void {
    if (this.failed) return;
    this.outbound.push(b);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.failed || this.outbound.length === 0) return;
    const out = this.outbound.length === 1 ? this.outbound[0]! : Buffer.concat(this.outbound);
    this.outbound = [];
    this.socket.write(out);
  };

  // ---- receiving -----------------------------------------------------------------------------

  private startKeepalive({ intervalMs, timeoutMs }: KeepaliveOptions): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        const now = performance.now();
        if (this.pingSentAt !== undefined) {
          if (this.lastFrameAt >= this.pingSentAt) this.pingSentAt = undefined;
          else if (now - this.pingSentAt >= timeoutMs) this.fail(new H2Error(`the server did not answer a keepalive PING within ${timeoutMs} ms`, !this.connected));
          return;
        }
        // Only with streams open: etcd counts a PING on an idle connection against the client.
        if (this.streams.size > 0 && now - this.lastFrameAt >= intervalMs) {
          this.pingSentAt = now;
          this.frame(FrameType.PING, 0, 0, Buffer.alloc(8));
        }
      },
      Math.max(10, Math.min(intervalMs, timeoutMs) / 4),
    );
    timer.unref();
    return timer;
  }

  private receive(chunk: Buffer): void {
    this.lastFrameAt = performance.now();
    let buf = this.inbound ? Buffer.concat([this.inbound, chunk]) : chunk;
    this.inbound = undefined;
    let at = 0;
    try {
      while (!this.failed && buf.length - at >= FRAME_HEADER) {
        const length = buf.readUIntBE(at, 3);
        const end = at + FRAME_HEADER + length;
        if (end > buf.length) break;
        this.onFrame(buf[at + 3]!, buf[at + 4]!, buf.readUInt32BE(at + 5) & MAX_STREAM_ID, buf.subarray(at + FRAME_HEADER, end));
        at = end;
      }
    } catch (e) {
      this.protocolError(e instanceof Error ? e.message : String(e));
      return;
    }
    if (at < buf.length && !this.failed) this.inbound = at === 0 ? buf : Buffer.from(buf.subarray(at));
  }

  private onFrame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.headerBlock && type !== FrameType.CONTINUATION) throw new Error('expected a CONTINUATION frame');
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, id, payload);
      case FrameType.HEADERS: {
        let body = unpad(flags, payload);
        if (flags & Flag.PRIORITY) body = body.subarray(5);
        this.headerBlock = { stream: id, end: (flags & Flag.END_STREAM) !== 0, parts: [body] };
        if (flags & Flag.END_HEADERS) this.onHeaderBlock();
        return;
      }
      case FrameType.CONTINUATION:
        if (!this.headerBlock || this.headerBlock.stream !== id) throw new Error('unexpected CONTINUATION frame');
        this.headerBlock.parts.push(payload);
        if (flags & Flag.END_HEADERS) this.onHeaderBlock();
        return;
      case FrameType.RST_STREAM: {
        const s = this.streams.get(id);
        if (!s) return;
        const code = payload.readUInt32BE(0);
        this.forget(s);
        s.handlers.onClose(new H2Error(`the server reset the stream (HTTP/2 code ${code})`, code === H2Code.REFUSED_STREAM));
        return;
      }
      case FrameType.SETTINGS:
        if (flags & Flag.ACK) return;
        this.onSettings(payload);
        this.frame(FrameType.SETTINGS, Flag.ACK, 0, Buffer.alloc(0));
        return;
      case FrameType.PING:
        if (!(flags & Flag.ACK)) this.frame(FrameType.PING, Flag.ACK, 0, payload);
        return;
      case FrameType.GOAWAY:
        return this.onGoaway(payload.readUInt32BE(0) & MAX_STREAM_ID, payload.readUInt32BE(4));
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(id, payload.readUInt32BE(0) & MAX_WINDOW);
      case FrameType.PUSH_PROMISE:
        throw new Error('PUSH_PROMISE with push disabled');
      default:
        return; // PRIORITY and unknown frame types are ignored (RFC 9113 section 4.1)
    }
  }

  private onData(flags: number, id: number, payload: Buffer): void {
    // Flow control counts the whole frame, padding included.
    this.received += payload.length;
    if (this.received >= RECEIVE_WINDOW / 2) {
      this.windowUpdate(0, this.received);
      this.received = 0;
    }
    const s = this.streams.get(id);
    if (!s) return; // a stream we reset: its data still counted for the connection
    s.received += payload.length;
    const data = unpad(flags, payload);
    if (data.length > 0) s.handlers.onData(data);
    if (flags & Flag.END_STREAM) return this.remoteEnd(s);
    if (!s.closed && s.received >= RECEIVE_WINDOW / 2) {
      this.windowUpdate(s.id, s.received);
      s.received = 0;
    }
  }

  private onHeaderBlock(): void {
    const { stream: id, end, parts } = this.headerBlock!;
    this.headerBlock = undefined;
    // Decode even for streams we no longer follow: the dynamic table must see every block.
    const fields = this.decoder.decode(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    const s = this.streams.get(id);
    if (!s) return;
    const trailers = s.gotHeaders;
    s.gotHeaders = true;
    s.handlers.onHeaders(fields, end || trailers);
    if (end) this.remoteEnd(s);
  }

  private remoteEnd(s: Stream): void {
    if (s.closed) return;
    // The server has said all it will; if we have not finished sending, it no longer wants it.
    if (!s.endSent) this.reset(s, H2Code.NO_ERROR);
    else this.forget(s);
    s.handlers.onClose(undefined);
  }

  private onSettings(payload: Buffer): void {
    for (let at = 0; at + 6 <= payload.length; at += 6) {
      const value = payload.readUInt32BE(at + 2);
      switch (payload.readUInt16BE(at)) {
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new Error('INITIAL_WINDOW_SIZE over 2^31-1');
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.streams.values()) s.sendWindow += delta;
          if (delta > 0) for (const s of [...this.streams.values()]) this.flushStream(s);
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          this.peerMaxFrame = value;
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
          this.openWaiting();
          break;
        default:
          break; // HEADER_TABLE_SIZE concerns the peer's decoder: we never index
      }
    }
  }

  private onWindowUpdate(id: number, increment: number): void {
    if (id === 0) {
      this.sendWindow += increment;
      const blocked = [...this.blocked];
      this.blocked.clear();
      for (const s of blocked) if (!s.closed) this.flushStream(s);
      return;
    }
    const s = this.streams.get(id);
    if (!s) return;
    s.sendWindow += increment;
    this.flushStream(s);
  }

  private onGoaway(lastStreamId: number, code: number): void {
    this.markUnusable();
    const refused = new H2Error(`the server is going away (HTTP/2 code ${code}) before this stream`, true);
    for (const s of [...this.streams.values()]) {
      if (s.id > lastStreamId) {
        this.forget(s);
        s.handlers.onClose(refused);
      }
    }
    this.failWaiting(refused);
    if (this.streams.size === 0) this.socket.end();
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private forget(s: Stream): void {
    s.closed = true;
    s.pending.length = 0;
    this.streams.delete(s.id);
    this.blocked.delete(s);
    if (this.waiting.length > 0) this.openWaiting();
    if (this.streams.size === 0 && this.unusable && !this.failed && this.waiting.length === 0) this.socket.end();
  }

  private openWaiting(): void {
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams && !this.unusable) {
      const { block, handlers, placeholder } = this.waiting.shift()!;
      if (placeholder.cancelled) continue;
      const s = this.openStream(block, handlers);
      placeholder.stream = s;
      if (placeholder.data.length > 0 || placeholder.end) s.write(Buffer.concat(placeholder.data), placeholder.end);
    }
  }

  /** Openings still waiting never reached the server, whatever ended the connection. */
  private failWaiting(err: H2Error): void {
    const unsent = err.unprocessed ? err : new H2Error(err.message, true);
    for (const w of this.waiting.splice(0)) if (!w.placeholder.cancelled) w.handlers.onClose(unsent);
  }

  private markUnusable(): void {
    if (this.unusable) return;
    this.unusable = true;
    this.opts.onUnusable?.();
  }

  private protocolError(message: string): void {
    const goaway = Buffer.alloc(8);
    goaway.writeUInt32BE(0, 0);
    goaway.writeUInt32BE(H2Code.PROTOCOL_ERROR, 4);
    this.frame(FrameType.GOAWAY, 0, 0, goaway);
    this.flush();
    this.fail(new H2Error(`HTTP/2 connection failed: ${message}`));
  }

  private fail(err: H2Error): void {
    if (this.failed) return;
    this.failed = err;
    clearInterval(this.keepaliveTimer);
    this.markUnusable();
    this.socket.destroy();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) {
      s.closed = true;
      s.handlers.onClose(err);
    }
    this.failWaiting(err);
  }
}

/** TLS failures in words a user can act on (OpenSSL's own text names source files). */
function socketErrorMessage(e: Error & { code?: string; reason?: string }): string {
  if (e.code === 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' || e.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') {
    return `the server refused our TLS client certificate, or wants one and got none (${e.reason ?? e.code})`;
  }
  if (e.code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA') return `the server does not trust the CA of our TLS client certificate (${e.reason ?? e.code})`;
  if (e.code && /CERT|SIGNATURE|ISSUER/.test(e.code) && !e.code.startsWith('ERR_SSL')) {
    return `the server's TLS certificate is not trusted: ${e.message} (${e.code})`;
  }
  return e.message;
}

/** The payload of a frame with the PADDED flag, without its padding. */
function unpad(flags: number, payload: Buffer): Buffer {
  if (!(flags & Flag.PADDED)) return payload;
  const pad = payload[0]!;
  if (pad >= payload.length) throw new Error('padding longer than the frame');
  return payload.subarray(1, payload.length - pad);
}

/** The header block of a gRPC request to `path` (cached per path by the caller). */
export function requestHeaders(url: URL, path: string): Buffer {
  return encodeHeaders([
    [':method', 'POST'],
    [':scheme', url.protocol === 'https:' ? 'https' : 'http'],
    [':path', path],
    [':authority', url.host],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
  ]);
}
