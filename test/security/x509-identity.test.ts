// The identity in a client certificate as Go reads it: with several CN attributes the last one
// wins (crypto/x509/pkix Name.FillFromRDNSequence), for the user name (k8s.io/apiserver
// pkg/authentication/request/x509/x509.go CommonNameUserConversion) and for
// --requestheader-allowed-names (x509.go NewDynamicCAVerifier checks Subject.CommonName).
// Otherwise a certificate Go tooling shows (and an approver signs) as `alice` would act as
// whatever its first CN says. Over real TLS to a running delegated server; the user is read
// back from the audit log.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHeaders } from '../doubles/front-proxy.js';
import { send } from '../doubles/https.js';
import { emptyGroup } from '../server/fixtures.js';
import { startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { keyPem, makeCert, type Cert } from './chains.js';
import { goVerdicts, haveGo } from './go-x509.js';

const dir = tempDir('aa-gen-x509-identity-');
const auditLog = join(dir, 'audit.log');
let clientCA: Cert;
let frontProxyCA: Cert;
let t: TestServer;

beforeAll(async () => {
  clientCA = await makeCert({ subject: 'CN=client-ca', ca: true });
  frontProxyCA = await makeCert({ subject: 'CN=front-proxy-ca', ca: true });
  writeFileSync(join(dir, 'client-ca.crt'), clientCA.pem);
  writeFileSync(join(dir, 'front-proxy-ca.crt'), frontProxyCA.pem);
  t = await startTestServer(emptyGroup, {
    args: [
      '--bind-address=127.0.0.1',
      `--client-ca-file=${join(dir, 'client-ca.crt')}`,
      `--requestheader-client-ca-file=${join(dir, 'front-proxy-ca.crt')}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--authorization-mode=AlwaysAllow',
      `--audit-log-path=${auditLog}`,
    ],
  });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** Two CN attributes, in this order. */
const twoCNs = (issuer: Cert, first: string, last: string) => makeCert({ subject: [{ CN: [first] }, { CN: [last] }], issuer });

async function get(path: string, cert: Cert, headers: Record<string, string | readonly string[]> = {}) {
  return send(`${t.server.url}${path}`, { ca: t.ca, cert: cert.pem, key: await keyPem(cert.keys), headers });
}

/** The user of the audit event for `path` (the log is written asynchronously). */
async function auditedUser(path: string): Promise<string | undefined> {
  return (await auditedIdentity(path))?.username;
}

async function auditedIdentity(path: string): Promise<{ username: string; groups: string[] } | undefined> {
  for (let i = 0; i < 100; i++) {
    const lines = readFileSync(auditLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const e = lines.find((l) => l.requestURI === path && l.stage === 'ResponseComplete');
    if (e) return e.user;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

describe('several CNs in a client certificate: the last one is the name, as Go reads it', () => {
  it('x509: CN=mallory then CN=alice authenticates as alice, the name Go shows', async () => {
    const cert = await twoCNs(clientCA, 'mallory', 'alice');
    const r = await get('/apis?who=x509', cert);
    expect(r.status).toBe(200);
    expect(await auditedUser('/apis?who=x509')).toBe('alice');
    if (haveGo('the CN comparison with Go')) {
      const [go] = await goVerdicts([{ roots: clientCA.pem, chain: cert.pem }]);
      expect(go).toMatchObject({ ok: true, commonName: 'alice' });
    }
  });

  it('x509: multi-valued RDNs are read attribute by attribute (CN and O, in order)', async () => {
    const cert = await makeCert({ subject: [{ O: ['x'], CN: ['mallory'] }, { CN: ['alice'], O: ['y, z + w'] }], issuer: clientCA });
    const r = await get('/apis?who=multi-valued', cert);
    expect(r.status).toBe(200);
    expect(await auditedIdentity('/apis?who=multi-valued')).toEqual({ username: 'alice', groups: ['x', 'y, z + w', 'system:authenticated'] });
    if (haveGo('the CN comparison with Go')) {
      const [go] = await goVerdicts([{ roots: clientCA.pem, chain: cert.pem }]);
      expect(go).toMatchObject({ ok: true, commonName: 'alice' });
    }
  });

  it('request-header: CN=front-proxy-client then another CN is not an allowed name (401)', async () => {
    const cert = await twoCNs(frontProxyCA, 'front-proxy-client', 'intruder');
    const r = await get('/apis?who=rh-refused', cert, identityHeaders({ user: 'bob', groups: ['system:masters'] }));
    expect(r.status).toBe(401);
  });

  it('request-header: another CN then CN=front-proxy-client is allowed, and the headers are believed', async () => {
    const cert = await twoCNs(frontProxyCA, 'intruder', 'front-proxy-client');
    const r = await get('/apis?who=rh-allowed', cert, identityHeaders({ user: 'bob' }));
    expect(r.status).toBe(200);
    expect(await auditedUser('/apis?who=rh-allowed')).toBe('bob');
  });
});
