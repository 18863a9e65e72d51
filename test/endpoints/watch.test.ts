// Watch streams on a real socket (API-CONTRACT 4.1-4.5, 9.3): framing, Table rows, timeouts,
// ERROR 410, and the store watch ending when the client goes away.
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ns, startApp, widget, type TestApp } from './helpers.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => t.close());

interface Stream {
  readonly res: IncomingMessage;
  readonly lines: string[];
  /** Resolves once `n` lines have arrived. */
  waitFor(n: number): Promise<string[]>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
}

function watch(path: string, accept = 'application/json'): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers: { accept } }, (res) => {
      const lines: string[] = [];
      let buf = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
        waiters.splice(0).forEach((w) => w());
      });
      const ended = new Promise<void>((r) => res.on('end', () => r()));
      resolve({
        res,
        lines,
        ended,
        waitFor(n) {
          return new Promise((r, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out waiting for ${n} lines, got ${lines.length}: ${JSON.stringify(lines).slice(0, 500)}`)), 5000);
            const check = () => {
              if (lines.length >= n) {
                clearTimeout(timer);
                r(lines.slice());
              } else waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const create = (name: string, spec: Record<string, unknown> = { size: 3 }) =>
  t.app.inject({ method: 'POST', url: ns, headers: { 'content-type': 'application/json' }, payload: widget(name, spec) });

describe('watch', () => {
  it('200, application/json, one compact JSON line per event, synthetic ADDED first', async () => {
    await create('w1');
    const s = await watch(`${ns}?watch=true&timeoutSeconds=5`);
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toBe('application/json');
    expect(s.res.headers['content-encoding']).toBeUndefined();
    await s.waitFor(1);
    await t.app.inject({ method: 'PATCH', url: `${ns}/w1`, headers: { 'content-type': 'application/merge-patch+json' }, payload: '{"spec":{"size":4}}' });
    await t.app.inject({ method: 'DELETE', url: `${ns}/w1` });
    const lines = await s.waitFor(3);
    const events = lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events[1].object).toMatchObject({ kind: 'Widget', apiVersion: 'demo.example.com/v1', spec: { size: 4 } });
    for (const l of lines) expect(l).toBe(JSON.stringify(JSON.parse(l))); // compact
    s.res.destroy();
  });

  it('watch from the list RV sends only later changes; watch=1 works', async () => {
    await create('w2');
    const list = (await t.app.inject({ method: 'GET', url: ns })).json();
    const s = await watch(`${ns}?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=5`);
    await create('w3');
    const [line] = await s.waitFor(1);
    expect(JSON.parse(line)).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w3' } } });
    s.res.destroy();
  });

  it('watch-list over HTTP: the state, the initial-events-end bookmark, then changes (KEP-3157)', async () => {
    await create('wl1');
    const s = await watch(`${ns}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=5`);
    expect(s.res.statusCode).toBe(200);
    const initial = (await s.waitFor(1)).map((l) => JSON.parse(l));
    const end = await (async () => {
      for (let n = 1; ; n++) {
        const evs = (await s.waitFor(n)).map((l) => JSON.parse(l));
        const found = evs.find((e) => e.type === 'BOOKMARK');
        if (found) return { found, before: evs.slice(0, evs.indexOf(found)) };
      }
    })();
    expect(initial[0].type).toBe('ADDED');
    expect(end.before.every((e: { type: string }) => e.type === 'ADDED')).toBe(true);
    expect(end.before.map((e: { object: { metadata: { name: string } } }) => e.object.metadata.name)).toContain('wl1');
    expect(end.found.object).toMatchObject({ kind: 'Widget', apiVersion: 'demo.example.com/v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
    await create('wl2');
    const after = (await s.waitFor(end.before.length + 2)).map((l) => JSON.parse(l)).slice(end.before.length + 1);
    expect(after[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'wl2' } } });
    s.res.destroy();
  });

  it('a client that stops reading gets every event, in order, once it reads again (back-pressure)', async () => {
    await create('bp');
    const list = (await t.app.inject({ method: 'GET', url: ns })).json();
    const s = await watch(`${ns}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=30`);
    s.res.pause();
    // ~12 MiB of events: more than the socket buffers hold (4 MiB send, the reader's window), so
    // the server's writes report a full socket and the stream must queue and resume on 'drain'.
    const big = 'x'.repeat(250_000);
    const n = 50;
    for (let i = 1; i <= n; i++) {
      const r = await t.app.inject({
        method: 'PATCH',
        url: `${ns}/bp`,
        headers: { 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ metadata: { annotations: { big: `${i}${big}` } } }),
      });
      expect(r.statusCode).toBe(200);
    }
    s.res.resume();
    const events = (await s.waitFor(n)).map((l) => JSON.parse(l));
    expect(events.map((e) => e.object.metadata.annotations.big.slice(0, 3).replace(/x+$/, ''))).toEqual(Array.from({ length: n }, (_, i) => String(i + 1)));
    s.res.destroy();
  }, 30_000);

  it('timeoutSeconds ends the stream cleanly', async () => {
    const started = Date.now();
    const s = await watch(`${ns}?watch=true&timeoutSeconds=1&resourceVersion=0`);
    await s.ended;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4000);
  });

  it('Table watches: one row per event, columnDefinitions only on the first (4.3)', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const s = await watch(`/apis/demo.example.com/v1/namespaces/default/widgets?watch=true&fieldSelector=metadata.name%3Dw2&resourceVersion=0&timeoutSeconds=5`, accept);
    expect(s.res.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    await s.waitFor(1);
    await t.app.inject({ method: 'PATCH', url: `${ns}/w2`, headers: { 'content-type': 'application/merge-patch+json' }, payload: '{"spec":{"size":5}}' });
    const events = (await s.waitFor(2)).map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Table', apiVersion: 'meta.k8s.io/v1' } });
    expect(events[0].object.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Size', 'Color', 'Age']);
    expect(events[0].object.rows).toHaveLength(1);
    expect(events[1].type).toBe('MODIFIED');
    expect(events[1].object.columnDefinitions).toBeUndefined();
    expect(events[1].object.rows[0].cells.slice(0, 2)).toEqual(['w2', 5]);
    s.res.destroy();
  });

  it('a too old resourceVersion: 200, one ERROR event with a 410 Expired Status, then close (4.5)', async () => {
    await create('old1');
    await create('old2');
    const list = (await t.app.inject({ method: 'GET', url: ns })).json();
    await t.storage.compact(Number(list.metadata.resourceVersion));
    const s = await watch(`${ns}?watch=true&resourceVersion=2&timeoutSeconds=30`);
    expect(s.res.statusCode).toBe(200);
    const [line] = await s.waitFor(1);
    const event = JSON.parse(line);
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect(event.object.message).toMatch(/^too old resource version: 2 \(\d+\)$/);
    await s.ended; // the server closes right after ERROR
    expect(s.lines).toHaveLength(1);
  });

  it('a client that goes away stops the store watch', async () => {
    const store = t.stores.get('widgets')!;
    const realWatch = store.watch.bind(store);
    let stopped = 0;
    // Observe the real store's stream (no double): count stop() calls made by the handler.
    (store as { watch: typeof store.watch }).watch = async (...args) => {
      const w = await realWatch(...args);
      return { [Symbol.asyncIterator]: () => w[Symbol.asyncIterator](), consume: (sink) => w.consume(sink), stop: () => (stopped++, w.stop()) };
    };
    try {
      const s = await watch(`${ns}?watch=true&timeoutSeconds=30`);
      await s.waitFor(1);
      s.res.destroy();
      for (let i = 0; i < 50 && stopped === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(stopped).toBeGreaterThan(0);
      expect((await create('after')).statusCode).toBe(201);
    } finally {
      (store as { watch: typeof store.watch }).watch = realWatch;
    }
  });

  it('YAML is not offered for watches', async () => {
    const s = await watch(`${ns}?watch=true&timeoutSeconds=1`, 'application/yaml');
    expect(s.res.statusCode).toBe(406);
    s.res.destroy();
  });

  it('bad watch options are a plain 422 before the stream starts', async () => {
    const s = await watch(`${ns}?watch=true&resourceVersionMatch=Exact&resourceVersion=1`);
    expect(s.res.statusCode).toBe(422);
    s.res.destroy();
  });
});

describe('server close', () => {
  it('ends open watches so close does not wait for them', async () => {
    const other = await startApp();
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (other.app.server.address() as { port: number }).port;
    const ended = new Promise<number>((resolve, reject) => {
      request(`http://127.0.0.1:${port}${ns}?watch=true`, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await other.close();
    expect(await ended).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
