// Connections that never finish a request are closed as Go's net/http server closes them in
// k8s.io/apiserver (pkg/server/secure_serving.go: ReadHeaderTimeout 32 s, IdleTimeout 90 s,
// MaxHeaderBytes 1 MiB), here with the timeouts lowered through CompleteExtras; and a response
// that leaves the body unread closes the connection instead of draining it (Go's net/http reads
// at most 256 KiB of an unread body, then closes).
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, type TestServer } from '../server/helpers.js';
import { closedWithin, openTls, receivedText } from './sockets.js';

const headerTimeoutMs = 600;
const idleTimeoutMs = 800;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(wardleGroup, { extras: { connections: { readHeaderTimeoutMs: headerTimeoutMs, idleTimeoutMs } } });
});
afterAll(() => t?.stop());

const tls = () => openTls(t);

const bound = headerTimeoutMs + 2000; // the timeout, Node's check interval and a generous margin

describe('secure_serving.go ReadHeaderTimeout and IdleTimeout', () => {
  it('closes a TCP connection that never starts the TLS handshake', async () => {
    const s = netConnect({ host: '127.0.0.1', port: t.server.port });
    const ms = await closedWithin(s, bound);
    expect(ms).toBeGreaterThanOrEqual(headerTimeoutMs - 50);
  });

  it('closes a TLS connection that never sends a request, without an answer', async () => {
    const s = await tls();
    const ms = await closedWithin(s, bound);
    expect(ms).toBeGreaterThanOrEqual(headerTimeoutMs - 50);
    expect(receivedText(s)).toBe(''); // Go closes silently; Node would answer 408
  });

  it('closes a connection whose request head never ends', async () => {
    const s = await tls();
    s.write('GET /version HTTP/1.1\r\nHost: localhost\r\n');
    const ms = await closedWithin(s, bound);
    expect(ms).toBeGreaterThanOrEqual(headerTimeoutMs - 50);
  });

  it('closes a kept-alive connection idle after its response', async () => {
    const s = await tls();
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const ms = await closedWithin(s, idleTimeoutMs + 2000);
    expect(receivedText(s)).toMatch(/^HTTP\/1\.1 200 /);
    expect(ms).toBeGreaterThanOrEqual(idleTimeoutMs - 50);
  });

  it('300 silent TLS connections do not keep a client out, and are all closed after the timeout', async () => {
    const opened = Date.now();
    const silent = await Promise.all(Array.from({ length: 300 }, () => tls()));
    const start = Date.now();
    const r = await t.fetch('/version');
    expect(r.status).toBe(200);
    expect(Date.now() - start).toBeLessThan(2000);
    const closedTimes = await Promise.all(silent.map((s) => closedWithin(s, bound + 3000).then((ms) => ms + start - opened)));
    expect(Math.max(...closedTimes)).toBeLessThan(bound + 3000);
  });
});

describe('secure_serving.go MaxHeaderBytes (1 MiB, not Node\'s 16 KiB)', () => {
  it('serves a request with 200 KiB of headers', async () => {
    const r = await t.fetch('/version', { headers: { 'x-big': 'a'.repeat(200 * 1024) } });
    expect(r.status).toBe(200);
  });

  it('answers 431 with a Status and closes the connection past 1 MiB', async () => {
    const s = await tls();
    const closed = closedWithin(s, 5000);
    s.write(`GET /version HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(1100 * 1024)}\r\n\r\n`);
    await closed;
    const [head, body] = receivedText(s).split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toMatch(/connection: close/i);
    expect(JSON.parse(body!)).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 431 });
  });
});

describe('a request that cannot be parsed', () => {
  it('gets 400 with a Status and the connection closes (net/http: "400 Bad Request")', async () => {
    const s = await tls();
    const closed = closedWithin(s, 5000);
    s.write('GET /version HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n');
    await closed;
    const [head, body] = receivedText(s).split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body!)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
  });
});

describe('an unread body is not drained (net/http: at most 256 KiB, then close)', () => {
  it('closes the connection after a 401 while the client keeps sending a chunked body', async () => {
    const s = await tls(); // no client certificate: 401
    const closed = closedWithin(s, 8000);
    s.write('POST /apis/wardle.example.com/v1beta1/namespaces/ns/flunders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let open = true;
    void closed.finally(() => (open = false)).catch(() => {});
    const until = Date.now() + 6000; // a bounded sender: it stops by itself after 6 s
    while (open && Date.now() < until) {
      s.write(`${chunk.length.toString(16)}\r\n`);
      s.write(chunk);
      s.write('\r\n');
      sent += chunk.length;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = await closed;
    expect(receivedText(s)).toMatch(/^HTTP\/1\.1 401 /);
    expect(receivedText(s)).toMatch(/connection: close/i);
    expect(ms).toBeLessThan(3000);
    console.log(`401 with an endless chunked body: closed after ${ms} ms, ${sent} bytes accepted`);
    expect(sent).toBeLessThan(8 * 1024 * 1024);
  });

  it('closes the connection after a 401 to a request whose Content-Length was not sent', async () => {
    const s = await tls();
    const closed = closedWithin(s, 5000);
    s.write('POST /apis/wardle.example.com/v1beta1/namespaces/ns/flunders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{');
    const ms = await closed;
    expect(receivedText(s)).toMatch(/^HTTP\/1\.1 401 /);
    expect(ms).toBeLessThan(3000);
  });
});
