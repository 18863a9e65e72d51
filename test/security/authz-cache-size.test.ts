// The SubjectAccessReview answer cache (plugin/pkg/authorizer/webhook/webhook.go keeps answers
// for --authorization-webhook-cache-*-ttl) is keyed so that request targets of up to Go's
// MaxHeaderBytes (1 MiB, secure_serving.go) do not each keep their size in memory: a user with no
// rights at all could otherwise fill 10,000 entries with a MiB each.
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { retainedHeap } from '../support/heap.js';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, tempDir, type TestServer } from '../server/helpers.js';

let kube: KubeApiserverDouble;
let t: TestServer;
beforeAll(async () => {
  kube = await startKubeApiserverDouble({ sarRules: [], noOpinionReason: 'no RBAC policy matched' });
  const dir = tempDir('aa-gen-sar-cache-');
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, 'nobody-token,nobody,1,"team"\n');
  t = await startTestServer(wardleGroup, {
    args: ['--bind-address=127.0.0.1', `--token-auth-file=${tokens}`, `--authorization-kubeconfig=${kube.kubeconfigPath}`],
  });
});
afterAll(async () => {
  await t?.stop();
  await kube?.close();
});

it('60 denied requests with distinct 600 KiB paths are not retained by the answer cache', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 5 });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${t.server.url}${path}`, { agent, ca: t.ca, headers: { authorization: 'Bearer nobody-token' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  expect(await get('/warm-up')).toBe(403);
  kube.subjectAccessReviews.length = 0;
  const before = retainedHeap();
  const codes = new Set<number>();
  for (let i = 0; i < 60; i += 5) {
    for (const c of await Promise.all(Array.from({ length: 5 }, (_, j) => get(`/p-${i + j}-${'a'.repeat(600 * 1024)}`)))) codes.add(c);
  }
  agent.destroy();
  expect([...codes]).toEqual([403]);
  expect(kube.subjectAccessReviews.length).toBe(60); // each one reviewed, so each one cached
  kube.subjectAccessReviews.length = 0; // the double's own record of them
  const growth = retainedHeap() - before;
  console.log(`60 denied 600 KiB paths: heap retained +${Math.round(growth / 2 ** 20)} MiB`);
  expect(growth).toBeLessThan(16 * 2 ** 20);
});
