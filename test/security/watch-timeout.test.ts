// timeoutSeconds beyond what a Node timer holds (2^31-1 ms) is clamped: the watch stays open
// as in kube-apiserver (handlers/get.go ListResource takes the client's timeoutSeconds as a
// time.Duration), instead of a timer that fires at once and ends the watch.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startDemo, widget, widgets, type TestServer } from './fixture.js';

let s: TestServer;
beforeAll(async () => {
  s = await startDemo();
});
afterAll(async () => s?.stop());

/** Opens a watch; resolves once headers came, with a promise of when the stream ends. */
function openWatch(timeoutSeconds: string): Promise<{ ended: Promise<number>; close: () => void; events: string[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${s.server.url}${widgets}?watch=true&timeoutSeconds=${timeoutSeconds}`, { ca: s.ca, cert: s.admin.cert, key: s.admin.key }, (res) => {
      const events: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (d: string) => events.push(d));
      const ended = new Promise<number>((done) => res.on('close', () => done(performance.now() - started)));
      resolve({ ended, close: () => req.destroy(), events });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('watch timeoutSeconds', () => {
  it.each(['2147484', '999999999999'])('timeoutSeconds=%s keeps the watch open and streaming', async (t) => {
    const w = await openWatch(t);
    const endedEarly = await Promise.race([w.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 800))]);
    expect(endedEarly).toBe(false);
    expect((await call(s, 'POST', widgets, widget(`w${t.length}`))).status).toBe(201);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.events.join('')).toContain('"type":"ADDED"');
    w.close();
  });

  it('a small timeoutSeconds still ends the watch on time', async () => {
    const w = await openWatch('1');
    const ms = await w.ended;
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(5000);
  });
});
