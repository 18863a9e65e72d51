// Standalone authentication over real TLS: only client certificates signed by the server's
// own CA are accepted (user = CN, groups = O); everything else is a 401 Status, except the
// health endpoints (k8s.io/apiserver pkg/authentication/request/x509/x509.go; API-CONTRACT 8.11).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type CertKeyPair } from '../../src/runtime/server/certs.js';
import { emptyGroup } from './fixtures.js';
import { expectStatusShape, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let foreign: CertKeyPair;
const certFile = (name: string) => readFileSync(join(t.dataDir, 'certs', name), 'utf8');

beforeAll(async () => {
  t = await startTestServer(emptyGroup);
  const otherCA = await createCA('someone-else');
  foreign = await issueCertificate(otherCA, { commonName: 'admin', organizations: ['system:masters'], client: true });
});
afterAll(() => t?.stop());

describe('standalone authentication', () => {
  it('refuses a request without a client certificate with a 401 Status', async () => {
    const r = await t.fetch('/version', { creds: {} });
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expectStatusShape(r.json(), 401, 'Unauthorized');
    expect(r.json().message).toBe('Unauthorized');
  });

  it('accepts the admin certificate', async () => {
    const r = await t.fetch('/version');
    expect(r.status).toBe(200);
  });

  it('refuses a certificate from another CA, even with the admin subject', async () => {
    const r = await t.fetch('/apis', { creds: foreign });
    expect(r.status).toBe(401);
    expectStatusShape(r.json(), 401, 'Unauthorized');
  });

  it('refuses a certificate of our CA without the clientAuth usage', async () => {
    // The serving certificate is signed by our CA but is for serverAuth only.
    const r = await t.fetch('/version', { creds: { cert: certFile('apiserver.crt'), key: certFile('apiserver.key') } });
    expect(r.status).toBe(401);
  });

  it('refuses unknown paths before routing (401, not 404)', async () => {
    const r = await t.fetch('/no/such/path', { creds: {} });
    expect(r.status).toBe(401);
  });

  it('accepts any user our CA signed for clientAuth, as CN/O', async () => {
    const ca = { cert: t.ca, key: certFile('ca.key') };
    const jane = await issueCertificate(ca, { commonName: 'jane', organizations: ['dev'], client: true });
    const r = await t.fetch('/version', { creds: jane });
    expect(r.status).toBe(200);
  });

  it.each(['/healthz', '/livez', '/readyz', '/readyz/ping', '/livez?verbose'])('serves %s without credentials', async (path) => {
    const r = await t.fetch(path, { creds: {} });
    expect(r.status).toBe(200);
  });
});

describe('x509Authenticator', () => {
  it('reads the user from CN and the groups from O, adding system:authenticated', async () => {
    const tls = await import('node:tls');
    const { x509Authenticator } = await import('../../src/runtime/auth/standalone.js');
    const ca = { cert: t.ca, key: certFile('ca.key') };
    const jane = await issueCertificate(ca, { commonName: 'jane', organizations: ['dev', 'ops'], client: true });
    const authn = x509Authenticator(t.ca);
    const server = tls.createServer({
      cert: certFile('apiserver.crt'),
      key: certFile('apiserver.key'),
      ca: [t.ca],
      requestCert: true,
      rejectUnauthorized: false,
    });
    const seen = new Promise<unknown>((resolve) => server.on('secureConnection', (socket) => {
      resolve(authn.authenticate({ raw: { socket } }));
      socket.end();
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: t.ca, cert: jane.cert, key: jane.key });
    client.on('error', () => {});
    expect(await seen).toEqual({ username: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
    client.destroy();
    server.close();
  });
});
