// The etcd client's own HTTP/2 (storage/etcd/h2.ts) and HPACK (hpack.ts): the RFC 7541 examples,
// then a real, independent HTTP/2 implementation (node:http2's server, nghttp2) on the other
// end: header compression with its dynamic table and Huffman strings, trailers, flow control both
// ways, concurrency limits, PING, RST_STREAM, GOAWAY and connection failures.
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { H2Code, H2Connection, H2Error, requestHeaders } from '../../src/runtime/storage/etcd/h2.js';
import type { H2Stream } from '../../src/runtime/storage/etcd/h2.js';
import { encodeHeaders, HpackDecoder, HpackError } from '../../src/runtime/storage/etcd/hpack.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

describe('HPACK', () => {
  it('decodes RFC 7541 C.4: requests with Huffman strings, sharing one dynamic table', () => {
    const d = new HpackDecoder();
    expect(d.decode(Buffer.from('828684418cf1e3c2e5f23a6ba0ab90f4ff', 'hex'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    expect(d.decode(Buffer.from('828684be5886a8eb10649cbf', 'hex'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    expect(d.decode(Buffer.from('828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf', 'hex'))).toEqual([
      [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
    ]);
  });

  it('refuses malformed blocks with an HpackError', () => {
    const d = () => new HpackDecoder();
    expect(() => d().decode(Buffer.from([0xbe]))).toThrow(HpackError); // dynamic index 62 of an empty table
    expect(() => d().decode(Buffer.from([0x80]))).toThrow(/index 0/);
    expect(() => d().decode(Buffer.from([0x41, 0x05, 0x61]))).toThrow(/truncated/);
    expect(() => d().decode(Buffer.from([0x41, 0x81, 0x00]))).toThrow(/Huffman/); // 8 zero bits: not a code's prefix end nor padding
    expect(() => d().decode(Buffer.from([0x3f, 0xe1, 0x3f]))).toThrow(/over the limit/); // table size update to 8192
  });

  it('encodes requests the decoder (and so any HPACK peer) reads back, without indexing anything', () => {
    const fields: [string, string][] = [[':method', 'POST'], [':path', '/etcdserverpb.KV/Txn'], ['content-type', 'application/grpc'], ['te', 'trailers'], ['x-long', 'v'.repeat(300)]];
    const d = new HpackDecoder();
    expect(d.decode(encodeHeaders(fields))).toEqual(fields);
    expect(d.decode(encodeHeaders(fields))).toEqual(fields); // same again: no table state either side
  });
});

// ---- against node:http2 -------------------------------------------------------------------------

let server: http2.Http2Server | undefined;
const sessions: http2.ServerHttp2Session[] = [];
const conns: H2Connection[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.destroy();
  for (const s of sessions.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(onStream: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => void, settings: http2.Settings = {}): Promise<URL> {
  server = http2.createServer({ settings });
  server.on('session', (s) => void sessions.push(s));
  server.on('stream', onStream);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function connect(url: URL, onUnusable?: () => void): H2Connection {
  const c = new H2Connection(url, { onUnusable });
  conns.push(c);
  return c;
}

interface Outcome {
  headers: [string, string][][];
  body: Buffer;
  error: H2Error | undefined;
}

/** Opens a stream, sends `body`, and resolves with what came back once the stream is over. */
function exchange(c: H2Connection, url: URL, path: string, body: Buffer, end = true): { stream: H2Stream; done: Promise<Outcome> } {
  const out: Outcome = { headers: [], body: Buffer.alloc(0), error: undefined };
  const chunks: Buffer[] = [];
  let stream!: H2Stream;
  const done = new Promise<Outcome>((resolve) => {
    stream = c.open(requestHeaders(url, path), {
      onHeaders: (fields) => void out.headers.push(fields),
      onData: (chunk) => void chunks.push(Buffer.from(chunk)),
      onClose: (err) => {
        out.error = err;
        out.body = Buffer.concat(chunks);
        resolve(out);
      },
    });
  });
  stream.write(body, end);
  return { stream, done };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Echoes the request body with its digest in the trailers, and many headers nghttp2 will index. */
function echo(s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders): void {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.on('end', () => {
    const body = Buffer.concat(chunks);
    s.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-path': String(h[':path']), 'x-same': 'a value long enough to be Huffman coded' }, { waitForTrailers: true });
    s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'body%20sha256%3A' + sha(body) }));
    s.end(body);
  });
}

describe('HTTP/2 client against node:http2', () => {
  it('sends the request headers and body, reads headers, data and trailers of many streams', async () => {
    const url = await serve(echo);
    const c = connect(url);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(c, url, `/svc/m${i}`, Buffer.from(`body ${i}`)).done));
    results.forEach((r, i) => {
      expect(r.error).toBeUndefined();
      expect(r.body.toString()).toBe(`body ${i}`);
      const [head, trailers] = r.headers;
      expect(head).toEqual(expect.arrayContaining([[':status', '200'], ['x-path', `/svc/m${i}`], ['x-same', 'a value long enough to be Huffman coded']]));
      expect(trailers).toEqual(expect.arrayContaining([['grpc-status', '0'], ['grpc-message', `body%20sha256%3A${sha(Buffer.from(`body ${i}`))}`]]));
    });
    expect(c.connected).toBe(true);
  });

  // node's server tolerates a client that overruns its windows; etcd's does not, so the test that
  // catches an overrun is etcd3.test.ts's "values near etcd's 1.5 MiB request limit".
  it('a 1 MiB body, split to the server’s windows and frame size, arrives whole', async () => {
    const url = await serve(echo, { initialWindowSize: 1000, maxFrameSize: 16_384 });
    const c = connect(url);
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const r = await exchange(c, url, '/svc/big', body).done;
    expect(r.error).toBeUndefined();
    expect(sha(r.body)).toBe(sha(body));
  });

  it('acknowledges what it receives: 40 MiB on one stream, more than its own windows', async () => {
    const size = 40 * 1024 * 1024;
    const url = await serve((s) => {
      s.respond({ ':status': 200 });
      const piece = Buffer.alloc(64 * 1024, 7);
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          sent += piece.length;
          if (!s.write(piece)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    const c = connect(url);
    let received = 0;
    const done = new Promise<H2Error | undefined>((resolve) => {
      c.open(requestHeaders(url, '/svc/stream'), { onHeaders: () => undefined, onData: (d) => void (received += d.length), onClose: resolve }).write(Buffer.alloc(0), true);
    });
    expect(await done).toBeUndefined();
    expect(received).toBe(size);
  }, 30_000);

  it('waits for a stream slot when the server allows few at once', async () => {
    let open = 0;
    let most = 0;
    const url = await serve((s, h) => {
      most = Math.max(most, ++open);
      setTimeout(() => {
        open--;
        echo(s, h);
      }, 20);
    }, { maxConcurrentStreams: 2 });
    const c = connect(url);
    await new Promise((r) => setTimeout(r, 50)); // the server's SETTINGS have arrived
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => exchange(c, url, '/svc/slot', Buffer.from(String(i))).done));
    expect(results.map((r) => r.body.toString())).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('close() lets open streams finish and fails those still waiting for a slot', async () => {
    const held: http2.ServerHttp2Stream[] = [];
    const url = await serve((s) => void held.push(s), { maxConcurrentStreams: 1 });
    const c = connect(url);
    await new Promise((r) => setTimeout(r, 50)); // the server's SETTINGS have arrived
    const first = exchange(c, url, '/svc/first', Buffer.from('1'));
    const waiting = exchange(c, url, '/svc/second', Buffer.from('2'));
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    const w = await waiting.done;
    expect(w.error?.message).toMatch(/closing/);
    expect(w.error?.unprocessed).toBe(true);
    echo(held[0]!, { ':path': '/svc/first' });
    const r = await first.done;
    expect(r.error).toBeUndefined();
    expect(r.body.toString()).toBe('1');
    expect(held).toHaveLength(1);
  });

  it('answers the server’s PING', async () => {
    let session!: http2.ServerHttp2Session;
    const url = await serve(echo);
    server!.on('session', (s) => (session = s));
    const c = connect(url);
    await exchange(c, url, '/svc/x', Buffer.from('x')).done;
    const rtt = await new Promise<number>((resolve, reject) => session.ping((err, ms) => (err ? reject(err) : resolve(ms))));
    expect(rtt).toBeGreaterThanOrEqual(0);
  });

  it('cancel() resets the stream (CANCEL) and reports nothing more', async () => {
    const closed = new Promise<number>((resolve) => {
      void serve((s) => s.on('close', () => resolve(s.rstCode))).then((url) => {
        const c = connect(url);
        const { stream, done } = exchange(c, url, '/svc/cancel', Buffer.from('x'), false);
        void done.then(() => {
          throw new Error('onClose after cancel');
        });
        setTimeout(() => stream.cancel(), 30);
      });
    });
    expect(await closed).toBe(H2Code.CANCEL);
  });

  it('a stream the server resets ends with an error', async () => {
    const url = await serve((s) => {
      s.on('error', () => undefined); // the server's side of the reset
      s.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    const r = await exchange(connect(url), url, '/svc/rst', Buffer.from('x')).done;
    expect(r.error?.message).toMatch(/reset the stream \(HTTP\/2 code 2\)/);
    expect(r.error?.unprocessed).toBe(false);
  });

  it('GOAWAY: streams after the last one the server took fail as unprocessed, the connection takes no more', async () => {
    const url = await serve((s, h) => {
      s.on('error', () => undefined); // nghttp2 refuses /svc/b on its side too
      if (h[':path'] !== '/svc/a') return;
      s.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, s.id!); // /svc/b, sent right after, is past it
      setTimeout(() => echo(s, h), 50);
    });
    let unusable = 0;
    const c = connect(url, () => unusable++);
    const first = exchange(c, url, '/svc/a', Buffer.from('a'));
    const second = exchange(c, url, '/svc/b', Buffer.from('b'));
    const r2 = await second.done;
    expect(r2.error?.unprocessed).toBe(true);
    expect(r2.error?.message).toMatch(/going away/);
    expect(c.usable).toBe(false);
    expect(unusable).toBe(1);
    const r1 = await first.done;
    expect(r1.error).toBeUndefined(); // the stream the server took completes
    expect(r1.body.toString()).toBe('a');
    const third = await exchange(c, url, '/svc/c', Buffer.from('c')).done;
    expect(third.error?.unprocessed).toBe(true);
  });

  it('keepalive: a connection that goes silent is given up; a live one, idle, is not', async () => {
    const url = await serve((s) => s.respond({ ':status': 200 })); // streams that stay open
    const proxy = await startTcpProxy('127.0.0.1', Number(url.port));
    try {
      const keepalive = { intervalMs: 100, timeoutMs: 150 };
      const open = (u: URL, onUnusable?: () => void) => {
        const c = new H2Connection(u, { keepalive, onUnusable });
        conns.push(c);
        const closed = new Promise<H2Error | undefined>((resolve) => {
          c.open(requestHeaders(u, '/svc/watch'), { onHeaders: () => undefined, onData: () => undefined, onClose: resolve }).write(Buffer.alloc(0), false);
        });
        return { c, closed };
      };
      const live = open(url);
      let unusable = 0;
      const silent = open(new URL(`http://${proxy.address}`), () => unusable++);
      await new Promise((r) => setTimeout(r, 100));
      proxy.freeze();
      const started = performance.now();
      const err = await silent.closed;
      expect(err?.message).toMatch(/did not answer a keepalive PING within 150 ms/);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(unusable).toBe(1);
      // The direct connection has been idle as long, answering its PINGs: still open.
      const still = await Promise.race([live.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 300))]);
      expect(still).toBe('open');
      expect(live.c.usable).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('a connection that cannot be made fails its streams as unprocessed', async () => {
    const url = await serve(echo);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    let unusable = 0;
    const c = connect(url, () => unusable++);
    const r = await exchange(c, url, '/svc/x', Buffer.from('x')).done;
    expect(r.error?.unprocessed).toBe(true);
    expect(r.error?.message).toMatch(/ECONNREFUSED/);
    expect(unusable).toBe(1);
    expect(c.connected).toBe(false);
  });
});
