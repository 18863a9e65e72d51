// Request metrics cannot be inflated from outside: labels come from the route that matched and
// the kinds it serves (k8s.io/apiserver pkg/endpoints/metrics/metrics.go, installed per route by
// endpoints/installer.go), never from the URL alone, so requests for unknown groups, versions,
// resources, subresources and paths, with or without credentials, share one bounded label set.
import { Agent, request } from 'node:https';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { retainedHeap } from '../support/heap.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(wardleGroup);
});
afterAll(() => t?.stop());

const gv = '/apis/wardle.example.com/v1beta1';
/** Distinct URLs of every kind a route could be fooled by. */
const hostile = (i: number): string =>
  [
    `/apis/group-${i}.example.com/v1/flunders`, // a served plural under an unknown group
    `/apis/wardle.example.com/v${i}/namespaces/ns/flunders`, // an unknown version
    `${gv}/namespaces/ns/flunders/name-${i}/sub-${i}`, // an unknown subresource
    `${gv}/namespaces/ns/resource-${i}`, // an unknown resource
    `${gv}/fischers/name-${i}/status-${i}`, // a cluster-scoped kind, unknown subresource
    `/path-${i}/${i}`, // no route at all
    `/openapi/v3/apis/x-${i}`, // a wildcard route
  ][i % 7]!;

/** GETs `paths` on `parallel` kept-alive connections; resolves to the count of each status. */
async function hammer(paths: string[], agent: Agent, parallel: number): Promise<Map<number, number>> {
  const codes = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const code = await new Promise<number>((resolve, reject) => {
        const req = request(`${t.server.url}${path}`, { agent, ca: t.ca }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return codes;
}

function requestSeries(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('apiserver_request_'));
}

it('20,000 requests to distinct unknown URLs, with and without credentials, add no series and /metrics keeps answering', async () => {
  const n = 10_000;
  const admin = new Agent({ keepAlive: true, maxSockets: 8, cert: t.admin.cert, key: t.admin.key });
  const stranger = new Agent({ keepAlive: true, maxSockets: 8 });
  // Warm up: every label set the hostile URLs can reach, once.
  await hammer(Array.from({ length: 14 }, (_, i) => hostile(i)), admin, 1);
  await hammer(Array.from({ length: 14 }, (_, i) => hostile(i)), stranger, 1);
  const baseline = await t.fetch('/metrics');
  expect(baseline.status).toBe(200);
  const seriesBefore = requestSeries(baseline.body).length;
  const heapBefore = retainedHeap();

  const start = Date.now();
  const [asAdmin, asStranger] = await Promise.all([
    hammer(Array.from({ length: n }, (_, i) => hostile(i + 100)), admin, 8),
    hammer(Array.from({ length: n }, (_, i) => hostile(i + 100 + n)), stranger, 8),
  ]);
  const elapsed = Date.now() - start;
  admin.destroy();
  stranger.destroy();
  expect(asStranger.get(401)).toBe(n);
  expect([...asAdmin.keys()].every((c) => c === 404 || c === 400)).toBe(true);

  const after = await t.fetch('/metrics');
  expect(after.status).toBe(200);
  const series = requestSeries(after.body);
  // The /metrics scrapes themselves may add their own few series; nothing per URL.
  expect(series.length).toBeLessThanOrEqual(seriesBefore + 40);
  expect(after.body).not.toMatch(/group-\d|sub-\d|resource-\d|path-\d|x-\d|v1\d\d/);
  const heapGrowth = retainedHeap() - heapBefore;
  console.log(`2x${n} requests in ${elapsed} ms; request series ${seriesBefore} -> ${series.length}; heap +${Math.round(heapGrowth / 1e6)} MB`);
  expect(heapGrowth).toBeLessThan(16 * 1024 * 1024);
}, 120_000);
