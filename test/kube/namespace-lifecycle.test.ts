// NamespaceLifecycle in examples/wardle with a core API client from --kubeconfig, behind the REAL
// kube-aggregator with the REAL kube-apiserver's namespaces: answered exactly as Go's
// sample-apiserver answers in test/kube/sample-apiserver.test.ts (the same Status and the same
// kubectl message). Upstream: apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go,
// apiserver/pkg/server/options/coreapi.go (--kubeconfig). No kube-controller-manager runs, so a
// deleted namespace keeps its `kubernetes` finalizer and stays Terminating.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { freePort, skipWithoutEtcd } from '../support/etcd.js';
import { repoRoot, startExample, type RunningServer } from '../support/example-server.js';
import { adminRequest } from '../support/kube-request.js';
import { kubeBinaries, kubeBuildTimeoutMs, kubeTestsEnabled } from '../support/kube.js';
import { kubectlFor, type Kubectl } from '../support/kubectl.js';
import { waitFor, wardleDeployManifests } from '../support/wardle-deploy.js';
import { missingNamespace, terminatingNamespace } from '../support/namespace-lifecycle-answers.js';

const enabled =
  kubeTestsEnabled('NamespaceLifecycle behind the real kube-aggregator') &&
  requireBinary('kubectl', 'NamespaceLifecycle behind the real kube-aggregator') &&
  !skipWithoutEtcd('NamespaceLifecycle behind the real kube-aggregator');

const wardleDir = join(repoRoot, 'examples/wardle');
const flunder = (name: string, namespace: string) => ({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name, namespace } });

describe.runIf(enabled)('NamespaceLifecycle in examples/wardle with --kubeconfig, behind the real kube-aggregator', () => {
  let cp: ControlPlane;
  let admin: Kubectl;
  let server: RunningServer | undefined;
  let dataDir: string;
  const available = (v: string) =>
    (JSON.parse(admin(`get apiservice ${v}.wardle.example.com -o json`).stdout || '{}') as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.find((c) => c.type === 'Available')?.status;

  beforeAll(async () => {
    const binaries = await kubeBinaries();
    cp = await startControlPlane({ binaries });
    admin = kubectlFor(cp.adminKubeconfig, wardleDir);
    const port = await freePort();
    expect(admin('apply -f -', { input: wardleDeployManifests(port) }).code).toBe(0);
    // The server's ServiceAccount: the generated RBAC lets it get, list and watch namespaces.
    const token = admin('create token wardle-apiserver -n wardle --duration=2h');
    expect(token.code, token.stderr).toBe(0);
    const kubeconfig = cp.kubeconfigForToken('wardle-apiserver', token.stdout.trim());
    dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-wardle-nslc-'));
    server = await startExample('wardle', {
      dataDir,
      args: [
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--serving-cert-secret=wardle/wardle-apiserver-serving-cert',
        '--serving-cert-hosts=wardle-apiserver.wardle.svc',
      ],
    });
    await waitFor('both APIServices Available=True', 120_000, () => (['v1beta1', 'v1alpha1'].every((v) => available(v) === 'True') ? true : undefined), () => `${admin('get apiservices -o wide').stdout}\n${server?.output().slice(-3000)}`);
  }, kubeBuildTimeoutMs + 300_000);

  afterAll(async () => {
    await server?.stop();
    await cp?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('refuses a flunder in namespace nowhere as sample-apiserver does: 404 namespaces "nowhere" not found', async () => {
    const k = admin('create -f -', { input: JSON.stringify(flunder('lost', 'nowhere')) });
    expect(k).toMatchObject({ code: 1, stderr: missingNamespace.stderr });
    const r = await adminRequest(cp, 'POST', '/apis/wardle.example.com/v1beta1/namespaces/nowhere/flunders', flunder('lost', 'nowhere'));
    expect(r).toEqual(missingNamespace.response);
  });

  it('accepts it once the namespace is created (at once: the live lookup covers a cache that lags)', () => {
    expect(admin('create namespace nowhere').code).toBe(0);
    expect(admin('create -f -', { input: JSON.stringify(flunder('lost', 'nowhere')) })).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/lost created\n' });
  });

  it('refuses a create in a Terminating namespace with 403 and the NamespaceTerminating cause, as sample-apiserver does', async () => {
    expect(admin('create namespace doomed').code).toBe(0);
    expect(admin('create -f -', { input: JSON.stringify(flunder('early', 'doomed')) }).code).toBe(0);
    expect(admin('delete namespace doomed --wait=false').code).toBe(0);
    expect(admin('get namespace doomed -o jsonpath={.status.phase}').stdout).toBe('Terminating');
    const k = admin('create -f -', { input: JSON.stringify(flunder('late', 'doomed')) });
    expect(k).toMatchObject({ code: 1, stderr: terminatingNamespace.stderr });
    const r = await adminRequest(cp, 'POST', '/apis/wardle.example.com/v1beta1/namespaces/doomed/flunders', flunder('late', 'doomed'));
    expect(r).toEqual(terminatingNamespace.response);
    // Updates in it are not refused.
    expect(admin('label flunder early -n doomed touched=yes')).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/early labeled\n' });
  });
});
