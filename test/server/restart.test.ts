// Restarting on the same data dir reuses the CA, serving and admin certificates, so an
// existing admin.kubeconfig keeps working.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { emptyGroup } from './fixtures.js';
import { send, startTestServer, tempDir } from './helpers.js';

const dataDir = tempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const read = (f: string) => readFileSync(join(dataDir, 'certs', f), 'utf8');

it('reuses the certificates on restart, and the old admin credentials still work', async () => {
  const first = await startTestServer(emptyGroup, { dataDir });
  const before = { ca: read('ca.crt'), serving: read('apiserver.crt'), admin: read('admin.crt') };
  const oldAdmin = first.admin;
  await first.stop();

  const second = await startTestServer(emptyGroup, { dataDir });
  expect({ ca: read('ca.crt'), serving: read('apiserver.crt'), admin: read('admin.crt') }).toEqual(before);
  const r = await send(`${second.server.url}/version`, { creds: oldAdmin }, before.ca);
  expect(r.status).toBe(200);
  await second.stop();
});
