// Informer paths the real server cannot be steered into on demand (an ERROR 410 mid-watch),
// against the scripted loopback double (loopback.ts): relist on 410 with add/update/delete
// derived from the new list, paging of the list, bookmarks, resync, stop. Convergence against the
// real server, across a restart, is in integration.test.ts.
import { afterEach, expect, test } from 'vitest';
import { ResourceClient, createInformer, createTransport, type KubeObject } from '../../src/runtime/index.js';
import { eventLine, startLoopback, statusBody, type Loopback } from './loopback.js';

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const widget = (name: string, rv: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'demo.example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'default', resourceVersion: rv, labels },
  spec: { size: 1 },
});
const list = (rv: string, items: object[], next?: string) =>
  JSON.stringify({ apiVersion: 'demo.example.com/v1', kind: 'WidgetList', metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) }, items });

test('list (paged), watch, 410 -> relist and reconcile, bookmark, resync, stop', async () => {
  let watches = 0;
  let lists = 0;
  server = await startLoopback((_req, res, url) => {
    res.setHeader('Content-Type', 'application/json');
    if (url.searchParams.get('watch') !== 'true') {
      lists++;
      if (lists === 1 && !url.searchParams.get('continue')) return res.end(list('3', [widget('a', '2', { app: 'x' })], 'page2'));
      if (lists === 2 && url.searchParams.get('continue') === 'page2') return res.end(list('3', [widget('b', '3')]));
      return res.end(list('5', [widget('a', '5', { app: 'x' }), widget('c', '5', { app: 'y' })]));
    }
    watches++;
    res.writeHead(200);
    if (watches === 1) {
      res.end(eventLine('MODIFIED', 'a', '4') + JSON.stringify({ type: 'ERROR', object: JSON.parse(statusBody(410, 'Expired', 'too old resource version: 4 (5)')) }) + '\n');
    } else {
      res.write(JSON.stringify({ type: 'BOOKMARK', object: { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { resourceVersion: '6' } } }) + '\n');
    }
  });
  const client = new ResourceClient<KubeObject>(createTransport(server.kubeConfig), { group: 'demo.example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true });
  const informer = createInformer(client, { namespace: 'default', pageSize: 1, resyncPeriodMs: 100, initialBackoffMs: 10 });
  const log: string[] = [];
  informer
    .on('add', (o) => log.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`))
    .on('update', (o, n) => log.push(o === n ? `resync ${n.metadata.name}` : `update ${o.metadata.name}@${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`))
    .on('delete', (o) => log.push(`delete ${o.metadata.name}`));
  expect(informer.hasSynced()).toBe(false);
  await informer.start();
  expect(informer.hasSynced()).toBe(true);

  await expect.poll(() => informer.resourceVersion, { timeout: 5000 }).toBe('6');
  const beforeResync = log.filter((l) => !l.startsWith('resync'));
  expect(beforeResync).toEqual(['add a@2', 'add b@3', 'update a@2->4', 'update a@4->5', 'add c@5', 'delete b']);
  expect(server.requests.filter((r) => r.includes('watch=true')).map((r) => new URL(r.split(' ')[1]!, 'http://x').searchParams.get('resourceVersion'))).toEqual(['3', '5']);

  expect(informer.lister.list().map((o) => o.metadata.name)).toEqual(['a', 'c']);
  expect(informer.lister.list({ labelSelector: { app: 'y' } }).map((o) => o.metadata.name)).toEqual(['c']);
  expect(informer.lister.list({ labelSelector: 'app in (x,y),app!=x' }).map((o) => o.metadata.name)).toEqual(['c']);
  expect(informer.lister.list({ namespace: 'other' })).toEqual([]);
  expect(informer.lister.get('default', 'a')?.metadata.resourceVersion).toBe('5');
  expect(informer.lister.get('default', 'b')).toBeUndefined();

  await expect.poll(() => log.filter((l) => l.startsWith('resync')).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
  await informer.stop();
  const after = log.length;
  await new Promise((r) => setTimeout(r, 250));
  expect(log.length).toBe(after);
});

test('stop() while the server is unreachable ends at once; errors are reported and retried', async () => {
  server = await startLoopback((_req, res) => res.writeHead(500).end('oops'));
  const client = new ResourceClient<KubeObject>(createTransport(server.kubeConfig), { group: 'demo.example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true });
  const informer = createInformer(client, { initialBackoffMs: 10, maxBackoffMs: 20 });
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  void informer.start();
  await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
  await informer.stop();
  expect(informer.hasSynced()).toBe(false);
  await expect(informer.waitForSync()).resolves.toBeUndefined();
});
