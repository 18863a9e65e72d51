// Standalone certificates: a CA, a serving certificate with the local SANs and an admin
// client certificate (CN admin, O system:masters, clientAuth), reused across restarts.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certFileNames, createCA, ensureStandaloneCertificates, issueCertificate } from '../../src/runtime/server/certs.js';
import { tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dir(): string {
  const d = tempDir('aa-gen-certs-');
  dirs.push(d);
  return d;
}

describe('ensureStandaloneCertificates', () => {
  it('creates a CA, a serving and an admin certificate with 0600 keys', async () => {
    const certDir = dir();
    const c = await ensureStandaloneCertificates({ certDir, extraNames: ['api.wardle.svc'], caName: 'wardle-ca' });
    const ca = new X509Certificate(c.ca.cert);
    const serving = new X509Certificate(c.serving.cert);
    const admin = new X509Certificate(c.admin.cert);

    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=wardle-ca');
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(admin.verify(ca.publicKey)).toBe(true);

    for (const name of ['localhost', hostname(), 'api.wardle.svc']) expect(serving.checkHost(name)).toBe(name);
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkIP('::1')).toBe('::1');
    expect(serving.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);

    expect(admin.subject.split('\n').sort()).toEqual(['CN=admin', 'O=system:masters']);
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);

    for (const f of [certFileNames.caKey, certFileNames.servingKey, certFileNames.adminKey]) {
      expect(statSync(join(certDir, f)).mode & 0o777).toBe(0o600);
    }
    for (const f of Object.values(certFileNames)) {
      expect(readFileSync(join(certDir, f), 'utf8')).toMatch(/^-----BEGIN /);
    }
  });

  it('reuses the same files on a second start', async () => {
    const certDir = dir();
    const first = await ensureStandaloneCertificates({ certDir });
    const second = await ensureStandaloneCertificates({ certDir });
    expect(second.ca).toEqual(first.ca);
    expect(second.serving).toEqual(first.serving);
    expect(second.admin).toEqual(first.admin);
  });

  it('reissues only the serving certificate when a new name is asked for', async () => {
    const certDir = dir();
    const first = await ensureStandaloneCertificates({ certDir });
    const second = await ensureStandaloneCertificates({ certDir, extraNames: ['10.9.8.7'] });
    expect(second.ca).toEqual(first.ca);
    expect(second.admin).toEqual(first.admin);
    expect(second.serving.cert).not.toBe(first.serving.cert);
    expect(new X509Certificate(second.serving.cert).checkIP('10.9.8.7')).toBe('10.9.8.7');
  });

  it('replaces a CA that is not a certificate, and the leaves it signed', async () => {
    const certDir = dir();
    const first = await ensureStandaloneCertificates({ certDir });
    writeFileSync(join(certDir, certFileNames.caCert), 'garbage');
    const second = await ensureStandaloneCertificates({ certDir });
    expect(second.ca.cert).not.toBe(first.ca.cert);
    expect(new X509Certificate(second.admin.cert).verify(new X509Certificate(second.ca.cert).publicKey)).toBe(true);
  });
});

describe('issueCertificate', () => {
  it('issues a client certificate for a user and groups', async () => {
    const ca = await createCA('other-ca');
    const leaf = await issueCertificate(ca, { commonName: 'jane', organizations: ['dev', 'ops'], client: true });
    const cert = new X509Certificate(leaf.cert);
    expect(cert.subject.split('\n')).toEqual(['CN=jane', 'O=dev', 'O=ops']);
    expect(cert.checkIssued(new X509Certificate(ca.cert))).toBe(true);
  });
});
