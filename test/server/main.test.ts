// runMain as a generated project's main.ts calls it: prints where it serves and the kubectl
// line, and shuts down gracefully on SIGTERM.
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { runMain } from '../../src/runtime/server/main.js';
import { emptyGroup, wardleGroup } from './fixtures.js';
import { send, tempDir } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = tempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('serves until SIGTERM, printing the URL and the kubectl line', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const running = runMain(
    wardleGroup,
    ['--secure-port=0', `--data-dir=${dataDir}`, '--storage-backend=memory'],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { logLevel: 'silent' },
  );
  while (!out.some((l) => l.startsWith('Serving'))) {
    if (err.length) throw new Error(err.join('\n'));
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = /^Serving wardle\.example\.com on (https:\/\/127\.0\.0\.1:(\d+))$/.exec(out[0]);
  expect(m).not.toBeNull();
  expect(out[1]).toBe(`Try: kubectl --kubeconfig ${join(dataDir, 'admin.kubeconfig')} get fischers`);

  const certs = join(dataDir, 'certs');
  const admin = { cert: readFileSync(join(certs, 'admin.crt'), 'utf8'), key: readFileSync(join(certs, 'admin.key'), 'utf8') };
  const r = await send(`${m![1]}/healthz`, { creds: admin }, readFileSync(join(certs, 'ca.crt'), 'utf8'));
  expect(r.body).toBe('ok');

  process.kill(process.pid, 'SIGTERM');
  await running;
  expect(out).toContain('SIGTERM received: shutting down');
  expect(process.exitCode ?? 0).toBe(0);
  expect(process.listenerCount('SIGTERM')).toBe(0);
});

it('exits 1 with a one-line error when the server cannot start', async () => {
  const err: string[] = [];
  await runMain(emptyGroup, [`--data-dir=${dataDir}`, '--tls-cert-file=/nonexistent.crt', '--tls-private-key-file=/nonexistent.key', '--secure-port=0'], { out: () => {}, err: (l) => err.push(l) }, { logLevel: 'silent' });
  expect(process.exitCode).toBe(1);
  process.exitCode = undefined;
  expect(err).toEqual([expect.stringMatching(/^error: cannot read --tls-cert-file \/nonexistent\.crt: ENOENT/)]);
});
