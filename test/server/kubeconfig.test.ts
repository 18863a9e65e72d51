// The admin.kubeconfig a standalone server writes works with real clients: kubectl (version,
// api-resources) and @kubernetes/client-node (KubeConfig.loadFromFile + requests).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { wardleGroup } from './fixtures.js';
import { kubectlAsync, startTestServer, tempDir, type TestServer } from './helpers.js';

let t: TestServer;
let kubeconfig: string;
beforeAll(async () => {
  t = await startTestServer(wardleGroup);
  kubeconfig = t.server.kubeconfigPath!;
});
afterAll(() => t?.stop());

describe('admin.kubeconfig', () => {
  it('is written to <data-dir>/admin.kubeconfig, 0600, with a context named after the group', () => {
    expect(kubeconfig).toBe(join(t.dataDir, 'admin.kubeconfig'));
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    const doc = parse(readFileSync(kubeconfig, 'utf8'));
    expect(doc['current-context']).toBe('wardle.example.com');
    expect(doc.clusters[0].cluster.server).toBe(t.server.url);
    expect(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(t.ca);
    expect(t.server.kubectlHint).toBe(`kubectl --kubeconfig ${kubeconfig} get fischers`);
  });

  it('works with @kubernetes/client-node', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.minor).toBe('32');
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(['wardle.example.com']);
  });

  const haveKubectl = requireBinary('kubectl', 'kubectl tests of admin.kubeconfig');
  it.skipIf(!haveKubectl)('works with kubectl version and api-resources', async () => {
    const cacheDir = tempDir('aa-gen-kubectl-cache-');
    const kubectl = (args: string) => kubectlAsync(kubeconfig, cacheDir, args.split(' '));
    const version = await kubectl('version');
    expect(version.stderr).toBe('');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/Server Version: v1\.32\.0-aa-gen/);

    const resources = await kubectl('api-resources --api-group=wardle.example.com');
    expect(resources.code).toBe(0);
    const rows = resources.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    // Each resource at its preferred version: fischers exist only in v1alpha1.
    expect(rows).toEqual([
      ['fischers', 'wardle.example.com/v1alpha1', 'false', 'Fischer'],
      ['flunders', 'fl', 'wardle.example.com/v1beta1', 'true', 'Flunder'],
    ]);
  });
});
