// Raw TLS sockets to a test server, for attacks that no HTTP client library sends: silent
// connections, unfinished request heads, bodies that never end. Each socket is read from the
// start, so that the server's FIN is seen, and when it closes is noted.
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Credentials, TestServer } from '../server/helpers.js';

const closedAt = new WeakMap<Socket, Promise<number>>();
const received = new WeakMap<Socket, Buffer[]>();

/** A TLS connection to `t`, with a client certificate when `creds` has one. */
export function openTls(t: TestServer, creds: Credentials = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect(
      { host: '127.0.0.1', port: t.server.port, ca: t.ca, servername: 'localhost', rejectUnauthorized: false, cert: creds.cert, key: creds.key },
      () => resolve(s),
    );
    watchClose(s);
    s.once('error', reject);
  });
}

/** Starts reading `socket` and noting when it closes (idempotent). */
export function watchClose(socket: Socket): Promise<number> {
  let p = closedAt.get(socket);
  if (!p) {
    const chunks: Buffer[] = [];
    received.set(socket, chunks);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    p = new Promise((resolve) => socket.once('close', () => resolve(Date.now())));
    closedAt.set(socket, p);
  }
  return p;
}

/** Everything the server sent on `socket` so far. */
export function receivedText(socket: Socket): string {
  return Buffer.concat(received.get(socket) ?? []).toString('utf8');
}

/** Milliseconds from now until the server closes `socket`; rejects (and destroys it) after `maxMs`. */
export async function closedWithin(socket: Socket, maxMs: number): Promise<number> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${maxMs} ms`));
    }, maxMs);
  });
  try {
    return (await Promise.race([watchClose(socket), timeout])) - start;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the server has sent a whole response head on `socket`, at most `maxMs`. */
export async function responseHead(socket: Socket, maxMs: number): Promise<string> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const text = receivedText(socket);
    if (text.includes('\r\n\r\n')) return text.slice(0, text.indexOf('\r\n\r\n'));
    if (socket.destroyed) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no response head within ${maxMs} ms: ${JSON.stringify(receivedText(socket).slice(0, 200))}`);
}

/** GET `url` on `agent` (a kept-alive connection): the status, and the local port that shows which connection. */
export function getOnAgent(url: string, agent: HttpsAgent): Promise<{ status: number; port: number }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { agent }, (res) => {
      const port = res.socket.localPort ?? -1;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, port }));
    });
    req.on('error', reject);
    req.end();
  });
}
