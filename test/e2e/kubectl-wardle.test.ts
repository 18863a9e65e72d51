// Real kubectl against examples/wardle on every storage backend (sqlite is what the README's
// quick start runs), plus restart on the same data dir for the durable backends.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { skipWithoutEtcd, startEtcd, type EtcdHandle } from '../support/etcd.js';
import { repoRoot, startExample, type RunningServer } from '../support/example-server.js';
import { kubectlFor, type Kubectl } from '../support/kubectl.js';

const haveKubectl = requireBinary('kubectl', 'the kubectl end-to-end suite');
const haveEtcd = !skipWithoutEtcd('the wardle kubectl suite on etcd3');

const backends = [
  { name: 'sqlite', run: true, durable: true },
  { name: 'memory', run: true, durable: false },
  { name: 'etcd3', run: haveEtcd, durable: true },
];

for (const backend of backends) {
  describe.runIf(haveKubectl && backend.run)(`kubectl against wardle on ${backend.name} (standalone)`, () => {
    let server: RunningServer;
    let etcd: EtcdHandle | undefined;
    let args: string[];
    let k: Kubectl;

    beforeAll(async () => {
      args = ['--storage-backend', backend.name];
      if (backend.name === 'etcd3') {
        etcd = await startEtcd();
        args.push('--etcd-servers', etcd.endpoint);
      }
      server = await startExample('wardle', { args });
      k = kubectlFor(server.kubeconfig, join(repoRoot, 'examples/wardle'));
    });
    afterAll(async () => {
      await server?.stop();
      await etcd?.stop();
    });

    it('prints the kubectl line to use the admin kubeconfig', async () => {
      await expect.poll(() => server.output()).toContain(`kubectl --kubeconfig ${server.kubeconfig} get`);
    });

    it('serves flunders (namespaced, two versions) and fischers (cluster-scoped)', () => {
      const r = k('api-resources --api-group=wardle.example.com');
      expect(r.stdout).toMatch(/fischers\s+wardle\.example\.com\/v1alpha1\s+false\s+Fischer/);
      expect(r.stdout).toMatch(/flunders\s+wardle\.example\.com\/v1beta1\s+true\s+Flunder/);
    });

    it('creates the sample flunder and fischer', () => {
      expect(k('create -f samples/flunder.yaml -n default').stdout).toContain(
        'flunder.wardle.example.com/my-first-flunder created',
      );
      expect(k('create -f samples/fischer.yaml').stdout).toContain('fischer.wardle.example.com/my-first-fischer created');
      expect(k('get flunders -n default').stdout).toMatch(/NAME\s+REFERENCE-TYPE\s+AGE\nmy-first-flunder\s+\S*\s+\d+s/);
      expect(k('get fischers').stdout).toMatch(/my-first-fischer/);
    });

    it('converts between v1alpha1 (storage) and v1beta1 (preferred)', () => {
      const alpha = `apiVersion: wardle.example.com/v1alpha1
kind: Flunder
metadata: {name: refers, namespace: default}
spec: {reference: my-first-fischer, referenceType: Fischer}
`;
      expect(k('create -f -', { input: alpha }).code).toBe(0);
      const beta = JSON.parse(k('get flunders.v1beta1.wardle.example.com refers -n default -o json').stdout);
      expect(beta.apiVersion).toBe('wardle.example.com/v1beta1');
      expect(beta.spec).toEqual({ fischerReference: 'my-first-fischer', referenceType: 'Fischer' });
      const back = JSON.parse(k('get flunders.v1alpha1.wardle.example.com refers -n default -o json').stdout);
      expect(back.spec).toEqual({ reference: 'my-first-fischer', referenceType: 'Fischer' });
    });

    it('applies sample-apiserver validation', () => {
      const bad = `apiVersion: wardle.example.com/v1beta1
kind: Flunder
metadata: {name: both, namespace: default}
spec: {fischerReference: a, flunderReference: b, referenceType: Fischer}
`;
      const r = k('create -f -', { input: bad });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'The Flunder "both" is invalid: spec.fischerReference: Invalid value: "a": cannot be set with flunderReference at the same time',
      );
    });

    // Only the durable backends have a restart to survive; memory gets no such test at all.
    if (backend.durable) it('keeps every object across a restart on the same data dir', async () => {
      await server.stop();
      server = await startExample('wardle', { dataDir: server.dataDir, args });
      k = kubectlFor(server.kubeconfig, join(repoRoot, 'examples/wardle'));
      expect(k('get flunders -n default -o name').stdout).toBe(
        'flunder.wardle.example.com/my-first-flunder\nflunder.wardle.example.com/refers\n',
      );
      expect(k('get fischers -o name').stdout).toBe('fischer.wardle.example.com/my-first-fischer\n');
    });

    it('refuses clients without the admin certificate', () => {
      const empty = join(mkdtempSync(join(tmpdir(), 'aa-gen-anon-')), 'kubeconfig');
      writeFileSync(empty, 'apiVersion: v1\nkind: Config\n');
      const anon = kubectlFor(empty, tmpdir());
      const r = anon(`--server ${server.url} --insecure-skip-tls-verify --token not-a-real-token get flunders -n default`);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: You must be logged in to the server');
    });
  });
}
