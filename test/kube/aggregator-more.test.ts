// More of examples/wardle behind the REAL kube-aggregator (the harness of aggregator.test.ts, on
// sqlite): `kubectl get -w` and client-node's Watch streamed through kube-apiserver's proxy,
// `kubectl edit`, fischers (cluster-scoped) and `kubectl apply -f samples/`.
//
// Upstream: kube-aggregator/pkg/apiserver/handler_proxy.go (the proxy, which streams watches),
// kubectl/pkg/cmd/get/get.go (watch, --output-watch-events), kubectl/pkg/cmd/edit (KUBE_EDITOR).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../../src/runtime/server/certs.js';
import { emptyGroup } from '../server/fixtures.js';
import { startTestServer } from '../server/helpers.js';
import { requireBinary } from '../support/binaries.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { freePort, skipWithoutEtcd } from '../support/etcd.js';
import { repoRoot, startExample, type RunningServer } from '../support/example-server.js';
import { kubeBinaries, kubeBuildTimeoutMs, kubeTestsEnabled } from '../support/kube.js';
import { kubectlFor, type Kubectl, type KubectlResult } from '../support/kubectl.js';
import { waitFor, wardleDeployManifests } from '../support/wardle-deploy.js';

const enabled =
  kubeTestsEnabled('more tests behind the real kube-aggregator') &&
  requireBinary('kubectl', 'more tests behind the real kube-aggregator') &&
  !skipWithoutEtcd('more tests behind the real kube-aggregator');

const wardleDir = join(repoRoot, 'examples/wardle');
const versions = ['v1beta1', 'v1alpha1'];
const secretRef = 'wardle/wardle-apiserver-serving-cert';
const serviceHost = 'wardle-apiserver.wardle.svc';

/** A long-running kubectl (a watch): its output so far, a wait for a line, and a stop by its own process group. */
function spawnKubectl(kubeconfig: string, args: readonly string[]) {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { cwd: wardleDir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // A hard bound: the watch never outlives the test.
  const bound = setTimeout(() => stop(), 60_000);
  const stop = () => {
    clearTimeout(bound);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  return {
    lines: () => out.split('\n').filter(Boolean),
    stderr: () => err,
    waitForLine: (what: string, re: RegExp) =>
      waitFor(`kubectl ${args.join(' ')} to print ${what}`, 30_000, () => (out.split('\n').some((l) => re.test(l)) ? true : undefined), () => `stdout:\n${out}\nstderr:\n${err}`),
    stop,
  };
}

describe.runIf(enabled)('examples/wardle behind the real kube-aggregator: watch, edit, fischers, samples (delegated, sqlite)', () => {
  let cp: ControlPlane;
  let admin: Kubectl;
  let server: RunningServer | undefined;
  let dataDir: string;
  let scratch: string;

  const available = (v: string) =>
    (JSON.parse(admin(`get apiservice ${v}.wardle.example.com -o json`).stdout || '{}') as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.find((c) => c.type === 'Available');
  const debug = () => `${admin('get apiservices -o wide').stdout}\n--- wardle ---\n${server?.output().slice(-3000)}\n--- kube ---\n${cp.output().slice(-3000)}`;

  beforeAll(async () => {
    const binaries = await kubeBinaries();
    cp = await startControlPlane({ binaries });
    admin = kubectlFor(cp.adminKubeconfig, wardleDir);
    const port = await freePort();
    const applied = admin('apply -f -', { input: wardleDeployManifests(port) });
    expect(applied.code, applied.stderr).toBe(0);
    const token = admin('create token wardle-apiserver -n wardle --duration=2h');
    expect(token.code, token.stderr).toBe(0);
    const kubeconfig = cp.kubeconfigForToken('wardle-apiserver', token.stdout.trim());
    dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-wardle-kube-more-'));
    scratch = mkdtempSync(join(tmpdir(), 'aa-gen-kube-more-'));
    server = await startExample('wardle', {
      dataDir,
      args: [
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        '--storage-backend=sqlite',
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        `--serving-cert-secret=${secretRef}`,
        `--serving-cert-hosts=wardle-apiserver,wardle-apiserver.wardle,${serviceHost},${serviceHost}.cluster.local`,
      ],
    });
    await waitFor('both APIServices Available=True', 120_000, () => (versions.every((v) => available(v)?.status === 'True') ? true : undefined), debug);
  }, kubeBuildTimeoutMs + 300_000);

  afterAll(async () => {
    await server?.stop();
    await cp?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('kubectl get flunders -w through kube-apiserver prints the flunders another kubectl creates, updates and deletes', async () => {
    // kubectl prints nothing for an empty list: the first flunder exists before the watch, so
    // its line (after the header) says the list was read and the watch established.
    expect(admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'watched', namespace: 'default' } }) }).code).toBe(0);
    const watch = spawnKubectl(cp.adminKubeconfig, ['get', 'flunders', '-n', 'default', '-w', '-o', 'custom-columns=NAME:.metadata.name,REF:.spec.flunderReference']);
    try {
      await watch.waitForLine('the existing flunder', /^watched\s+<none>$/);
      expect(admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'second', namespace: 'default' } }) }).code).toBe(0);
      await watch.waitForLine('the created flunder', /^second\s+<none>$/);
      expect(admin(`patch flunder watched -n default --type=merge -p '{"spec":{"referenceType":"Flunder","flunderReference":"other"}}'`).code).toBe(0);
      await watch.waitForLine('the updated flunder', /^watched\s+other$/);
      expect(admin('delete flunder watched -n default').code).toBe(0);
      // Without --output-watch-events a DELETED event prints the object as it was last: one more line.
      await waitFor('the deletion line', 30_000, () => (watch.lines().filter((l) => l.startsWith('watched')).length >= 3 ? true : undefined), () => watch.lines().join('\n'));
      expect(watch.lines().map((l) => l.split(/\s+/))).toEqual([['NAME', 'REF'], ['watched', '<none>'], ['second', '<none>'], ['watched', 'other'], ['watched', 'other']]);
      expect(watch.stderr()).toBe('');
      expect(admin('delete flunder second -n default').code).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it('kubectl get flunders -w --output-watch-events names each event: ADDED, MODIFIED, DELETED', async () => {
    expect(admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'evented', namespace: 'default' } }) }).code).toBe(0);
    const watch = spawnKubectl(cp.adminKubeconfig, ['get', 'flunders', '-n', 'default', '-w', '--output-watch-events']);
    try {
      // The server's Table (watch with as=Table) and kubectl's EVENT column; the existing object
      // comes as ADDED, from the initial list.
      await watch.waitForLine('ADDED', /^ADDED\s+evented\s+\d+s$/);
      expect(admin(`label flunder evented -n default touched=yes`).code).toBe(0);
      await watch.waitForLine('MODIFIED', /^MODIFIED\s+evented\s+\d+s$/);
      expect(admin('delete flunder evented -n default').code).toBe(0);
      await watch.waitForLine('DELETED', /^DELETED\s+evented\s+\d+s$/);
      // REFERENCE-TYPE is empty: the flunder has no spec.referenceType.
      expect(watch.lines().map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['EVENT', 'NAME'], ['ADDED', 'evented'], ['MODIFIED', 'evented'], ['DELETED', 'evented']]);
      expect(watch.lines()[0]).toMatch(/^EVENT\s+NAME\s+REFERENCE-TYPE\s+AGE$/);
    } finally {
      watch.stop();
    }
  });

  it('client-node\'s Watch through kube-apiserver receives ADDED, MODIFIED and DELETED with the objects', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cp.adminKubeconfig);
    const events: [string, string, string | undefined][] = [];
    let failure: unknown;
    const req = await new k8s.Watch(kc).watch(
      '/apis/wardle.example.com/v1beta1/namespaces/default/flunders',
      {},
      (type: string, obj: { metadata: { name: string; labels?: Record<string, string> } }) => {
        if (obj.metadata.name === 'streamed') events.push([type, obj.metadata.name, obj.metadata.labels?.step]);
      },
      (err: unknown) => (failure = err),
    );
    try {
      expect(admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'streamed', namespace: 'default', labels: { step: 'one' } } }) }).code).toBe(0);
      expect(admin('label flunder streamed -n default step=two --overwrite').code).toBe(0);
      expect(admin('delete flunder streamed -n default').code).toBe(0);
      await waitFor('three events', 30_000, () => (events.length >= 3 ? true : undefined), () => JSON.stringify({ events, failure }));
      expect(events).toEqual([
        ['ADDED', 'streamed', 'one'],
        ['MODIFIED', 'streamed', 'two'],
        ['DELETED', 'streamed', 'two'],
      ]);
    } finally {
      req.abort();
    }
  });

  it('kubectl edit flunder with KUBE_EDITOR a sed script: the edited field is stored', () => {
    expect(admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'edited', namespace: 'default' }, spec: { referenceType: 'Flunder', flunderReference: 'before' } }) }).code).toBe(0);
    const editor = join(scratch, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/flunderReference: before/flunderReference: after/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = admin('edit flunder edited -n default', { env: { KUBE_EDITOR: editor } });
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/edited edited\n' });
    const got = JSON.parse(admin('get flunder edited -n default -o json').stdout) as { spec: Record<string, string> };
    expect(got.spec).toEqual({ referenceType: 'Flunder', flunderReference: 'after' });
    // An editor that changes nothing: kubectl says so and sends no update.
    expect(admin('edit flunder edited -n default', { env: { KUBE_EDITOR: 'true' } })).toMatchObject({ code: 0, stderr: 'Edit cancelled, no changes made.\n' });
    expect(admin('delete flunder edited -n default').code).toBe(0);
  });

  it('fischers (cluster-scoped, v1alpha1) create, get, list and delete through the aggregator', () => {
    const fischer = { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Fischer', metadata: { name: 'cluster-fischer' }, disallowedFlunders: ['a', 'b'] };
    expect(admin('create -f -', { input: JSON.stringify(fischer) })).toMatchObject({ code: 0, stdout: 'fischer.wardle.example.com/cluster-fischer created\n' });
    const got = JSON.parse(admin('get fischer cluster-fischer -o json').stdout) as { metadata: { name: string; namespace?: string; uid: string }; disallowedFlunders: string[] };
    expect(got.metadata.namespace).toBeUndefined();
    expect(got.disallowedFlunders).toEqual(['a', 'b']);
    // Cluster-scoped: -n is ignored by kubectl, the list is the same from any namespace.
    expect(admin('get fischers -o name').stdout).toBe('fischer.wardle.example.com/cluster-fischer\n');
    expect(admin('get fischers -n kube-system -o name').stdout).toBe('fischer.wardle.example.com/cluster-fischer\n');
    expect(admin('get fischers').stdout).toMatch(/^NAME\s+AGE\ncluster-fischer\s+\d+s\n$/);
    expect(admin('delete fischer cluster-fischer')).toMatchObject({ code: 0, stdout: 'fischer.wardle.example.com "cluster-fischer" deleted\n' });
    expect(admin('get fischer cluster-fischer').stderr).toContain('Error from server (NotFound): fischers.wardle.example.com "cluster-fischer" not found');
  });

  it('kubectl apply -f samples/ (the examples\' own samples) creates, then reapplies unchanged, then deletes', () => {
    const first = admin('apply -f samples/ -n default');
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('fischer.wardle.example.com/my-first-fischer created\nflunder.wardle.example.com/my-first-flunder created\n');
    expect(admin('apply -f samples/ -n default').stdout).toBe('fischer.wardle.example.com/my-first-fischer unchanged\nflunder.wardle.example.com/my-first-flunder unchanged\n');
    const flunder = JSON.parse(admin('get flunder my-first-flunder -n default -o json').stdout) as { metadata: { annotations: Record<string, string> } };
    expect(Object.keys(flunder.metadata.annotations)).toEqual(['kubectl.kubernetes.io/last-applied-configuration']);
    expect(admin('delete -f samples/ -n default').stdout).toBe('fischer.wardle.example.com "my-first-fischer" deleted\nflunder.wardle.example.com "my-first-flunder" deleted\n');
  });

  it('the seed\'s lab: an openssl CA and client certificate (CN=development, O=system:masters, RSA 4096) in a P12 bundle, curl --cert-type P12 answers 200 with a FlunderList', async () => {
    // Step by step as the seed did it, with the machine's openssl and curl.
    const lab = join(scratch, 'lab');
    mkdirSync(lab);
    const sh = (cmd: string) => {
      const r = spawnSync('sh', ['-c', cmd], { cwd: lab, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${cmd}\n${r.stdout}${r.stderr}`).toBe(0);
      return r.stdout;
    };
    sh('openssl genrsa -out ca.key 4096');
    sh('openssl req -x509 -new -nodes -key ca.key -subj "/CN=development-ca" -days 1 -out ca.crt');
    sh('openssl genrsa -out client.key 4096');
    sh('openssl req -new -key client.key -subj "/CN=development/O=system:masters" -out client.csr');
    sh('openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out client.crt');
    sh('openssl pkcs12 -export -in client.crt -inkey client.key -out client.p12 -passout pass:P@ssw0rd');
    expect(sh('openssl x509 -in client.crt -noout -subject')).toBe('subject=CN = development, O = system:masters\n');

    const labData = mkdtempSync(join(tmpdir(), 'aa-gen-wardle-lab-'));
    let labServer: RunningServer | undefined;
    try {
      const port = await freePort();
      labServer = await startExample('wardle', {
        dataDir: labData,
        args: [
          `--secure-port=${port}`,
          `--etcd-servers=${cp.etcd.endpoint}`,
          '--etcd-prefix=/wardle-lab',
          `--authentication-kubeconfig=${cp.adminKubeconfig}`,
          `--authorization-kubeconfig=${cp.adminKubeconfig}`,
          `--client-ca-file=${join(lab, 'ca.crt')}`,
        ],
      });
      const curl = (extra: string) =>
        spawnSync('sh', ['-c', `curl -sS --cacert '${join(labData, 'certs/ca.crt')}' -w '\\n%{http_code}' ${extra} https://localhost:${port}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`], { cwd: lab, encoding: 'utf8', timeout: 30_000 });
      const r = curl('--cert-type P12 --cert client.p12:P@ssw0rd');
      expect(r.stderr).toBe('');
      const [body, code] = [r.stdout.slice(0, r.stdout.lastIndexOf('\n')), r.stdout.slice(r.stdout.lastIndexOf('\n') + 1)];
      expect(code).toBe('200');
      expect(JSON.parse(body)).toMatchObject({ kind: 'FlunderList', apiVersion: 'wardle.example.com/v1alpha1', items: [] });
      // Without the certificate: no user, 401 (anonymous is off in aa-gen's server).
      expect(curl('').stdout).toMatch(/"reason":"Unauthorized"[^]*\n401$/);
    } finally {
      await labServer?.stop();
      rmSync(labData, { recursive: true, force: true });
    }
  }, 180_000);


  // Before the kube-apiserver restart below: it changes the front-proxy CA the in-process server would read once.
  it('a rotated serving certificate (new CA in the Secret) keeps the APIService Available (in-process server, servingReloadMs 200)', async () => {
    // A child process cannot be told to re-read its Secret sooner than every 60 s (no flag), so
    // this one runs in-process, with the small reload interval as an extra (serving-reload.ts).
    const ns = 'empty';
    const host = `empty-apiserver.${ns}.svc`;
    const port = await freePort();
    expect(admin(`create namespace ${ns}`).code).toBe(0);
    const objs = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty-apiserver', namespace: ns }, spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] } },
      { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.empty.example.com', annotations: { 'aa-gen.dev/ca-bundle-from': `${ns}/empty-serving-cert` } }, spec: { group: 'empty.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 100, service: { namespace: ns, name: 'empty-apiserver', port } } },
    ];
    expect(admin('apply -f -', { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }) }).code).toBe(0);
    const t = await startTestServer(emptyGroup, {
      args: [
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        `--authentication-kubeconfig=${cp.adminKubeconfig}`,
        `--authorization-kubeconfig=${cp.adminKubeconfig}`,
        `--serving-cert-secret=${ns}/empty-serving-cert`,
        `--serving-cert-hosts=${host}`,
      ],
      extras: { servingReloadMs: 200, inCluster: false },
    });
    try {
      const condition = () =>
        (JSON.parse(admin('get apiservice v1.empty.example.com -o json').stdout || '{}') as { status?: { conditions?: { type: string; status: string; lastTransitionTime: string }[] } }).status?.conditions?.find((c) => c.type === 'Available');
      const before = await waitFor('v1.empty.example.com Available=True', 60_000, () => (condition()?.status === 'True' ? condition() : undefined), debug);

      const ca2 = await createCA('rotated-serving-ca');
      const leaf2 = await issueCertificate(ca2, { commonName: 'empty-apiserver', serverNames: [host] });
      const secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'empty-serving-cert', namespace: ns }, data: { 'ca.crt': b64(ca2.cert), 'tls.crt': b64(leaf2.cert), 'tls.key': b64(leaf2.key) } };
      expect(admin('replace -f -', { input: JSON.stringify(secret) }).code).toBe(0);

      // The server serves the new pair and writes the new CA into the APIService...
      const fingerprint = new X509Certificate(leaf2.cert).fingerprint256;
      let served = '';
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && served !== fingerprint) {
        served = (await servedCertificate(port, host)).fingerprint256;
        if (served !== fingerprint) await new Promise((r) => setTimeout(r, 200));
      }
      expect(served).toBe(fingerprint);
      await waitFor('the new CA in the APIService', 30_000, () => (admin('get apiservice v1.empty.example.com -o jsonpath={.spec.caBundle}').stdout === b64(ca2.cert) ? true : undefined), debug);
      // ...and the aggregator, which re-probes an APIService when it changes, keeps it Available with
      // the new CA: the condition is the same one (no transition) a few seconds later.
      await new Promise((r) => setTimeout(r, 5000));
      expect(condition()).toEqual(before);
    } finally {
      await t.stop();
      admin('delete apiservice v1.empty.example.com');
    }
  }, 180_000);
  it('kube-apiserver restarted with a new front-proxy CA, then with a proxy client certificate of it: the server follows extension-apiserver-authentication without a restart', async () => {
    const ca = Buffer.from((JSON.parse(admin('get secret wardle-apiserver-serving-cert -n wardle -o json').stdout) as { data: Record<string, string> }).data['ca.crt']!, 'base64').toString();
    const asProxy = (client: { cert: string; key: string }) =>
      httpsGet(`${server!.url}/apis/wardle.example.com/v1beta1/namespaces/default/flunders`, { ca, servername: serviceHost, cert: client.cert, key: client.key, headers: { 'x-remote-user': 'admin', 'x-remote-group': 'system:masters' } });
    const requestHeaderCA = () =>
      (JSON.parse(admin('get configmap extension-apiserver-authentication -n kube-system -o json').stdout || '{}') as { data?: Record<string, string> }).data?.['requestheader-client-ca-file'] ?? '';
    const oldProxy = cp.proxyClient;
    const oldProxyCA = cp.frontProxyCA.cert;
    expect((await asProxy(oldProxy)).code).toBe(200);

    // 1. kube-apiserver restarted trusting a new CA next to the old one: it writes both into the
    //    configmap, and the running server (its watch ended with kube-apiserver and re-lists)
    //    accepts a proxy certificate of the new CA.
    await cp.restartApiserver({ rotateFrontProxy: 'add-ca' });
    const newCA = cp.nextFrontProxyCA!;
    await waitFor('kube-apiserver to write the new front-proxy CA into the configmap', 60_000, () => (requestHeaderCA().includes(newCA.cert.trim()) ? true : undefined), debug);
    const newCAClient = await issueCertificate(newCA, { commonName: 'front-proxy-client', client: true });
    let direct = { code: 0, body: '' };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      direct = await asProxy(newCAClient);
      if (direct.code === 200) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(direct, `${admin('get apiservices -o wide').stdout}\n--- wardle ---\n${server?.output().slice(-3000)}`).toMatchObject({ code: 200 });

    // 2. kube-apiserver restarted with a proxy certificate of the new CA.
    await cp.restartApiserver({ rotateFrontProxy: 'switch-cert' });
    expect(cp.frontProxyCA).toBe(newCA);
    expect(cp.proxyClient.cert).not.toBe(oldProxy.cert);
    // Raw requests through kube-apiserver's proxy (kubectl's discovery cache may lag a restart).
    const raw = `get --raw /apis/wardle.example.com/v1beta1/namespaces/default/flunders`;
    let last: KubectlResult = { code: -1, stdout: '', stderr: '' };
    await waitFor('a list through the aggregator with the new proxy certificate', 60_000, () => {
      last = admin(raw);
      return last.code === 0 ? true : undefined;
    }, () => `${last.stderr}\n${debug()}`);
    expect(JSON.parse(last.stdout)).toMatchObject({ kind: 'FlunderList', items: [] });
    // And as the user the aggregator names: the server's own SubjectAccessReview refuses that user by name.
    expect(admin(`--as=rotation-user ${raw}`).stderr).toMatch(/User \\?"rotation-user\\?" cannot list resource \\?"flunders\\?" in API group \\?"wardle\.example\.com\\?" in the namespace \\?"default\\?"/);
    expect((await asProxy(cp.proxyClient)).code).toBe(200);

    // kube-apiserver keeps the old CA in the configmap next to the new one (pkg/controlplane/controller/
    // clusterauthenticationtrust/cluster_authentication_trust_controller.go combines the bundles,
    // for skew between apiservers), so a server following it still accepts the old proxy certificate.
    expect(requestHeaderCA()).toContain(oldProxyCA.trim());
    expect((await asProxy(oldProxy)).code).toBe(200);
  }, 300_000);
});

interface HttpsOptions {
  readonly ca: string;
  readonly servername?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly headers?: Record<string, string>;
}

function httpsGet(url: string, o: HttpsOptions): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: o.ca, cert: o.cert, key: o.key, servername: o.servername, headers: o.headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.end();
  });
}

/** The certificate a server presents to a new connection (not verified: the test compares it). */
function servedCertificate(port: number, servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false }, () => {
      resolve(sock.getPeerX509Certificate()!);
      sock.end();
    });
    sock.on('error', reject);
  });
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
