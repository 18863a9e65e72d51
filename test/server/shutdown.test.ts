// Graceful shutdown: close() stops accepting connections and resolves once storage is closed.
import { afterAll, expect, it } from 'vitest';
import { emptyGroup } from './fixtures.js';
import { startTestServer, tempDir } from './helpers.js';
import { rmSync } from 'node:fs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('close() refuses new connections afterwards and is idempotent', async () => {
  const dataDir = tempDir();
  dirs.push(dataDir);
  const t = await startTestServer(emptyGroup, { dataDir, args: ['--storage-backend=sqlite'] });
  expect((await t.fetch('/readyz')).status).toBe(200);
  await Promise.all([t.server.close(), t.server.close()]);
  await expect(t.fetch('/version')).rejects.toThrow(/ECONNREFUSED/);
});

it('close() ends open watches instead of waiting for them', async () => {
  const { wardleGroup } = await import('./fixtures.js');
  const { request } = await import('node:https');
  const t = await startTestServer(wardleGroup);
  const ended = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${t.server.url}/apis/wardle.example.com/v1beta1/namespaces/default/flunders?watch=true`,
      { ca: t.ca, cert: t.admin.cert, key: t.admin.key, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  // Wait until the watch is established (the server has answered the headers).
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  await t.stop();
  expect(Date.now() - started).toBeLessThan(3000); // well under the 5 s drain timeout
  expect((await ended).status).toBe(200);
});
