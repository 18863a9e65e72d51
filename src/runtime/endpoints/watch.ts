// Watch streaming (API-CONTRACT 4; k8s.io/apiserver pkg/endpoints/handlers/watch.go): HTTP 200,
// then one compact JSON line per event, written to the socket as it happens. The reply is
// hijacked so no fastify hook buffers or compresses it. The stream ends when timeoutSeconds
// runs out, right after an ERROR event, when the client goes away, or when the server closes.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { KindDefinition, KubeObject } from '../api.js';
import type { WatchEvent, WatchStream } from '../registry/interface.js';
import { objectJson } from './encode.js';
import { contentTypeOf, type OutputFormat } from './negotiation.js';
import type { IncludeObject } from './query.js';
import { partialObjectMetadata, toTable } from './table.js';

/** kube-apiserver's --min-request-timeout default, in seconds. */
export const defaultMinRequestTimeoutSeconds = 1800;

/**
 * kube's watch timeout when the client sets none: a random duration between 1x and 2x
 * --min-request-timeout, so that watches of many clients do not all end at once
 * (k8s.io/apiserver pkg/endpoints/handlers/get.go).
 */
export function defaultWatchTimeoutSeconds(minRequestTimeoutSeconds = defaultMinRequestTimeoutSeconds): number {
  return minRequestTimeoutSeconds + Math.floor(Math.random() * minRequestTimeoutSeconds);
}

/**
 * The longest delay a Node timer holds (about 24.8 days); a longer one would fire at once. Go's
 * time.Duration takes any timeoutSeconds a client sends (handlers/get.go ListResource), so
 * longer ones are clamped to this rather than ending the watch now.
 */
const maxTimerMs = 2 ** 31 - 1;

export interface WatchEncoder {
  /** One event as a line of compact JSON ending in `\n` (UTF-8 when a Buffer, which may be shared: never change it). */
  encode(event: WatchEvent): string | Buffer;
}

/**
 * Event lines in plain JSON, by object and event type. Every watcher of a version gets the same
 * (never mutated) object for an event, so the line is built and UTF-8 encoded once and the
 * Buffer shared by all of them; it goes when the object does.
 */
const jsonLines = new WeakMap<object, Partial<Record<WatchEvent['type'], Buffer>>>();

function jsonLine(type: WatchEvent['type'], obj: object): Buffer {
  let lines = jsonLines.get(obj);
  if (lines === undefined) {
    lines = {};
    jsonLines.set(obj, lines);
  }
  let line = lines[type];
  if (line === undefined) {
    line = Buffer.from(`{"type":"${type}","object":${objectJson(obj)}}\n`);
    lines[type] = line;
  }
  return line;
}

/** Encodes events in the negotiated format; Table watches send columnDefinitions only once. */
export function watchEncoder(kind: KindDefinition, format: OutputFormat, includeObject: IncludeObject): WatchEncoder {
  let first = true;
  return {
    encode(event) {
      const { type } = event;
      if (type === 'ERROR') return `{"type":"ERROR","object":${JSON.stringify(event.object)}}\n`;
      const obj = event.object as KubeObject;
      if (format.kind === 'table') {
        const rows = type === 'BOOKMARK' ? [] : [obj];
        const table = toTable(kind, rows, { resourceVersion: obj.metadata?.resourceVersion }, {
          version: format.version,
          includeObject,
          omitColumns: !first,
        });
        if (type !== 'BOOKMARK') first = false;
        return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
      }
      if (format.kind === 'partial') {
        return `{"type":"${type}","object":${JSON.stringify(partialObjectMetadata(obj, format.version))}}\n`;
      }
      return jsonLine(type, obj);
    },
  };
}

export interface ServeWatchOptions {
  readonly reply: FastifyReply;
  readonly stream: WatchStream;
  readonly encoder: WatchEncoder;
  readonly format: OutputFormat;
  readonly timeoutSeconds: number;
  /** Extra headers (Warning) to send with the 200. */
  readonly headers?: Readonly<Record<string, string | string[]>>;
  /** Live watches: each entry ends its watch and resolves once the response has finished. */
  readonly live: Set<() => Promise<void>>;
}

/** Streams a watch to the client; resolves when the stream has ended. */
export async function serveWatch(opts: ServeWatchOptions): Promise<void> {
  const { reply, stream, encoder } = opts;
  const headers: Record<string, string | string[] | number> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) {
    if (v !== undefined && k.toLowerCase() !== 'content-length') headers[k] = v as string | string[] | number;
  }
  Object.assign(headers, opts.headers ?? {}, {
    'content-type': contentTypeOf(opts.format),
    'cache-control': 'no-cache, private',
  });
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, headers);
  // HTTP/1.1 holds headers until the first write; send them now, events may be minutes away.
  (res as { flushHeaders?: () => void }).flushHeaders?.();

  let ended = false;
  const stop = (): void => {
    if (ended) return;
    ended = true;
    stream.stop(); // ends the sink below
  };
  const timer = setTimeout(stop, Math.min(opts.timeoutSeconds * 1000, maxTimerMs));
  timer.unref?.();
  res.on('close', stop);
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const shutdown = (): Promise<void> => {
    stop();
    return done;
  };
  opts.live.add(shutdown);
  const write = chunkWriter(res);
  // Events are written as the store pushes them: at a fan-out to thousands of watchers, a
  // promise and a turn of the microtask queue per watcher per event would cost as much as the
  // write itself.
  const streamEnded = new Promise<void>((resolve) => {
    const consumer = stream.consume({
      event: (event) => {
        if (ended || res.destroyed) return true;
        let ok: boolean;
        try {
          ok = write(encoder.encode(event));
        } catch {
          stop(); // an event that cannot be encoded ends the watch; the client watches again
          return true;
        }
        if (event.type === 'ERROR') stop();
        else if (!ok) write.target.once('drain', () => consumer.resume()); // back-pressure
        return ok;
      },
      end: resolve,
    });
  });
  await streamEnded; // the stream has ended, so it has released its storage watch
  clearTimeout(timer);
  opts.live.delete(shutdown);
  res.off('close', stop);
  // Resolve once the response has finished, so a closing server finds the connection idle.
  if (!res.destroyed && !res.writableEnded) await new Promise<void>((resolve) => res.end(resolve));
  finished();
}

/** HTTP/1.1 chunks (size line, data, CRLF) of shared event lines, built once per line. */
const chunks = new WeakMap<Buffer, Buffer>();

function chunkOf(line: Buffer): Buffer {
  let chunk = chunks.get(line);
  if (chunk === undefined) {
    chunk = Buffer.concat([Buffer.from(`${line.length.toString(16)}\r\n`, 'latin1'), line, crlf]);
    chunks.set(line, chunk);
  }
  return chunk;
}

const crlf = Buffer.from('\r\n', 'latin1');

type ChunkWriter = ((data: string | Buffer) => boolean) & { readonly target: NodeJS.EventEmitter };

/**
 * How event lines reach the client. On an HTTP/1.1 response whose headers are on the wire and
 * whose body is chunked, each shared line goes to the socket as one pre-framed chunk, one
 * write (node's response would frame it again per watcher, in four pieces). Anything else goes
 * through the response.
 */
function chunkWriter(res: ServerResponse): ChunkWriter {
  const socket = res.socket;
  const raw =
    socket !== null &&
    res.headersSent &&
    res.chunkedEncoding === true &&
    (res as unknown as { outputData?: unknown[] }).outputData?.length === 0 &&
    (res as unknown as { outputSize?: number }).outputSize === 0;
  if (!raw) return Object.assign((data: string | Buffer) => res.write(data), { target: res });
  return Object.assign((data: string | Buffer) => {
    if (typeof data === 'string') return res.write(data);
    return socket.write(chunkOf(data));
  }, { target: socket });
}
