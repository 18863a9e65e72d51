// --tls-cert-file/--tls-private-key-file are served as given; the admin kubeconfig then trusts
// that certificate, and standalone client authentication still uses our own CA.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../../src/runtime/server/certs.js';
import { emptyGroup } from './fixtures.js';
import { send, startTestServer, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('serves the given certificate', async () => {
  const ca = await createCA('corp-ca');
  const leaf = await issueCertificate(ca, { commonName: 'corp-apiserver', serverNames: ['localhost', '127.0.0.1'] });
  writeFileSync(join(dir, 'serving.crt'), leaf.cert + ca.cert);
  writeFileSync(join(dir, 'serving.key'), leaf.key, { mode: 0o600 });
  const t = await startTestServer(emptyGroup, {
    dataDir: join(dir, 'data'),
    args: [`--tls-cert-file=${join(dir, 'serving.crt')}`, `--tls-private-key-file=${join(dir, 'serving.key')}`],
  });
  try {
    const presented = await new Promise<X509Certificate>((resolve, reject) => {
      const s = connect({ port: t.server.port, host: '127.0.0.1', servername: 'localhost', ca: ca.cert }, () => {
        resolve(s.getPeerX509Certificate()!);
        s.end();
      });
      s.on('error', reject);
    });
    expect(presented.subject).toBe('CN=corp-apiserver');

    const r = await send(`${t.server.url}/version`, { creds: t.admin }, ca.cert);
    expect(r.status).toBe(200);

    const kubeconfig = parse(readFileSync(t.server.kubeconfigPath!, 'utf8'));
    const caData = Buffer.from(kubeconfig.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
    expect(caData).toBe(leaf.cert + ca.cert);
  } finally {
    await t.stop();
  }
});
