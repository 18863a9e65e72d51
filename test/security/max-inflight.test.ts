// --max-requests-inflight and --max-mutating-requests-inflight (k8s.io/apiserver
// pkg/server/filters/maxinflight.go, defaults 400 and 200 in server_run_options.go): after
// authentication, a request over its pool's limit gets 429 with `Retry-After: 1` and upstream's
// plain-text body; reads and writes are separate pools; watches are long-running and not
// counted (longrunning.go); system:masters always gets an answer; 0 turns a limit off.
// Requests are held in flight by bodies that do not end (writes) and by responses the client
// does not read (reads), as a slow client holds them against kube-apiserver.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeOptions, parseOptions } from '../../src/runtime/server/options.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { openTls } from './sockets.js';

const tokens = tempDir('aa-gen-inflight-');
const tokenFile = join(tokens, 'tokens.csv');
writeFileSync(tokenFile, 'alice-token,alice,1,"team"\nroot-token,root,2,"system:masters"\n');
const delegated = ['--bind-address=127.0.0.1', `--token-auth-file=${tokenFile}`, '--authorization-mode=AlwaysAllow'];

const flunders = '/apis/wardle.example.com/v1beta1/namespaces/ns/flunders';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const alice = bearer('alice-token');
const root = bearer('root-token');
const json = { 'content-type': 'application/json' };
const create = (t: TestServer, name: string, headers: Record<string, string>, spec: unknown = {}) =>
  t.fetch(flunders, { method: 'POST', creds: {}, headers: { ...headers, ...json }, body: JSON.stringify({ metadata: { name }, spec }) });

/** A create whose body never finishes: in flight until the socket is destroyed. */
async function heldWrite(t: TestServer, name: string): Promise<TLSSocket> {
  const s = await openTls(t);
  s.write(`POST ${flunders} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer alice-token\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"metadata":{"name":"${name}"`);
  return s;
}

/** A list the client does not read (larger than the socket buffers): in flight until destroyed. */
function heldRead(t: TestServer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.server.url}${flunders}`, { ca: t.ca, headers: alice, agent: false });
    req.on('response', (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
}

describe('limits of 1 and 1', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(wardleGroup, { args: [...delegated, '--max-requests-inflight=1', '--max-mutating-requests-inflight=1'] });
  });
  afterAll(() => t?.stop());

  it('a second write while one is in flight gets 429 with Retry-After: 1, reads still pass, system:masters passes', async () => {
    const held = await heldWrite(t, 'held');
    // The held request is in flight once it passed the filters; wait until a write is refused.
    let refused: Awaited<ReturnType<TestServer['fetch']>> | undefined;
    await until(async () => {
      const r = await create(t, `second-${Date.now()}`, alice);
      if (r.status === 429) refused = r;
      return r.status === 429;
    }, 3000);
    expect(refused!.headers['retry-after']).toBe('1');
    expect(refused!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(refused!.body).toBe('Too many requests, please try again later.\n');
    expect((await t.fetch(flunders, { creds: {}, headers: alice })).status).toBe(200); // the read pool is free
    expect((await create(t, 'by-root', root)).status).toBe(201); // system:masters is never refused
    // Authentication comes first: a stranger is told 401, not 429.
    expect((await create(t, 'stranger', {})).status).toBe(401);
    held.destroy();
    await until(async () => (await create(t, `after-${Date.now()}`, alice)).status === 201, 3000);
  });

  it('a second read while a list is in flight gets 429; watches are not counted', async () => {
    // ~12 MiB of objects, so that an unread list response stays in flight.
    // (Each under the 1.5 MiB object cap: --storage-max-object-bytes.)
    for (let i = 0; i < 12; i++) expect((await create(t, `big-${i}`, root, { data: 'x'.repeat(1024 * 1024) })).status).toBe(201);
    const watch = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${t.server.url}${flunders}?watch=true&timeoutSeconds=30&resourceVersion=0`, { ca: t.ca, headers: alice, agent: false });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    expect(watch.statusCode).toBe(200);
    watch.resume();
    const held = await heldRead(t);
    expect(held.statusCode).toBe(200);
    const r = await t.fetch(`${flunders}/big-0`, { creds: {}, headers: alice });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('1');
    expect((await t.fetch(`${flunders}/big-0`, { creds: {}, headers: root })).status).toBe(200);
    held.destroy();
    watch.destroy();
    await until(async () => (await t.fetch(`${flunders}/big-0`, { creds: {}, headers: alice })).status === 200, 3000);
  });
});

describe('0 turns the limits off', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(wardleGroup, { args: [...delegated, '--max-requests-inflight=0', '--max-mutating-requests-inflight=0'] });
  });
  afterAll(() => t?.stop());

  it('serves writes beside ones in flight', async () => {
    const held = await Promise.all([heldWrite(t, 'a'), heldWrite(t, 'b')]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await create(t, 'c', alice)).status).toBe(201);
    for (const s of held) s.destroy();
  });
});

it('flags: defaults 400 and 200, non-negative integers', () => {
  const parsed = (args: string[]) => parseOptions(['--storage-backend=memory', ...args]);
  expect(completeOptions(parsed([]).value!).requestLimits).toMatchObject({ maxRequestsInFlight: 400, maxMutatingRequestsInFlight: 200 });
  expect(parsed(['--max-requests-inflight=-1']).errors).toEqual(['invalid value "-1" for --max-requests-inflight: must be a non-negative integer']);
});

