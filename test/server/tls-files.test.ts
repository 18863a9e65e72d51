// --tls-cert-file/--tls-private-key-file are served as given; the admin kubeconfig then trusts
// that certificate, and standalone client authentication still uses our own CA.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
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

/** The certificate a new TLS connection is served. */
function presentedCert(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', servername: 'localhost', ca }, () => {
      resolve(s.getPeerX509Certificate()!);
      s.end();
    });
    s.on('error', reject);
  });
}

// k8s.io/apiserver pkg/server/dynamiccertificates: a rotated pair is served to new connections.
it('serves a rotated certificate to new connections; a pair that does not match is not taken', async () => {
  const rotDir = join(dir, 'rotation');
  const ca = await createCA('corp-ca');
  const first = await issueCertificate(ca, { commonName: 'first', serverNames: ['localhost', '127.0.0.1'] });
  const certFile = join(dir, 'rot.crt');
  const keyFile = join(dir, 'rot.key');
  writeFileSync(certFile, first.cert + ca.cert);
  writeFileSync(keyFile, first.key, { mode: 0o600 });
  const t = await startTestServer(emptyGroup, {
    dataDir: rotDir,
    args: [`--tls-cert-file=${certFile}`, `--tls-private-key-file=${keyFile}`],
    extras: { servingReloadMs: 100 },
  });
  try {
    expect((await presentedCert(t.server.port, ca.cert)).subject).toBe('CN=first');
    const held = await new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({ port: t.server.port, host: '127.0.0.1', servername: 'localhost', ca: ca.cert }, () => resolve(s));
      s.on('error', reject);
    });

    // A new CA and leaf: new connections get them, the admin kubeconfig trusts them.
    const ca2 = await createCA('corp-ca-2');
    const second = await issueCertificate(ca2, { commonName: 'second', serverNames: ['localhost', '127.0.0.1'] });
    writeFileSync(certFile, second.cert + ca2.cert);
    writeFileSync(keyFile, second.key);
    await waitUntil(async () => (await presentedCert(t.server.port, ca2.cert).catch(() => undefined))?.subject === 'CN=second');
    expect(held.getPeerX509Certificate()!.subject).toBe('CN=first'); // open connections keep theirs
    held.end();
    await waitUntil(() => readFileSync(t.server.kubeconfigPath!, 'utf8').includes(Buffer.from(second.cert + ca2.cert).toString('base64')));
    expect((await send(`${t.server.url}/version`, { creds: t.admin }, ca2.cert)).status).toBe(200);

    // A certificate whose key is not the one beside it: the last good pair stays.
    const third = await issueCertificate(ca2, { commonName: 'third', serverNames: ['localhost', '127.0.0.1'] });
    writeFileSync(certFile, third.cert + ca2.cert); // key file still holds second's key
    await new Promise((r) => setTimeout(r, 400));
    expect((await presentedCert(t.server.port, ca2.cert)).subject).toBe('CN=second');
  } finally {
    await t.stop();
  }
});

async function waitUntil(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
