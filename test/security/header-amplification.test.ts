// Request heads up to Go's MaxHeaderBytes (1 MiB, secure_serving.go) are served, so nothing
// may keep them per request: per-URL or per-header caches would turn a few hundred large
// requests into hundreds of MiB retained. Measured as the heap retained after a full GC.
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

const large = 600 * 1024;
const count = 250; // 250 x 600 KiB = 146 MiB sent

async function sendAll(agent: Agent, pathOf: (i: number) => string, headersOf: (i: number) => Record<string, string> = () => ({})): Promise<Set<number>> {
  const codes = new Set<number>();
  for (let i = 0; i < count; i += 5) {
    await Promise.all(
      Array.from({ length: 5 }, (_, j) =>
        new Promise<void>((resolve, reject) => {
          const req = request(`${t.server.url}${pathOf(i + j)}`, { agent, ca: t.ca, headers: headersOf(i + j) }, (res) => {
            codes.add(res.statusCode ?? 0);
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end();
        }),
      ),
    );
  }
  return codes;
}

it('distinct 600 KiB URLs, unauthenticated, are not retained (metrics keeps no per-URL cache of them)', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 5 });
  // The baseline: as many bytes sent in a header nothing reads, in the same run on the same machine.
  const baselineStart = Date.now();
  await sendAll(agent, () => '/apis/wardle.example.com/v1beta1/namespaces/ns/flunders', (i) => ({ 'x-padding': `${i}${'a'.repeat(large)}` }));
  const baseline = Date.now() - baselineStart;
  const before = retainedHeap();
  const start = Date.now();
  const codes = await sendAll(agent, (i) => `/apis/wardle.example.com/v1beta1/namespaces/ns/flunders?labelSelector=${i}${'a'.repeat(large)}`);
  const elapsed = Date.now() - start;
  agent.destroy();
  expect([...codes]).toEqual([401]);
  // Nothing parses the selector before authentication (it took 44 s, some 20 times the
  // baseline, when metrics did).
  expect(elapsed).toBeLessThan(4 * baseline + 2000);
  const growth = retainedHeap() - before;
  console.log(`${count} URLs of ${large} bytes in ${elapsed} ms (baseline ${baseline} ms): heap retained +${Math.round(growth / 2 ** 20)} MiB`);
  expect(growth).toBeLessThan(40 * 2 ** 20);
});

it('distinct 600 KiB Accept headers are not retained (content negotiation keeps no cache of them)', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 5, cert: t.admin.cert, key: t.admin.key });
  const before = retainedHeap();
  const codes = await sendAll(agent, () => '/apis/wardle.example.com/v1beta1/namespaces/ns/flunders', (i) => ({
    accept: `application/json;x=${i}${'b'.repeat(large)}`,
  }));
  agent.destroy();
  expect(codes.has(500)).toBe(false);
  const growth = retainedHeap() - before;
  console.log(`${count} Accept headers of ${large} bytes: heap retained +${Math.round(growth / 2 ** 20)} MiB, codes ${[...codes]}`);
  expect(growth).toBeLessThan(40 * 2 ** 20);
});
