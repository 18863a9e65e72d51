// /healthz, /livez, /readyz in the format of k8s.io/apiserver pkg/server/healthz/healthz.go
// (and its healthz_test.go): "ok", ?verbose lines, ?exclude, per-check paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyGroup } from './fixtures.js';
import { expectStatusShape, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(emptyGroup);
});
afterAll(() => t?.stop());

const none = { creds: {} };

describe.each(['healthz', 'livez', 'readyz'])('/%s', (name) => {
  it('answers ok as text/plain with nosniff', async () => {
    const r = await t.fetch(`/${name}`, none);
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('lists every check with ?verbose', async () => {
    const r = await t.fetch(`/${name}?verbose`, none);
    expect(r.status).toBe(200);
    const lines = r.body.split('\n');
    expect(lines[0]).toBe('[+]ping ok');
    expect(lines).toContain('[+]storage ok');
    expect(r.body.endsWith(`${name} check passed\n`)).toBe(true);
  });

  it('marks excluded checks and warns about unknown ones', async () => {
    const r = await t.fetch(`/${name}?verbose=true&exclude=storage&exclude=nope`, none);
    expect(r.body).toContain('[+]storage excluded: ok\n');
    expect(r.body).toContain('warn: some health checks cannot be excluded: no matches for "nope"\n');
  });

  it('serves each check on its own path, 404 Status for unknown checks', async () => {
    const ping = await t.fetch(`/${name}/ping`, none);
    expect([ping.status, ping.body]).toEqual([200, 'ok']);
    const missing = await t.fetch(`/${name}/nope`, none);
    expect(missing.status).toBe(404);
    expectStatusShape(missing.json(), 404, 'NotFound');
  });
});

describe('/readyz', () => {
  it('includes the watch cache and shutdown checks', async () => {
    const r = await t.fetch('/readyz?verbose', none);
    expect(r.body).toBe('[+]ping ok\n[+]storage ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
  });
});
