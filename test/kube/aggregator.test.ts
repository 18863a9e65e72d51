// examples/wardle behind the REAL kube-aggregator (kube-apiserver built from test/kube/): the
// generated deploy/ manifests applied to it (all but what needs a kubelet; the Service becomes an
// ExternalName `localhost`), the server delegated to it with the service account's own token, the
// CA injected into the real APIServices, and real kubectl against kube-apiserver.
//
// Upstream: kube-aggregator/pkg/controllers/status/remote/remote_available_controller.go (the
// availability probe), apiserver/pkg/util/proxy/proxy.go ResolveCluster (ExternalName routing),
// apiserver/pkg/server/options/authentication.go (the extension-apiserver-authentication configmap).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { freePort, skipWithoutEtcd } from '../support/etcd.js';
import { repoRoot, startExample, type RunningServer } from '../support/example-server.js';
import { kubeBinaries, kubeBuildTimeoutMs, kubeTestsEnabled } from '../support/kube.js';
import { kubectlFor, type Kubectl } from '../support/kubectl.js';
import { waitFor, wardleDeployManifests } from '../support/wardle-deploy.js';

const enabled =
  kubeTestsEnabled('the tests behind the real kube-aggregator') &&
  requireBinary('kubectl', 'the tests behind the real kube-aggregator') &&
  !skipWithoutEtcd('the tests behind the real kube-aggregator');

const wardleDir = join(repoRoot, 'examples/wardle');
const versions = ['v1beta1', 'v1alpha1'];
const alice = { name: 'alice', token: 'alice-token-0123456789' };
const secretRef = 'wardle/wardle-apiserver-serving-cert';
const serviceHost = 'wardle-apiserver.wardle.svc';

type AuditEvent = { verb: string; objectRef?: { namespace?: string; resource?: string; name?: string }; user: { username: string }; impersonatedUser?: { username: string }; responseStatus?: { code: number } };
for (const backend of ['sqlite', 'etcd3'] as const) {
  describe.runIf(enabled)(`examples/wardle behind the real kube-aggregator (delegated, ${backend})`, () => {
    let cp: ControlPlane;
    let admin: Kubectl;
    let asAlice: Kubectl;
    let server: RunningServer | undefined;
    let port: number;
    let auditLog: string;
    let serverArgs: string[];
    let dataDir: string;

    const apiService = (v: string) => JSON.parse(admin(`get apiservice ${v}.wardle.example.com -o json`).stdout || '{}') as {
      spec?: { caBundle?: string };
      status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
    };
    const available = (v: string) => apiService(v).status?.conditions?.find((c) => c.type === 'Available');
    const servingSecret = () => JSON.parse(admin('get secret wardle-apiserver-serving-cert -n wardle -o json').stdout || '{}') as { data?: Record<string, string> };
    const auditEvents = () => readFileSync(auditLog, 'utf8').split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as AuditEvent];
      } catch {
        return []; // the empty last line, or one being written
      }
    });
    const debug = () => `${admin('get apiservices -o wide').stdout}\n--- wardle ---\n${server?.output().slice(-3000)}\n--- kube ---\n${cp.output().slice(-3000)}`;

    beforeAll(async () => {
      const binaries = await kubeBinaries();
      cp = await startControlPlane({ binaries, users: [alice], controllerManager: true });
      admin = kubectlFor(cp.adminKubeconfig, wardleDir);
      asAlice = kubectlFor(cp.kubeconfigForToken('alice', alice.token), wardleDir);
      port = await freePort();

      const applied = admin('apply -f -', { input: wardleDeployManifests(port) });
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);

      // The server runs as its ServiceAccount, so the generated RBAC is what lets it work.
      const token = admin('create token wardle-apiserver -n wardle --duration=2h');
      expect(token.code, token.stderr).toBe(0);
      const kubeconfig = cp.kubeconfigForToken('wardle-apiserver', token.stdout.trim());
      auditLog = join(cp.dir, 'wardle-audit.log');
      dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-wardle-kube-'));
      serverArgs = [
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        `--storage-backend=${backend}`,
        // etcd3: kube-apiserver's etcd, under a prefix of its own.
        ...(backend === 'etcd3' ? [`--etcd-servers=${cp.etcd.endpoint}`, '--etcd-prefix=/wardle'] : []),
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        `--serving-cert-secret=${secretRef}`,
        `--serving-cert-hosts=wardle-apiserver,wardle-apiserver.wardle,${serviceHost},${serviceHost}.cluster.local`,
        `--audit-log-path=${auditLog}`,
      ];
      server = await startExample('wardle', { args: serverArgs, dataDir });
      await waitFor('both APIServices Available=True', 120_000, () => (versions.every((v) => available(v)?.status === 'True') ? true : undefined), debug);
    }, kubeBuildTimeoutMs + 300_000);

    afterAll(async () => {
      await server?.stop();
      await cp?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('creates its serving Secret in the cluster and writes its ca.crt into both APIServices (incluster.ts)', () => {
      const ca = servingSecret().data?.['ca.crt'];
      expect(ca).toBeTruthy();
      for (const v of versions) expect(apiService(v).spec?.caBundle).toBe(ca);
    });

    it('both APIServices are Available=True by the aggregator\'s own probe', () => {
      for (const v of versions) expect(available(v)).toMatchObject({ status: 'True', reason: 'Passed' });
    });

    it('kubectl api-resources through kube-apiserver lists flunders and fischers', () => {
      const r = admin('api-resources --api-group=wardle.example.com');
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/fischers\s+wardle\.example\.com\/v1alpha1\s+false\s+Fischer/);
      expect(r.stdout).toMatch(/flunders\s+wardle\.example\.com\/v1beta1\s+true\s+Flunder/);
    });

    it('kubectl create, get, list and delete a flunder through the aggregator', () => {
      expect(admin('create -f samples/flunder.yaml -n default')).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/my-first-flunder created\n' });
      const got = JSON.parse(admin('get flunder my-first-flunder -n default -o json').stdout) as { apiVersion: string; metadata: { labels: Record<string, string> } };
      expect(got.apiVersion).toBe('wardle.example.com/v1beta1');
      expect(got.metadata.labels).toEqual({ 'sample-label': 'true' });
      expect(admin('get flunders -n default').stdout).toMatch(/NAME\s+REFERENCE-TYPE\s+AGE\nmy-first-flunder\s/);
      expect(admin('get flunders.v1alpha1.wardle.example.com -A -o name').stdout).toBe('flunder.wardle.example.com/my-first-flunder\n');
      expect(admin('delete flunder my-first-flunder -n default')).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com "my-first-flunder" deleted\n' });
      expect(admin('get flunder my-first-flunder -n default').stderr).toContain('flunders.wardle.example.com "my-first-flunder" not found');
    });

    it('kubectl explain flunders reads the OpenAPI kube-apiserver aggregated from the server', async () => {
      // kube-apiserver fetches an APIService's /openapi/v3 in the background once it is available.
      const r = await waitFor('the aggregated OpenAPI v3 to have flunders', 60_000, () => {
        const e = admin('explain flunders.spec');
        return e.code === 0 ? e : undefined;
      }, debug);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/GROUP:\s+wardle\.example\.com/);
      expect(r.stdout).toMatch(/KIND:\s+Flunder/);
      expect(r.stdout).toMatch(/FIELD:\s+spec/);
      expect(r.stdout).toMatch(/fischerReference\s+<string>\n\s+A name of a Fischer/);
    });

    it('a user bound to flunders in namespace a (static token) lists there and is refused in b', async () => {
      for (const ns of ['a', 'b']) expect(admin(`create namespace ${ns}`).code).toBe(0);
      expect(admin('create role flunder-reader -n a --verb=get,list --resource=flunders.wardle.example.com').code).toBe(0);
      expect(admin('create rolebinding alice-flunder-reader -n a --role=flunder-reader --user=alice').code).toBe(0);

      const inA = asAlice('get flunders -n a');
      expect(inA.stderr).toBe('No resources found in a namespace.\n');
      expect(inA.code).toBe(0);
      const inB = asAlice('get flunders -n b');
      expect(inB.code).toBe(1);
      expect(inB.stderr).toContain('Error from server (Forbidden): flunders.wardle.example.com is forbidden: User "alice" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "b"');

      // The list in a reached the server as alice through the front proxy: the request-header CA
      // and header names came from kube-system/extension-apiserver-authentication (no such flag is given).
      const aliceListedA = () =>
        auditEvents().some((e) => e.verb === 'list' && e.objectRef?.resource === 'flunders' && e.objectRef.namespace === 'a' && e.user.username === 'alice' && e.responseStatus?.code === 200) || undefined;
      // The audit log is written after the response: give it a moment.
      expect(await waitFor('the audit event of alice\'s list in a', 10_000, aliceListedA)).toBe(true);
    });

    it('the same bearer token straight to the server: TokenReview and SubjectAccessReview by the real kube-apiserver', async () => {
      const ca = Buffer.from(servingSecret().data!['ca.crt']!, 'base64').toString();
      const direct = (ns: string, token: string) =>
        httpsGet(`https://127.0.0.1:${port}/apis/wardle.example.com/v1beta1/namespaces/${ns}/flunders`, { ca, servername: serviceHost, token });
      const list = (ns: string) => direct(ns, alice.token);
      expect(await list('a')).toMatchObject({ code: 200 });
      const b = await list('b');
      expect(b.code).toBe(403);
      expect(JSON.parse(b.body)).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        message: 'flunders.wardle.example.com is forbidden: User "alice" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "b"',
      });
      expect((await direct('a', 'not-a-token')).code).toBe(401);
    });

    it('anonymous requests: kube-apiserver (anonymous on) refuses system:anonymous; the server itself (anonymous off) answers 401', async () => {
      const path = '/apis/wardle.example.com/v1beta1/namespaces/a/flunders';
      const viaKube = await httpsGet(`${cp.url}${path}`, { ca: cp.ca.cert });
      expect(viaKube.code).toBe(403);
      expect(JSON.parse(viaKube.body)).toMatchObject({ reason: 'Forbidden', message: 'flunders.wardle.example.com is forbidden: User "system:anonymous" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "a"' });
      const ca = Buffer.from(servingSecret().data!['ca.crt']!, 'base64').toString();
      const direct = await httpsGet(`https://127.0.0.1:${port}${path}`, { ca, servername: serviceHost });
      expect(direct.code).toBe(401);
      expect(JSON.parse(direct.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized' });
    });

    it('kubectl --as impersonation through the aggregator arrives as the impersonated user', async () => {
      expect(admin('--as=alice get flunders -n a')).toMatchObject({ code: 0, stderr: 'No resources found in a namespace.\n' });
      expect(admin('--as=alice get flunders -n b').stderr).toContain('User "alice" cannot list resource "flunders"');
      const seen = () => auditEvents().filter((e) => e.verb === 'list' && e.objectRef?.namespace === 'a' && e.user.username === 'alice').length >= 2 || undefined;
      expect(await waitFor('a second audit event of alice listing in a', 10_000, seen)).toBe(true);
    });

    it('kube-apiserver\'s aggregated discovery (/apis, v2) lists the group, its versions and resources', async () => {
      const r = await httpsGet(`${cp.url}/apis`, { ca: cp.ca.cert, cert: cp.admin.cert, key: cp.admin.key, accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
      expect(r.code).toBe(200);
      const list = JSON.parse(r.body) as { kind: string; items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string }[] }[] }[] };
      expect(list.kind).toBe('APIGroupDiscoveryList');
      const group = list.items.find((g) => g.metadata.name === 'wardle.example.com');
      expect(group?.versions.map((v) => v.version)).toEqual(['v1beta1', 'v1alpha1']);
      expect(group?.versions[0]!.resources.map((x) => [x.resource, x.scope])).toEqual([['flunders', 'Namespaced']]);
      expect(group?.versions[1]!.resources.map((x) => [x.resource, x.scope]).sort()).toEqual([['fischers', 'Cluster'], ['flunders', 'Namespaced']]);
    });

    it('kubectl apply --server-side and patch of a flunder through the aggregator', () => {
      const manifest = JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'ssa', namespace: 'default' }, spec: { referenceType: 'Flunder', flunderReference: 'other' } });
      expect(admin('apply --server-side -f -', { input: manifest })).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/ssa serverside-applied\n' });
      expect(admin(`patch flunder ssa -n default --type=merge -p '{"metadata":{"labels":{"patched":"yes"}}}'`)).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/ssa patched\n' });
      const got = JSON.parse(admin('get flunder ssa -n default -o json --show-managed-fields').stdout) as { metadata: { labels: Record<string, string>; managedFields: { manager: string; operation: string }[] }; spec: Record<string, string> };
      expect(got.metadata.labels).toEqual({ patched: 'yes' });
      expect(got.spec).toEqual({ referenceType: 'Flunder', flunderReference: 'other' });
      // kube-apiserver also records ['kubectl-patch', 'Update'] for the patch (fieldmanager, every
      // non-apply write); aa-gen records managedFields only for apply so far (issue 11 report).
      expect(got.metadata.managedFields[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply' });
    });

    it('kubectl explain through the aggregated OpenAPI v2 too', async () => {
      const r = await waitFor('the aggregated OpenAPI v2 to have flunders', 60_000, () => {
        const e = admin('explain flunders.spec --output=plaintext-openapiv2');
        return e.code === 0 ? e : undefined;
      }, debug);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/KIND:\s+Flunder/);
      expect(r.stdout).toMatch(/fischerReference\s+<string>/);
    });

    it('BanFlunder refuses a flunder a fischer disallows, worded as sample-apiserver words it', () => {
      expect(admin('create -f samples/fischer.yaml').code).toBe(0);
      const banned = admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'forbidden-flunder', namespace: 'default' } }) });
      expect(banned).toMatchObject({
        code: 1,
        stderr: 'Error from server (Forbidden): error when creating "STDIN": flunders.wardle.example.com "forbidden-flunder" is forbidden: this name may not be used, please change the resource name\n',
      });
      expect(admin('delete fischer my-first-fischer').code).toBe(0);
    });

    it('deleting a namespace with kube-controller-manager running removes its flunders', async () => {
      expect(admin('create namespace doomed').code).toBe(0);
      expect(admin('create -f samples/flunder.yaml -n doomed').code).toBe(0);
      expect(admin('delete namespace doomed --wait=false').code).toBe(0);
      await waitFor('namespace doomed to be gone', 90_000, () => (admin('get namespace doomed').code !== 0 ? true : undefined), () => `${admin('get namespace doomed -o yaml').stdout}\n${debug()}`);
      const left = JSON.parse(admin('get flunders -A -o json').stdout) as { items: { metadata: { namespace: string } }[] };
      expect(left.items.filter((f) => f.metadata.namespace === 'doomed')).toEqual([]);
    });

    it('garbage collection deletes a flunder whose owner, a ConfigMap, is deleted', async () => {
      expect(admin('create configmap owner -n default').code).toBe(0);
      const uid = admin('get configmap owner -n default -o jsonpath={.metadata.uid}').stdout;
      const owned = { apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'owned', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }] } };
      expect(admin('create -f -', { input: JSON.stringify(owned) }).code).toBe(0);
      expect(admin('delete configmap owner -n default').code).toBe(0);
      await waitFor('the garbage collector to delete flunder owned', 90_000, () => (admin('get flunder owned -n default').code !== 0 ? true : undefined), debug);
      expect(admin('get flunder owned -n default').stderr).toContain('flunders.wardle.example.com "owned" not found');
    });

    it('stopping the server turns both APIServices Available=False, and other kubectl commands stay fast', async () => {
      await server!.stop();
      server = undefined;
      const down = await waitFor('both APIServices Available=False', 120_000, () => {
        const conds = versions.map(available);
        return conds.every((c) => c?.status === 'False') ? conds : undefined;
      }, debug);
      for (const c of down) expect(c).toMatchObject({ status: 'False', reason: 'FailedDiscoveryCheck' });
      const started = Date.now();
      expect(admin('get namespaces -o name').stdout).toContain('namespace/a');
      expect(Date.now() - started).toBeLessThan(20_000);
    });

    it('starting it again recovers without touching the cluster, with the objects it stored', async () => {
      server = await startExample('wardle', { args: serverArgs, dataDir });
      await waitFor('both APIServices Available=True again', 120_000, () => (versions.every((v) => available(v)?.status === 'True') ? true : undefined), debug);
      expect(admin('get flunder ssa -n default -o name')).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/ssa\n' });
    });
  });
  }

  interface GetOptions {
  readonly ca: string;
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
  readonly accept?: string;
}

function httpsGet(url: string, o: GetOptions): Promise<{ code: number; body: string }> {
  const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.accept ? { accept: o.accept } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: o.ca, cert: o.cert, key: o.key, servername: o.servername, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.end();
  });
}
