// The standalone admin (<data-dir>/certs/ca.key signs admin.crt: CN=admin, O=system:masters,
// allowed everything without a SubjectAccessReview) is not an identity in delegated mode
// unless --trust-local-admin says so: kube-apiserver answers a certificate of a CA it was not
// given with 401 (k8s.io/apiserver pkg/authentication/request/x509/x509.go: "x509: certificate
// signed by unknown authority"). Standalone mode is unchanged: the admin is its only identity.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyGroup } from '../server/fixtures.js';
import { expectStatusShape, startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { usage } from '../../src/runtime/server/options.js';
import { makeCert } from './chains.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** Delegated by --client-ca-file (some other CA); Webhook authorization without a kubeconfig: only system:masters passes. */
async function delegated(extra: readonly string[] = []): Promise<TestServer> {
  const dir = tempDir('aa-gen-local-admin-');
  const other = await makeCert({ subject: 'CN=cluster-ca', ca: true });
  writeFileSync(join(dir, 'ca.crt'), other.pem);
  return startTestServer(emptyGroup, { args: ['--bind-address=127.0.0.1', `--client-ca-file=${join(dir, 'ca.crt')}`, ...extra] });
}


describe('delegated mode and the standalone admin certificate', () => {
  it('refuses the admin certificate with 401 without --trust-local-admin', async () => {
    t = await delegated();
    const r = await t.fetch('/apis'); // as the admin
    expect(r.status).toBe(401);
    expectStatusShape(r.json(), 401, 'Unauthorized');
  });

  it('accepts it, as system:masters without a review, with --trust-local-admin', async () => {
    t = await delegated(['--trust-local-admin']);
    expect((await t.fetch('/apis')).status).toBe(200);
    expect((await t.fetch('/apis', { creds: {} })).status).toBe(401);
  });

  it('--trust-local-admin=false is the default', async () => {
    t = await delegated(['--trust-local-admin=false']);
    expect((await t.fetch('/apis')).status).toBe(401);
  });

  it('standalone mode still accepts the admin certificate', async () => {
    t = await startTestServer(emptyGroup);
    expect(t.server.mode).toBe('standalone');
    expect((await t.fetch('/apis')).status).toBe(200);
  });

  it('--help names the flag', () => {
    expect(usage()).toMatch(/--trust-local-admin\s+Delegated mode: also accept the admin certificate/);
  });
});
