// The in-cluster serving certificate and caBundle (src/runtime/server/incluster.ts) against the
// kube-apiserver double: create-if-absent with replicas converging on one CA, bring-your-own
// Secrets, and the APIService caBundle written by JSON merge patch only where annotated.
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeClientFromFile, type KubeClient } from '../../src/runtime/auth/kube-client.js';
import {
  ensureServingCertSecret,
  InClusterError,
  startCABundleSync,
  syncCABundles,
} from '../../src/runtime/server/incluster.js';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { issueServing, makeCA } from '../doubles/pki.js';
import { emptyGroup } from '../server/fixtures.js';
import { startTestServer } from '../server/helpers.js';

const ref = { namespace: 'wardle', name: 'wardle-apiserver-serving-cert' };
const hosts = ['wardle-apiserver', 'wardle-apiserver.wardle', 'wardle-apiserver.wardle.svc', 'wardle-apiserver.wardle.svc.cluster.local'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

function apiService(name: string, annotation?: string, caBundle?: string) {
  const [version, ...group] = name.split('.');
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name, ...(annotation ? { annotations: { 'aa-gen.dev/ca-bundle-from': annotation } } : {}) },
    spec: { group: group.join('.'), version, groupPriorityMinimum: 1000, versionPriority: 100, service: { namespace: 'wardle', name: 'wardle-apiserver', port: 443 }, ...(caBundle ? { caBundle } : {}) },
  };
}

describe('serving certificate Secret', () => {
  let kube: KubeApiserverDouble;
  let client: KubeClient;
  beforeAll(async () => {
    kube = await startKubeApiserverDouble();
    client = kubeClientFromFile(kube.kubeconfigPath, '--authentication-kubeconfig');
  });
  afterAll(() => kube?.close());

  it('is created when absent; replicas racing to create it converge on one CA', async () => {
    const [a, b] = await Promise.all([
      ensureServingCertSecret(client, ref, { hosts, caName: 'wardle.example.com-ca' }),
      ensureServingCertSecret(client, ref, { hosts, caName: 'wardle.example.com-ca' }),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.ca).toBe(b.ca);
    expect(a.cert).toBe(b.cert);
    expect(kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets'))).toHaveLength(2); // one lost with 409

    const stored = kube.secrets.get('wardle/wardle-apiserver-serving-cert');
    expect(stored.type).toBe('kubernetes.io/tls');
    expect(Object.keys(stored.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    const leaf = new X509Certificate(a.cert);
    const ca = new X509Certificate(a.ca);
    expect(ca.ca).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    for (const h of hosts) expect(leaf.checkHost(h)).toBe(h);
    expect(a.missingHosts).toEqual([]);

    // A restart reads it back unchanged.
    const again = await ensureServingCertSecret(client, ref, { hosts, caName: 'x' });
    expect(again).toMatchObject({ created: false, ca: a.ca, cert: a.cert, key: a.key });
  });

  it('uses a Secret the user made first as is, and reports hosts it does not cover', async () => {
    const ca = await makeCA('byo-ca');
    const serving = await issueServing(ca);
    kube.secrets.set('byo/mine', { type: 'kubernetes.io/tls', data: { 'ca.crt': b64(ca.cert), 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key) } });
    const s = await ensureServingCertSecret(client, { namespace: 'byo', name: 'mine' }, { hosts: ['localhost', 'svc.byo.svc'], caName: 'x' });
    expect(s).toMatchObject({ created: false, ca: ca.cert, cert: serving.cert, missingHosts: ['svc.byo.svc'] });
  });

  it('fails with an actionable message when it cannot be made', async () => {
    await expect(ensureServingCertSecret(client, { namespace: 'ns', name: 'absent' }, { hosts: [], caName: 'x' })).rejects.toThrow(
      /secret ns\/absent does not exist and --serving-cert-hosts is not set/,
    );
    kube.secrets.set('ns/partial', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } });
    await expect(ensureServingCertSecret(client, { namespace: 'ns', name: 'partial' }, { hosts, caName: 'x' })).rejects.toThrow(
      /secret ns\/partial has no ca.crt/,
    );
    kube.setFailure(403);
    try {
      const err = await ensureServingCertSecret(client, ref, { hosts, caName: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InClusterError);
      expect((err as Error).message).toMatch(/cannot get secret wardle\/wardle-apiserver-serving-cert: 403: .*RBAC of deploy\/03-rbac-server.yaml/);
    } finally {
      kube.setFailure(undefined);
    }
  });
});

describe('APIService caBundle', () => {
  let kube: KubeApiserverDouble;
  let client: KubeClient;
  const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  beforeAll(async () => {
    kube = await startKubeApiserverDouble({
      apiServices: [
        apiService('v1beta1.wardle.example.com', 'wardle/wardle-apiserver-serving-cert'),
        apiService('v1alpha1.wardle.example.com', 'wardle/wardle-apiserver-serving-cert', b64('old CA')),
        apiService('v1.other.example.com', undefined, b64('theirs')),
        apiService('v2.other.example.com', 'elsewhere/another-secret', b64('theirs')),
      ],
    });
    client = kubeClientFromFile(kube.kubeconfigPath, '--authentication-kubeconfig');
  });
  afterAll(() => kube?.close());

  it('is written by merge patch into annotated APIServices only, and only when it differs', async () => {
    const names = ['v1beta1.wardle.example.com', 'v1alpha1.wardle.example.com', 'v1.other.example.com', 'v2.other.example.com', 'v9.wardle.example.com'];
    const first = await syncCABundles(client, { apiServices: names, secret: ref, caPem });
    expect(first).toEqual({
      'v1beta1.wardle.example.com': 'patched',
      'v1alpha1.wardle.example.com': 'patched',
      'v1.other.example.com': 'not-annotated',
      'v2.other.example.com': 'not-annotated',
      'v9.wardle.example.com': 'not-found',
    });
    expect(kube.apiServices.get('v1beta1.wardle.example.com').spec.caBundle).toBe(b64(caPem));
    expect(kube.apiServices.get('v1alpha1.wardle.example.com').spec).toMatchObject({ caBundle: b64(caPem), versionPriority: 100, service: { name: 'wardle-apiserver' } });
    expect(kube.apiServices.get('v1.other.example.com').spec.caBundle).toBe(b64('theirs'));
    expect(kube.apiServices.get('v2.other.example.com').spec.caBundle).toBe(b64('theirs'));
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => [p.path, p.contentType])).toEqual([
      ['/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.wardle.example.com', 'application/merge-patch+json'],
      ['/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.wardle.example.com', 'application/merge-patch+json'],
    ]);

    const second = await syncCABundles(client, { apiServices: names.slice(0, 2), secret: ref, caPem });
    expect(second).toEqual({ 'v1beta1.wardle.example.com': 'unchanged', 'v1alpha1.wardle.example.com': 'unchanged' });
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('is checked again periodically (an APIService re-applied without it gets it back)', async () => {
    const log = { warn: (_m: string) => {}, info: (_m: string) => {} };
    const sync = await startCABundleSync(client, { apiServices: ['v1beta1.wardle.example.com'], secret: ref, caPem: () => caPem, intervalMs: 100, log });
    try {
      kube.apiServices.set('v1beta1.wardle.example.com', apiService('v1beta1.wardle.example.com', 'wardle/wardle-apiserver-serving-cert'));
      const deadline = Date.now() + 5000;
      while (!kube.apiServices.get('v1beta1.wardle.example.com').spec.caBundle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(kube.apiServices.get('v1beta1.wardle.example.com').spec.caBundle).toBe(b64(caPem));
    } finally {
      sync.stop();
    }
  });
});

// k8s.io/apiserver pkg/server/dynamiccertificates: whoever rotates the Secret (cert-manager, an
// operator) only replaces it; the server serves the new pair to new connections and writes the
// new CA into the APIServices.
describe('serving certificate Secret, rotated while the server runs', () => {
  it('new connections get the new pair, and the APIService caBundle the new CA', async () => {
    const secretRef = 'empty/empty-serving-cert';
    const tls = (ca: { cert: string }, leaf: { cert: string; key: string }) => ({
      type: 'kubernetes.io/tls',
      data: { 'ca.crt': b64(ca.cert), 'tls.crt': b64(leaf.cert), 'tls.key': b64(leaf.key) },
    });
    const kube = await startKubeApiserverDouble({ apiServices: [apiService('v1.empty.example.com', secretRef)] });
    const ca1 = await makeCA('first-ca');
    const ca2 = await makeCA('second-ca');
    const [leaf1, leaf2] = await Promise.all([issueServing(ca1, 'first'), issueServing(ca2, 'second')]);
    kube.secrets.set(secretRef, tls(ca1, leaf1));
    const t = await startTestServer(emptyGroup, {
      args: [`--authentication-kubeconfig=${kube.kubeconfigPath}`, '--authorization-mode=AlwaysAllow', `--serving-cert-secret=${secretRef}`],
      extras: { servingReloadMs: 100, caBundleResyncMs: 60_000, inCluster: false },
    });
    try {
      const served = () => servedCert(t.server.port);
      expect((await served()).fingerprint256).toBe(new X509Certificate(leaf1.cert).fingerprint256);
      expect(kube.apiServices.get('v1.empty.example.com').spec.caBundle).toBe(b64(ca1.cert));

      kube.secrets.set(secretRef, tls(ca2, leaf2));
      await until(async () => (await served()).fingerprint256 === new X509Certificate(leaf2.cert).fingerprint256);
      // Written at once, not at the next periodic check (an hour away here).
      await until(() => kube.apiServices.get('v1.empty.example.com').spec.caBundle === b64(ca2.cert));
    } finally {
      await t.stop();
      await kube.close();
    }
  });
});

function servedCert(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!);
      s.end();
    });
    s.on('error', reject);
  });
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
