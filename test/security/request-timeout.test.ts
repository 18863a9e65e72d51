// --request-timeout (k8s.io/apiserver pkg/server/options/server_run_options.go, default 60 s):
// a request other than a watch that has not completed in time gets 504 Timeout, worded as
// pkg/server/filters/timeout.go words it; watches are long-running and not cut. Here 1 s.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeOptions, parseOptions } from '../../src/runtime/server/options.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, type TestServer } from '../server/helpers.js';
import { closedWithin, openTls, receivedText, responseHead } from './sockets.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(wardleGroup, { args: ['--request-timeout=1s'] });
});
afterAll(() => t?.stop());

const flunders = '/apis/wardle.example.com/v1beta1/namespaces/ns/flunders';

it('answers 504 Timeout to a request whose body does not arrive in time, and closes the connection', async () => {
  const s = await openTls(t, t.admin);
  const start = Date.now();
  s.write(`POST ${flunders} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"metadata":`);
  const head = await responseHead(s, 5000);
  const elapsed = Date.now() - start;
  expect(head).toMatch(/^HTTP\/1\.1 504 /);
  expect(head).toMatch(/connection: close/i);
  expect(elapsed).toBeGreaterThanOrEqual(950);
  expect(elapsed).toBeLessThan(3000);
  await closedWithin(s, 3000);
  const body = JSON.parse(receivedText(s).split('\r\n\r\n')[1]!);
  expect(body).toMatchObject({
    kind: 'Status',
    status: 'Failure',
    message: 'Timeout: request did not complete within the allotted timeout',
    reason: 'Timeout',
    code: 504,
  });
});

it('does not cut a watch, which is long-running (longrunning.go)', async () => {
  const req = request(`${t.server.url}${flunders}?watch=true&timeoutSeconds=3`, { ca: t.ca, cert: t.admin.cert, key: t.admin.key });
  const start = Date.now();
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  expect(res.statusCode).toBe(200);
  res.resume();
  await new Promise((r) => res.on('end', r));
  expect(Date.now() - start).toBeGreaterThanOrEqual(2500); // it ran to its own timeoutSeconds
});

it('answers fast requests as before', async () => {
  expect((await t.fetch(flunders)).status).toBe(200);
});

it('--request-timeout takes a Go duration; 60s by default', () => {
  const parsed = (args: string[]) => parseOptions(['--storage-backend=memory', ...args]);
  expect(completeOptions(parsed([]).value!).requestLimits.requestTimeoutMs).toBe(60_000);
  expect(completeOptions(parsed(['--request-timeout=1m30s']).value!).requestLimits.requestTimeoutMs).toBe(90_000);
  expect(parsed(['--request-timeout=soon']).errors).toEqual([
    'invalid value "soon" for --request-timeout: must be a duration such as 60s or 1m30s',
  ]);
});

describe('?timeout= (request_deadline.go)', () => {
  it('a shorter one shortens the deadline; a longer one does not lengthen it', async () => {
    for (const [timeout, min, max] of [['300ms', 250, 900], ['10s', 950, 3000]] as const) {
      const s = await openTls(t, t.admin);
      const start = Date.now();
      s.write(`POST ${flunders}?timeout=${timeout} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
      expect(await responseHead(s, 5000)).toMatch(/^HTTP\/1\.1 504 /);
      const elapsed = Date.now() - start;
      expect(elapsed).toBeGreaterThanOrEqual(min);
      expect(elapsed).toBeLessThan(max);
      s.destroy();
    }
  });

  it('one that is not a Go duration is 400, before authentication', async () => {
    for (const [timeout, why] of [
      ['soon', 'time: invalid duration "soon"'],
      ['5', 'time: missing unit in duration "5"'],
      ['5x', 'time: unknown unit "x" in duration "5x"'],
    ]) {
      const r = await t.fetch(`${flunders}?timeout=${timeout}`, { creds: {} });
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: `invalid timeout specified in the request URL - ${why}` });
    }
  });
});
