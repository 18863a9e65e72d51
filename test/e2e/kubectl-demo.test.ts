// Real kubectl 1.32 against the examples/demo server, on every storage backend: the
// "minimal test scenarios with real kubectl" of API-CONTRACT.md, numbered as there.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.js';
import { skipWithoutEtcd, startEtcd, type EtcdHandle } from '../support/etcd.js';
import { startExample, type RunningServer } from '../support/example-server.js';
import { kubectlFor, type Kubectl } from '../support/kubectl.js';

const haveKubectl = requireBinary('kubectl', 'the kubectl end-to-end suite');
const haveEtcd = !skipWithoutEtcd('the kubectl suite on etcd3');

const backends = [
  { name: 'sqlite', run: true },
  { name: 'memory', run: true },
  { name: 'etcd3', run: haveEtcd },
];

const w1 = `apiVersion: demo.example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: default
  labels: {a: b}
spec:
  size: 3
`;

for (const backend of backends) {
  describe.runIf(haveKubectl && backend.run)(`kubectl against demo on ${backend.name}`, () => {
    let server: RunningServer;
    let etcd: EtcdHandle | undefined;
    let k: Kubectl;
    let work: string;

    beforeAll(async () => {
      const args = ['--storage-backend', backend.name];
      if (backend.name === 'etcd3') {
        etcd = await startEtcd();
        args.push('--etcd-servers', etcd.endpoint);
      }
      server = await startExample('demo', { args });
      work = mkdtempSync(join(tmpdir(), 'aa-gen-kubectl-'));
      writeFileSync(join(work, 'w1.yaml'), w1);
      k = kubectlFor(server.kubeconfig, work);
    });

    afterAll(async () => {
      await server?.stop();
      await etcd?.stop();
    });

    it('1. version reports a 1.32 server', () => {
      const r = k('version');
      expect(r.stdout).toContain('Server Version: v1.32.');
    });

    it('2-3. api-resources and api-versions come from discovery', () => {
      const r = k('api-resources --api-group=demo.example.com');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/widgets\s+wd\s+demo\.example\.com\/v1\s+true\s+Widget/);
      expect(r.stdout).toMatch(/gadgets\s+gd\s+demo\.example\.com\/v1beta1\s+false\s+Gadget/);
      expect(k('api-versions').stdout).toContain('demo.example.com/v1\n');
    });

    it('4. get on an empty namespace', () => {
      const r = k('get widgets -n default');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('No resources found in default namespace.');
    });

    it('5-6. create, then AlreadyExists', () => {
      expect(k('create -f w1.yaml').stdout).toContain('widget.demo.example.com/w1 created');
      const again = k('create -f w1.yaml');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(
        'Error from server (AlreadyExists): error when creating "w1.yaml": widgets.demo.example.com "w1" already exists',
      );
    });

    it('7-9. table output with printer columns, -A and --show-labels', () => {
      const t = k('get wd -n default');
      expect(t.stdout).toMatch(/^NAME\s+SIZE\s+AGE\n/);
      expect(t.stdout).toMatch(/\nw1\s+3\s+\d+s\n/);
      expect(k('get wd -n default -o wide').stdout).toMatch(/NAME\s+SIZE\s+COLOR\s+AGE/);
      expect(k('get widgets -A').stdout).toMatch(/^NAMESPACE\s+NAME\s+SIZE\s+AGE\ndefault\s+w1\s+3/);
      expect(k('get widgets -n default --show-labels').stdout).toMatch(/LABELS\n.*a=b\n/);
    });

    it('10. -o yaml and -o json carry the server-set metadata', () => {
      const y = k('get widget w1 -n default -o yaml').stdout;
      expect(y).toContain('apiVersion: demo.example.com/v1');
      expect(y).toContain('kind: Widget');
      expect(y).toMatch(/uid: [0-9a-f-]{36}/);
      expect(y).toMatch(/resourceVersion: "\d+"/);
      expect(y).toMatch(/creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
      const j = JSON.parse(k('get widget w1 -n default -o json').stdout);
      expect(j.metadata.generation).toBe(1);
      expect(j.spec).toMatchObject({ size: 3, replicas: 1, color: 'red' }); // schema defaults
    });

    it('11. NotFound', () => {
      const r = k('get widget nope -n default');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Error from server (NotFound): widgets.demo.example.com "nope" not found');
    });

    it('12-13. label and field selectors, -o name', () => {
      expect(k('get widgets -n default -l a=b -o name').stdout).toBe('widget.demo.example.com/w1\n');
      expect(k('get widgets -n default -l a=c').stderr).toContain('No resources found in default namespace.');
      expect(k('get widgets -n default -l "a in (b,c),!missing" -o name').stdout).toBe('widget.demo.example.com/w1\n');
      expect(k('get widgets -n default --field-selector metadata.name=w1 -o name').stdout).toBe(
        'widget.demo.example.com/w1\n',
      );
      // .spec.color is a declared selectable field
      expect(k('get widgets -n default --field-selector spec.color=red -o name').stdout).toBe(
        'widget.demo.example.com/w1\n',
      );
      const bad = k('get widgets -n default --field-selector spec.size=3');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('"spec.size" is not a known field selector');
    });

    it('--chunk-size pages through a list with continue tokens', () => {
      for (const n of ['c1', 'c2', 'c3']) {
        expect(k(`create -f - -o name`, { input: w1.replace('name: w1', `name: ${n}`) }).code).toBe(0);
      }
      const r = k('get widgets -n default --chunk-size=1 -o name');
      expect(r.stdout.trim().split('\n')).toEqual([
        'widget.demo.example.com/c1',
        'widget.demo.example.com/c2',
        'widget.demo.example.com/c3',
        'widget.demo.example.com/w1',
      ]);
      expect(k('delete widgets c1 c2 c3 -n default').code).toBe(0);
    });

    it('14. explain reads OpenAPI v3', () => {
      const r = k('explain widgets');
      expect(r.stdout).toMatch(/^GROUP:\s+demo\.example\.com\nKIND:\s+Widget\nVERSION:\s+v1\n/);
      expect(r.stdout).toContain('DESCRIPTION:');
      expect(r.stdout).toContain('FIELDS:');
      expect(k('explain widgets.spec.size').stdout).toMatch(/FIELD:\s+size <integer>/);
    });

    it('15. client-side apply: configured, then unchanged', () => {
      writeFileSync(join(work, 'w1b.yaml'), w1.replace('size: 3', 'size: 4'));
      expect(k('apply -f w1b.yaml').stdout).toContain('widget.demo.example.com/w1 configured');
      expect(k('apply -f w1b.yaml').stdout).toContain('widget.demo.example.com/w1 unchanged');
      const created = k('apply -f -', { input: w1.replace('name: w1', 'name: applied') });
      expect(created.stdout).toContain('widget.demo.example.com/applied created');
    });

    it('17. server-side apply creates and updates', () => {
      const r = k('apply --server-side -f -', { input: w1.replace('name: w1', 'name: ssa') });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('widget.demo.example.com/ssa serverside-applied');
      const again = k('apply --server-side -f -', { input: w1.replace('name: w1', 'name: ssa').replace('size: 3', 'size: 5') });
      expect(again.stdout).toContain('serverside-applied');
      expect(k("get widget ssa -n default -o jsonpath='{.spec.size}'").stdout).toBe('5');
    });

    it('18. unknown fields: Strict fails, --validate=warn warns', () => {
      const bad = w1.replace('size: 3', 'size: 3\n  bogus: 1');
      const strict = k('apply --server-side -f -', { input: bad });
      expect(strict.code).toBe(1);
      expect(strict.stderr).toContain('unknown field "spec.bogus"');
      const warn = k('apply --server-side --validate=warn -f -', { input: bad });
      expect(warn.code, warn.stderr).toBe(0);
      expect(warn.stderr).toContain('Warning: unknown field "spec.bogus"');
    });

    it('19. patch: merge, json and strategic', () => {
      expect(k(`patch widget w1 -n default --type=merge -p '{"spec":{"size":9}}'`).stdout).toContain(
        'widget.demo.example.com/w1 patched',
      );
      expect(
        k(`patch widget w1 -n default --type=json -p '[{"op":"replace","path":"/spec/size","value":8}]'`).stdout,
      ).toContain('patched');
      const smp = k(`patch widget w1 -n default -p '{"spec":{"ports":[{"name":"http","port":80}]}}'`);
      expect(smp.stdout, smp.stderr).toContain('patched');
      k(`patch widget w1 -n default -p '{"spec":{"ports":[{"name":"https","port":443}]}}'`);
      const ports = JSON.parse(k("get widget w1 -n default -o jsonpath='{.spec.ports}'").stdout);
      expect(ports).toEqual([
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ]); // merged by the list-map key, not replaced
      expect(k("get widget w1 -n default -o jsonpath='{.spec.size}'").stdout).toBe('8');
    });

    it('20. label and annotate', () => {
      expect(k('label widget w1 -n default c=d').stdout).toContain('widget.demo.example.com/w1 labeled');
      expect(k('annotate widget w1 -n default x=y').stdout).toContain('widget.demo.example.com/w1 annotated');
    });

    it('21. edit', () => {
      const r = k('edit widget w1 -n default', { env: { KUBE_EDITOR: "sed -i 's/size: 8/size: 7/'" } });
      expect(r.stdout, r.stderr).toContain('widget.demo.example.com/w1 edited');
      expect(k("get widget w1 -n default -o jsonpath='{.spec.size}'").stdout).toBe('7');
    });

    it('22. replace, and Conflict on a stale resourceVersion', () => {
      const cur = k('get widget w1 -n default -o json').stdout;
      writeFileSync(join(work, 'cur.json'), cur);
      expect(k('replace -f cur.json').stdout).toContain('widget.demo.example.com/w1 replaced');
      const stale = k('replace -f cur.json');
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(
        'Error from server (Conflict): error when replacing "cur.json": Operation cannot be fulfilled on widgets.demo.example.com "w1": the object has been modified; please apply your changes to the latest version and try again',
      );
    });

    it('23. scale', () => {
      expect(k('scale widget w1 -n default --replicas=2').stdout).toContain('widget.demo.example.com/w1 scaled');
      expect(k("get widget w1 -n default -o jsonpath='{.spec.replicas}'").stdout).toBe('2');
    });

    it('24. status subresource: only status changes, generation does not', () => {
      const before = JSON.parse(k('get widget w1 -n default -o json').stdout);
      const r = k(`patch widget w1 -n default --subresource=status --type=merge -p '{"status":{"replicas":2},"spec":{"size":1}}'`);
      expect(r.code, r.stderr).toBe(0);
      const after = JSON.parse(k('get widget w1 -n default --subresource=status -o json').stdout);
      expect(after.status.replicas).toBe(2);
      expect(after.spec.size).toBe(before.spec.size);
      expect(after.metadata.generation).toBe(before.metadata.generation);
      expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
    });

    it('25-26. get -w streams changes', async () => {
      const { spawn } = await import('node:child_process');
      const watcher = spawn(
        'sh',
        ['-c', `kubectl --kubeconfig '${server.kubeconfig}' get widgets -n default -w --output-watch-events`],
        { cwd: work },
      );
      let out = '';
      watcher.stdout.on('data', (d) => (out += d));
      await waitFor(() => /ADDED\s+w1\s+7\s/.test(out));
      k('label widget w1 -n default watched=yes');
      await waitFor(() => /MODIFIED\s+w1\s+7\s/.test(out));
      expect(out).toMatch(/^EVENT\s+NAME\s+SIZE\s+AGE\n/);
      watcher.kill();
    });

    it('27. delete --dry-run=server keeps the object', () => {
      expect(k('delete widget w1 -n default --dry-run=server').stdout).toContain(
        'widget.demo.example.com "w1" deleted (server dry run)',
      );
      expect(k('get widget w1 -n default -o name').stdout).toBe('widget.demo.example.com/w1\n');
    });

    it('28. delete, and wait --for=delete', () => {
      expect(k('delete widget w1 -n default').stdout).toContain('widget.demo.example.com "w1" deleted');
      expect(k('get widget w1 -n default').code).toBe(1);
      k('create -f w1.yaml');
      const waiting = k('wait --for=delete widget/w1 -n default --timeout=20s &  sleep 1; kubectl --kubeconfig ' + server.kubeconfig + ' delete widget w1 -n default --wait=false; wait');
      expect(waiting.stdout).toContain('widget.demo.example.com/w1 condition met');
    });

    it('29. finalizers hold deletion until removed', () => {
      const held = w1.replace('name: w1', 'name: w2\n  finalizers: [demo.example.com/hold]');
      expect(k('create -f -', { input: held }).code).toBe(0);
      expect(k('delete widget w2 -n default --wait=false').stdout).toContain('deleted');
      expect(k("get widget w2 -n default -o jsonpath='{.metadata.deletionTimestamp}'").stdout).not.toBe('');
      k(`patch widget w2 -n default --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'`);
      expect(k('get widget w2 -n default').code).toBe(1);
    });

    it('30. Invalid names and schema violations are 422 with causes', () => {
      const badName = k('create -f -', { input: w1.replace('name: w1', 'name: Bad_Name') });
      expect(badName.code).toBe(1);
      expect(badName.stderr).toContain('The Widget "Bad_Name" is invalid');
      expect(badName.stderr).toContain('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
      const badSize = k('create -f -', { input: w1.replace('size: 3', 'size: -1') });
      expect(badSize.code).toBe(1);
      expect(badSize.stderr).toContain('spec.size');
    });

    it('delete --all and cluster-scoped kinds', () => {
      expect(k('create -f -', { input: 'apiVersion: demo.example.com/v1beta1\nkind: Gadget\nmetadata: {name: g1}\nspec: {}\n' }).code).toBe(0);
      expect(k('get gadgets -o name').stdout).toBe('gadget.demo.example.com/g1\n');
      expect(k("get gadget g1 -o jsonpath='{.spec.enabled}'").stdout).toBe('false');
      expect(k('delete gadgets --all').stdout).toContain('gadget.demo.example.com "g1" deleted');
      expect(k('get gadgets').stderr).toContain('No resources found');
    });

    it('reads the same object through both versions', () => {
      k('create -f -', { input: w1.replace('name: w1', 'name: conv') });
      const beta = JSON.parse(k('get widgets.v1beta1.demo.example.com conv -n default -o json').stdout);
      expect(beta.apiVersion).toBe('demo.example.com/v1beta1');
      expect(beta.spec.size).toBe(3);
    });
  });
}

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

