// The deploy manifests: parsed back from the emitted YAML and checked against what
// kube-aggregator and kube-apiserver require (API-CONTRACT.md 8.1, 8.12; sample-apiserver
// artifacts/example/*.yaml).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ProjectIR } from '../../src/model/ir.js';
import { CA_BUNDLE_FROM_ANNOTATION, manifestsEmitter } from '../../src/emit/manifests.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';

type Obj = Record<string, any>;

function objects(ir: ProjectIR): { file: string; obj: Obj }[] {
  const out: { file: string; obj: Obj }[] = [];
  for (const file of manifestsEmitter.emit(ir)) {
    for (const doc of parseAllDocuments(file.content)) {
      expect(doc.errors).toEqual([]);
      out.push({ file: file.path, obj: doc.toJS() as Obj });
    }
  }
  return out;
}

const byKind = (ir: ProjectIR, kind: string) => objects(ir).filter((o) => o.obj.kind === kind).map((o) => o.obj);

describe.each([
  ['wardle', wardleIR],
  ['widgets', widgetsIR],
] as [string, ProjectIR][])('manifests of %s', (_name, ir) => {
  const ns = ir.deploy.namespace;
  const sa = ir.deploy.serviceName;

  it('are generated YAML files under deploy/ with order-prefixed names, without the header', () => {
    const files = manifestsEmitter.emit(ir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.path).toMatch(/^deploy\/\d\d-[a-z-]+\.yaml$/);
      expect(f.owner).toBe('generated');
      expect(f.content).not.toContain('Code generated');
      expect(f.content).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
    }
    expect(files.map((f) => f.path)).toEqual([...files.map((f) => f.path)].sort());
  });

  it('each object has apiVersion, kind and metadata.name; namespaced ones a namespace', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'APIService']);
    for (const { obj } of objects(ir)) {
      expect(typeof obj.apiVersion).toBe('string');
      expect(typeof obj.kind).toBe('string');
      expect(typeof obj.metadata.name).toBe('string');
      if (!clusterScoped.has(obj.kind)) expect(typeof obj.metadata.namespace).toBe('string');
      else expect(obj.metadata.namespace).toBeUndefined();
    }
  });

  it('has the Namespace, ServiceAccount, Deployment, Service and PersistentVolumeClaim', () => {
    expect(byKind(ir, 'Namespace').map((o) => o.metadata.name)).toEqual([ns]);
    expect(byKind(ir, 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([`${ns}/${sa}`]);
    expect(byKind(ir, 'Service')).toHaveLength(1);
    expect(byKind(ir, 'Deployment')).toHaveLength(1);
    expect(byKind(ir, 'PersistentVolumeClaim')).toHaveLength(1);
  });

  it('binds every RBAC role to the ServiceAccount', () => {
    const bindings = [...byKind(ir, 'ClusterRoleBinding'), ...byKind(ir, 'RoleBinding')];
    expect(bindings.length).toBe(4);
    for (const b of bindings) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa, namespace: ns }]);
    }
    const refs = bindings.map((b) => `${b.metadata.namespace ?? ''}|${b.roleRef.kind}/${b.roleRef.name}`);
    expect(refs).toContain('|ClusterRole/system:auth-delegator');
    expect(refs).toContain('kube-system|Role/extension-apiserver-authentication-reader');
    // Every other roleRef names a role defined in these manifests.
    const roles = [...byKind(ir, 'ClusterRole'), ...byKind(ir, 'Role')].map(
      (r) => `${r.metadata.namespace ?? ''}|${r.kind}/${r.metadata.name}`,
    );
    for (const b of bindings) {
      if (b.roleRef.name === 'system:auth-delegator' || b.roleRef.name === 'extension-apiserver-authentication-reader') continue;
      expect(roles).toContain(`${b.metadata.namespace ?? ''}|${b.roleRef.kind}/${b.roleRef.name}`);
    }
  });

  it('lets the server read namespaces and admission configurations, and patch only its own APIServices', () => {
    const [role] = byKind(ir, 'ClusterRole');
    const rule = (resource: string) => role.rules.find((r: Obj) => r.resources.includes(resource));
    expect(rule('namespaces').verbs).toEqual(['get', 'list', 'watch']);
    for (const r of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies']) {
      expect(rule(r).apiGroups).toEqual(['admissionregistration.k8s.io']);
      expect(rule(r).verbs).toEqual(['get', 'list', 'watch']);
    }
    const apiservices = rule('apiservices');
    expect(apiservices.verbs).toEqual(['get', 'patch', 'update']);
    expect([...apiservices.resourceNames].sort()).toEqual(byKind(ir, 'APIService').map((a) => a.metadata.name).sort());
    const [secrets] = byKind(ir, 'Role');
    expect(secrets.metadata.namespace).toBe(ns);
    expect(secrets.rules).toContainEqual({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: [`${sa}-serving-cert`],
      verbs: ['get', 'update'],
    });
  });

  it('has one APIService per served version, named <version>.<group>, highest versionPriority first, never insecure', () => {
    const apiServices = byKind(ir, 'APIService');
    const served = ir.versions.filter((v) => v.served);
    expect(apiServices.map((a) => a.metadata.name).sort()).toEqual(served.map((v) => `${v.name}.${ir.group}`).sort());
    const priorities = apiServices.map((a) => a.spec.versionPriority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    for (const a of apiServices) {
      expect(a.apiVersion).toBe('apiregistration.k8s.io/v1');
      expect(a.metadata.name).toBe(`${a.spec.version}.${a.spec.group}`);
      expect(a.spec.group).toBe(ir.group);
      expect(a.spec.versionPriority).toBe(served.find((v) => v.name === a.spec.version)!.versionPriority);
      expect(a.spec.groupPriorityMinimum).toBe(ir.deploy.groupPriorityMinimum);
      expect(a.spec.service).toEqual({ name: sa, namespace: ns, port: 443 });
      expect(a.spec).not.toHaveProperty('insecureSkipTLSVerify');
      expect(a.metadata.annotations[CA_BUNDLE_FROM_ANNOTATION]).toBe(`${ns}/${sa}-serving-cert`);
    }
    expect(manifestsEmitter.emit(ir).map((f) => f.content).join('\n')).not.toContain('insecureSkipTLSVerify:');
  });

  it('runs the server on 8443 with probes and its data on the claim; the Service maps 443 to it', () => {
    const [deploy] = byKind(ir, 'Deployment');
    const [svc] = byKind(ir, 'Service');
    const [pvc] = byKind(ir, 'PersistentVolumeClaim');
    const pod = deploy.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.serviceAccountName).toBe(sa);
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.strategy.type).toBe('Recreate');
    expect(c.image).toBe(ir.deploy.image);
    expect(c.args).toContain('--secure-port=8443');
    expect(c.args).toContain(`--data-dir=/var/lib/${sa}`);
    expect(c.args).toContain(`--serving-cert-secret=${ns}/${sa}-serving-cert`);
    expect(c.args.find((a: string) => a.startsWith('--serving-cert-hosts=')).split('=')[1].split(',')).toContain(`${sa}.${ns}.svc`);
    expect(c.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'https', scheme: 'HTTPS' });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: `/var/lib/${sa}` });
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name } });
    expect(deploy.spec.selector.matchLabels).toEqual(deploy.spec.template.metadata.labels);
    expect(svc.spec.selector).toEqual(deploy.spec.template.metadata.labels);
    expect(svc.metadata.name).toBe(sa);
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }]);
  });

  it('is deterministic', () => {
    expect(manifestsEmitter.emit(structuredClone(ir))).toEqual(manifestsEmitter.emit(ir));
  });
});

describe('manifests', () => {
  it('run one replica on sqlite even when the spec asks for more, and say why', () => {
    const ir: ProjectIR = { ...wardleIR, deploy: { ...wardleIR.deploy, replicas: 3 } };
    const file = manifestsEmitter.emit(ir).find((f) => f.path === 'deploy/05-deployment.yaml')!;
    expect(parseAllDocuments(file.content)[0].toJS().spec.replicas).toBe(1);
    expect(file.content).toContain('asks for 3 replicas');
  });

  it('match the golden files for wardle', async () => {
    const all = manifestsEmitter
      .emit(wardleIR)
      .map((f) => `### ${f.path}\n${f.content}`)
      .join('\n');
    await expect(all).toMatchFileSnapshot('./__snapshots__/wardle-deploy.yaml');
  });
});
