// Go's sample-apiserver, built from test/kube/, behind the same real kube-aggregator the aa-gen
// tests use: the reference runs in this harness (its APIServices Available, kubectl through the
// aggregator), so differential tests can put aa-gen's wardle beside it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { freePort, skipWithoutEtcd } from '../support/etcd.js';
import { repoRoot } from '../support/example-server.js';
import { adminRequest } from '../support/kube-request.js';
import { kubeBinaries, kubeBuildTimeoutMs, kubeTestsEnabled } from '../support/kube.js';
import { kubectlFor, type Kubectl } from '../support/kubectl.js';
import { startSampleApiserver, type SampleApiserver } from '../support/sample-apiserver.js';
import { waitFor, wardleDeployManifests } from '../support/wardle-deploy.js';
import { missingNamespace, terminatingNamespace } from '../support/namespace-lifecycle-answers.js';

const enabled =
  kubeTestsEnabled("Go's sample-apiserver behind the real kube-aggregator") &&
  requireBinary('kubectl', "Go's sample-apiserver behind the real kube-aggregator") &&
  !skipWithoutEtcd("Go's sample-apiserver behind the real kube-aggregator");

const flunder = (name: string, namespace: string) => ({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name, namespace } });

describe.runIf(enabled)("Go's sample-apiserver behind the real kube-aggregator", () => {
  let cp: ControlPlane;
  let sample: SampleApiserver | undefined;
  let admin: Kubectl;
  const available = (v: string) =>
    (JSON.parse(admin(`get apiservice ${v}.wardle.example.com -o json`).stdout || '{}') as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.find((c) => c.type === 'Available')?.status;

  beforeAll(async () => {
    const binaries = await kubeBinaries();
    cp = await startControlPlane({ binaries });
    admin = kubectlFor(cp.adminKubeconfig, join(repoRoot, 'examples/wardle'));
    const port = await freePort();
    sample = await startSampleApiserver({ binary: binaries.sampleApiserver, controlPlane: cp, port, serviceHosts: ['wardle-apiserver.wardle.svc'] });
    expect(admin('apply -f -', { input: wardleDeployManifests(port, { caBundle: sample.ca }) }).code).toBe(0);
    await waitFor('both APIServices Available=True', 120_000, () => (['v1beta1', 'v1alpha1'].every((v) => available(v) === 'True') ? true : undefined), () => `${admin('get apiservices -o wide').stdout}\n${sample?.output().slice(-3000)}`);
  }, kubeBuildTimeoutMs + 300_000);

  afterAll(async () => {
    await sample?.stop();
    await cp?.stop();
  }, 60_000);

  it('reports the pinned release on kube-apiserver\'s /version, which kubectl\'s dispatcher reads', () => {
    const v = JSON.parse(admin('version -o json').stdout) as { serverVersion: { gitVersion: string; major: string; minor: string } };
    expect(v.serverVersion).toMatchObject({ gitVersion: 'v1.34.4', major: '1', minor: '34' });
  });

  it('kubectl creates and reads the sample flunder through the aggregator', () => {
    expect(admin('api-resources --api-group=wardle.example.com').stdout).toMatch(/flunders\s+wardle\.example\.com\/v1beta1\s+true\s+Flunder/);
    expect(admin('create namespace demo').code).toBe(0);
    expect(admin('create -f samples/flunder.yaml -n demo')).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/my-first-flunder created\n' });
    expect(admin('get flunders -n demo -o name').stdout).toBe('flunder.wardle.example.com/my-first-flunder\n');
  });

  it('BanFlunder refuses a flunder a fischer disallows; NamespaceLifecycle a create in a missing namespace', () => {
    expect(admin('create -f samples/fischer.yaml').code).toBe(0);
    const banned = admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'forbidden-flunder', namespace: 'demo' } }) });
    expect(banned).toMatchObject({
      code: 1,
      stderr: 'Error from server (Forbidden): error when creating "STDIN": flunders.wardle.example.com "forbidden-flunder" is forbidden: this name may not be used, please change the resource name\n',
    });
    // test/kube/namespace-lifecycle.test.ts expects the same of aa-gen's wardle with --kubeconfig.
    const nowhere = admin('create -f -', { input: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'lost', namespace: 'nowhere' } }) });
    expect(nowhere).toMatchObject({ code: 1, stderr: missingNamespace.stderr });
  });

  it('NamespaceLifecycle: the exact Status for a missing and for a Terminating namespace (namespace-lifecycle.test.ts compares)', async () => {
    const lost = await adminRequest(cp, 'POST', '/apis/wardle.example.com/v1beta1/namespaces/nowhere/flunders', flunder('lost', 'nowhere'));
    expect(lost).toEqual(missingNamespace.response);
    // No kube-controller-manager: the namespace keeps its `kubernetes` finalizer and stays Terminating.
    expect(admin('create namespace doomed').code).toBe(0);
    expect(admin('create -f -', { input: JSON.stringify(flunder('early', 'doomed')) }).code).toBe(0);
    expect(admin('delete namespace doomed --wait=false').code).toBe(0);
    expect(admin('get namespace doomed -o jsonpath={.status.phase}').stdout).toBe('Terminating');
    expect(admin('create -f -', { input: JSON.stringify(flunder('late', 'doomed')) })).toMatchObject({ code: 1, stderr: terminatingNamespace.stderr });
    const late = await adminRequest(cp, 'POST', '/apis/wardle.example.com/v1beta1/namespaces/doomed/flunders', flunder('late', 'doomed'));
    expect(late).toEqual(terminatingNamespace.response);
    expect(admin('label flunder early -n doomed touched=yes')).toMatchObject({ code: 0, stdout: 'flunder.wardle.example.com/early labeled\n' });
  });
});
