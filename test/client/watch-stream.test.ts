// ResourceClient.watch over a real HTTP connection to a scripted loopback double (see
// loopback.ts for why a double): request shape, the ways an iterator ends, and typed errors.
import { afterEach, describe, expect, test } from 'vitest';
import {
  ClientError,
  ExpiredError,
  ResourceClient,
  createTransport,
  type KubeObject,
} from '../../src/runtime/index.js';
import { eventLine, startLoopback, statusBody, type Loopback } from './loopback.js';

const widgets = { group: 'demo.example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function clientFor(s: Loopback, namespace?: string) {
  return new ResourceClient<KubeObject>(createTransport(s.kubeConfig), widgets, namespace);
}

describe('ResourceClient.watch', () => {
  test('sends the watch query and credentials; events arrive in order; server close ends cleanly', async () => {
    let auth: string | undefined;
    server = await startLoopback((req, res) => {
      auth = req.headers.authorization;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(eventLine('ADDED', 'a', '5') + eventLine('MODIFIED', 'a', '6').slice(0, 10));
      setTimeout(() => res.end(eventLine('MODIFIED', 'a', '6').slice(10) + eventLine('DELETED', 'a', '7')), 20);
    });
    const w = clientFor(server, 'ns1').watch({
      resourceVersion: '4',
      labelSelector: { app: 'web' },
      fieldSelector: { 'metadata.name': 'a' },
      allowWatchBookmarks: true,
      timeoutSeconds: 30,
    });
    await w.opened;
    const seen: string[] = [];
    for await (const e of w) seen.push(`${e.type}:${e.object.metadata.resourceVersion}`);
    expect(seen).toEqual(['ADDED:5', 'MODIFIED:6', 'DELETED:7']);
    expect(auth).toBe('Bearer secret-token');
    const sent = new URL(server.requests[0]!.split(' ')[1]!, 'http://x');
    expect(sent.pathname).toBe('/apis/demo.example.com/v1/namespaces/ns1/widgets');
    expect(Object.fromEntries(sent.searchParams)).toEqual({
      watch: 'true',
      resourceVersion: '4',
      labelSelector: 'app=web',
      fieldSelector: 'metadata.name=a',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
    });
  });

  test('without a namespace the watch spans all namespaces', async () => {
    server = await startLoopback((_req, res) => res.writeHead(200).end());
    for await (const _ of clientFor(server).watch()) void _;
    expect(server.requests[0]).toBe('GET /apis/demo.example.com/v1/widgets?watch=true');
  });

  test('break, stop() and an aborted signal end the iterator cleanly and close the connection', async () => {
    const closed: Promise<void>[] = [];
    server = await startLoopback((req, res) => {
      closed.push(new Promise((resolve) => req.socket.once('close', () => resolve())));
      res.writeHead(200);
      res.write(eventLine('ADDED', 'a', '1'));
      // never ends on its own
    });
    const client = clientFor(server, 'default');

    for await (const e of client.watch()) {
      expect(e.type).toBe('ADDED');
      break;
    }
    await closed[0];

    const stopped = client.watch();
    const first = await stopped.next();
    expect(first.done).toBe(false);
    const pending = stopped.next(); // blocks: nothing more is sent
    stopped.stop();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await closed[1];

    const controller = new AbortController();
    const aborted = client.watch({ signal: controller.signal });
    const events: string[] = [];
    setTimeout(() => controller.abort(), 50);
    for await (const e of aborted) events.push(e.type);
    expect(events).toEqual(['ADDED']);
    await closed[2];
  });

  test('HTTP 410 rejects opened and next() with ExpiredError', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(410, { 'Content-Type': 'application/json' }).end(statusBody(410, 'Expired', 'too old resource version: 1 (9)'));
    });
    const w = clientFor(server, 'default').watch({ resourceVersion: '1' });
    await expect(w.opened).rejects.toBeInstanceOf(ExpiredError);
    await expect(w.next()).rejects.toThrow('too old resource version: 1 (9)');
  });

  test('an ERROR event with 410 ends the iteration with ExpiredError', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200).end(eventLine('ADDED', 'a', '1') + JSON.stringify({ type: 'ERROR', object: JSON.parse(statusBody(410, 'Expired', 'too old')) }) + '\n');
    });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of clientFor(server!, 'default').watch()) seen.push(e.type);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['ADDED']);
    expect(err).toBeInstanceOf(ExpiredError);
  });

  test('a connection reset mid-event is a Transport ClientError', async () => {
    server = await startLoopback((req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","obj');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const err = await (async () => {
      for await (const _ of clientFor(server!, 'default').watch()) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).code).toBe('Transport');
  });
});
