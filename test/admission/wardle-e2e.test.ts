// sample-apiserver's BanFlunder in examples/wardle, through the real server process and real
// kubectl: a Fischer's disallowedFlunders forbid creating Flunders of those names
// (k8s.io/sample-apiserver pkg/admission/plugin/banflunder/admission.go), unless the plugin is
// turned off with --disable-admission-plugins (k8s.io/apiserver pkg/server/options/admission.go).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { buildExample, removeDir, repoRoot, startExample, type RunningServer } from '../support/example-server.js';
import { kubectlFor, type Kubectl } from '../support/kubectl.js';

const haveKubectl = requireBinary('kubectl', 'the BanFlunder end-to-end test');
const cwd = join(repoRoot, 'examples/wardle');

const fischer = `apiVersion: wardle.example.com/v1alpha1
kind: Fischer
metadata: {name: no-forbidden}
disallowedFlunders: [forbidden, also-forbidden]
`;
const flunder = (name: string) => `apiVersion: wardle.example.com/v1beta1
kind: Flunder
metadata: {name: ${name}, namespace: default}
spec: {}
`;
const refusal = (name: string) =>
  `Error from server (Forbidden): error when creating "STDIN": flunders.wardle.example.com "${name}" is forbidden: this name may not be used, please change the resource name`;

describe.runIf(haveKubectl)('BanFlunder (examples/wardle, real server, real kubectl)', () => {
  let server: RunningServer;
  let k: Kubectl;

  beforeAll(async () => {
    server = await startExample('wardle');
    k = kubectlFor(server.kubeconfig, cwd);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('refuses a Flunder whose name a Fischer disallows, with kube Forbidden; others are created', () => {
    expect(k('create -f -', { input: fischer }).stdout).toBe('fischer.wardle.example.com/no-forbidden created\n');
    const r = k('create -f -', { input: flunder('forbidden') });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(refusal('forbidden'));
    expect(k('create --dry-run=server -f -', { input: flunder('also-forbidden') }).stderr.trim()).toBe(refusal('also-forbidden'));
    expect(k('create -f -', { input: flunder('allowed') }).stdout).toBe('flunder.wardle.example.com/allowed created\n');
    expect(k('get flunders -n default -o name').stdout).toBe('flunder.wardle.example.com/allowed\n');
  });

  it('sees Fischer changes at once (listers over the watch cache)', () => {
    expect(k(`patch fischer no-forbidden --type=merge -p '{"disallowedFlunders":["allowed"]}'`).code).toBe(0);
    expect(k('create -f -', { input: flunder('forbidden') }).stdout).toBe('flunder.wardle.example.com/forbidden created\n');
    expect(k('delete fischer no-forbidden').code).toBe(0);
    expect(k('create -f -', { input: flunder('also-forbidden') }).code).toBe(0);
  });

  it('with --disable-admission-plugins=BanFlunder the same Flunder is created', async () => {
    const off = await startExample('wardle', { args: ['--disable-admission-plugins=BanFlunder'] });
    try {
      const k2 = kubectlFor(off.kubeconfig, cwd);
      expect(k2('create -f -', { input: fischer }).code).toBe(0);
      expect(k2('create -f -', { input: flunder('forbidden') }).stdout).toBe('flunder.wardle.example.com/forbidden created\n');
    } finally {
      await off.stop();
      removeDir(off.dataDir);
    }
  });
});

describe('wardle server flags', () => {
  it('an unknown admission plugin name is a usage error: exit 2, nothing served', () => {
    const dir = buildExample('wardle');
    const r = spawnSync(process.execPath, [join(dir, 'dist/main.js'), '--secure-port=0', '--enable-admission-plugins=BanFlunder,NoSuchPlugin'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'error: enable-admission-plugins plugin "NoSuchPlugin" is unknown (registered: BanFlunder, NamespaceLifecycle)\nRun with --help for usage.\n',
    );
    expect(r.stdout).toBe('');
  });
});
