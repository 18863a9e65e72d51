// /metrics: kube-apiserver's request metrics (k8s.io/apiserver pkg/endpoints/metrics/metrics.go)
// in the Prometheus text format, behind authentication like any other path.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wardleGroup } from './fixtures.js';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(wardleGroup);
});
afterAll(() => t?.stop());

const flunders = '/apis/wardle.example.com/v1beta1/namespaces/ns/flunders';
const json = { 'content-type': 'application/json' };

/** The value of the sample of `name` whose labels include all of `labels`; undefined when none. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [, inside, value] = /^[^{]+\{(.*)\} (\S+)$/.exec(line) ?? [];
    if (inside === undefined) continue;
    const have = Object.fromEntries([...inside.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(value);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const r = await t.fetch('/metrics');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return r.body;
}

it('counts requests by kube verb, resource, scope and code, with latencies and process metrics', async () => {
  expect((await t.fetch(flunders, { method: 'POST', headers: json, body: JSON.stringify({ metadata: { name: 'm1' } }) })).status).toBe(201);
  expect((await t.fetch(`${flunders}?dryRun=All`, { method: 'POST', headers: json, body: JSON.stringify({ metadata: { name: 'm2' } }) })).status).toBe(201);
  expect((await t.fetch(flunders)).status).toBe(200);
  expect((await t.fetch(`${flunders}/m1`)).status).toBe(200);
  expect((await t.fetch(`${flunders}/nope`)).status).toBe(404);
  expect((await t.fetch(`${flunders}/m1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"spec":{}}' })).status).toBe(200);

  const text = await scrape();
  const res = { group: 'wardle.example.com', version: 'v1beta1', resource: 'flunders', component: 'apiserver' };
  expect(sample(text, 'apiserver_request_total', { ...res, verb: 'POST', scope: 'resource', dry_run: '', code: '201' })).toBe(1);
  expect(sample(text, 'apiserver_request_total', { ...res, verb: 'POST', scope: 'resource', dry_run: 'All', code: '201' })).toBe(1);
  expect(sample(text, 'apiserver_request_total', { ...res, verb: 'LIST', scope: 'namespace', code: '200' })).toBe(1);
  expect(sample(text, 'apiserver_request_total', { ...res, verb: 'GET', scope: 'resource', code: '200' })).toBe(1);
  expect(sample(text, 'apiserver_request_total', { ...res, verb: 'GET', scope: 'resource', code: '404' })).toBe(1);
  expect(sample(text, 'apiserver_request_total', { ...res, verb: 'PATCH', scope: 'resource', code: '200' })).toBe(1);
  expect(sample(text, 'apiserver_request_duration_seconds_count', { ...res, verb: 'LIST', scope: 'namespace' })).toBe(1);
  expect(sample(text, 'apiserver_request_duration_seconds_bucket', { ...res, verb: 'LIST', le: '60' })).toBe(1);
  expect(sample(text, 'apiserver_response_sizes_count', { ...res, verb: 'GET', scope: 'resource' })).toBe(2);
  expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
});

it('tracks watches as long-running requests while they are open', async () => {
  const req = request(`${t.server.url}${flunders}?watch=true&timeoutSeconds=30`, { ca: t.ca, cert: t.admin.cert, key: t.admin.key });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.end();
  const res = await response;
  expect(res.statusCode).toBe(200);
  const labels = { verb: 'WATCH', resource: 'flunders', scope: 'namespace', component: 'apiserver' };
  expect(sample(await scrape(), 'apiserver_longrunning_requests', labels)).toBe(1);
  res.destroy();
  req.destroy();
  let after: number | undefined;
  for (let i = 0; i < 50 && after !== 0; i++) {
    after = sample(await scrape(), 'apiserver_longrunning_requests', labels);
    if (after !== 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(after).toBe(0);
  expect(sample(await scrape(), 'apiserver_request_total', { ...labels, code: '200' })).toBe(1);
});

it('counts unknown paths and resources without them, so random URLs add no series', async () => {
  for (const path of ['/nope/one', '/nope/two', '/apis/wardle.example.com/v1beta1/namespaces/ns/gizmos']) {
    expect((await t.fetch(path)).status).toBe(404);
  }
  const text = await scrape();
  expect(text).not.toMatch(/nope|gizmos/);
  expect(sample(text, 'apiserver_request_total', { verb: 'GET', resource: '', subresource: '', code: '404' })).toBe(3);
  expect(sample(text, 'apiserver_request_total', { verb: 'GET', subresource: '/metrics', code: '200' })).toBeGreaterThan(0);
});

it('needs credentials, as any path but the health checks', async () => {
  expect((await t.fetch('/metrics', { creds: {} })).status).toBe(401);
});
