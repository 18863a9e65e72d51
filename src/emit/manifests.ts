// The deploy manifests of a project: everything `kubectl apply -f deploy/` needs to run the
// server in a cluster behind kube-aggregator, as objects serialized with `yaml` (no templates).
// The shape follows sample-apiserver's artifacts/example (namespace, service account, the two
// delegation bindings, the ClusterRole for what the server reads, Deployment, Service,
// APIService) and API-CONTRACT.md 8.1 and 8.12, with two changes for a self-contained install:
// data lives on a PersistentVolumeClaim (the embedded sqlite store), and the serving CA is
// created by the server itself instead of `insecureSkipTLSVerify` (see apiServiceComment).
import { Document } from 'yaml';
import type { ProjectIR } from '../model/ir.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { paths } from './paths.js';

/** A Kubernetes object as plain data. */
export type KubeManifest = { readonly apiVersion: string; readonly kind: string; readonly metadata: Record<string, unknown> } & Record<
  string,
  unknown
>;

export interface ManifestObject {
  /** A comment written above the object. */
  readonly comment?: string;
  readonly object: KubeManifest;
}

export interface ManifestFile {
  /** File name inside paths.deployDir(), with an order prefix: `kubectl apply -f` reads in name order. */
  readonly name: string;
  /** A comment at the top of the file (below the generated header). */
  readonly comment?: string;
  readonly objects: readonly ManifestObject[];
}

/**
 * Annotation on each APIService naming the Secret (`<namespace>/<name>`) whose `ca.crt` the
 * server writes into the APIService's `spec.caBundle`. The server fills only APIServices that
 * carry it with its own Secret, so it never overwrites a CA another tool manages.
 */
export const CA_BUNDLE_FROM_ANNOTATION = 'aa-gen.dev/ca-bundle-from';

/** The port the server listens on inside the pod (k8s.io/apiserver's `--secure-port`). */
export const SECURE_PORT = 8443;

/** Names shared by several objects, derived from the IR in one place. */
export function deployNames(ir: ProjectIR) {
  const { namespace, serviceName } = ir.deploy;
  return {
    namespace,
    serviceName,
    serviceAccount: serviceName,
    servingCertSecret: `${serviceName}-serving-cert`,
    dataClaim: `${serviceName}-data`,
    dataDir: `/var/lib/${serviceName}`,
    /** Prefix of cluster-scoped names, unique per install: `<namespace>:<service>`. */
    clusterPrefix: `${namespace}:${serviceName}`,
    labels: { 'app.kubernetes.io/name': serviceName, 'app.kubernetes.io/component': 'apiserver' },
    /** DNS names of the serving certificate: kube-aggregator dials `<service>.<namespace>.svc`. */
    servingHosts: [
      serviceName,
      `${serviceName}.${namespace}`,
      `${serviceName}.${namespace}.svc`,
      `${serviceName}.${namespace}.svc.cluster.local`,
    ],
  };
}

/** The served versions' APIService names (`<version>.<group>`), highest versionPriority first. */
export function apiServiceVersions(ir: ProjectIR) {
  return ir.versions
    .filter((v) => v.served)
    .slice()
    .sort((a, b) => b.versionPriority - a.versionPriority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((v) => ({ version: v.name, versionPriority: v.versionPriority, name: `${v.name}.${ir.group}` }));
}

const apiServiceComment = (ir: ProjectIR) => {
  const n = deployNames(ir);
  return [
    ` One APIService per served version of ${ir.group}: kube-aggregator proxies`,
    ` /apis/${ir.group}/<version> to the Service ${n.namespace}/${n.serviceName}.`,
    '',
    ' The CA bundle is filled in by the server, never skipped (no insecureSkipTLSVerify):',
    ` - On start in a cluster the server loads the Secret ${n.namespace}/${n.servingCertSecret}, or creates it`,
    '   when absent (create, and on AlreadyExists read it again, so replicas converge on one CA). The',
    '   Secret (type kubernetes.io/tls) holds ca.crt, tls.crt and tls.key: a CA and a serving certificate',
    '   it signed, with the DNS names (kube-aggregator dials the .svc one):',
    ...n.servingHosts.map((host) => `     ${host}`),
    ` - It then writes ca.crt into spec.caBundle of each APIService below that carries the annotation`,
    `   ${CA_BUNDLE_FROM_ANNOTATION}: ${n.namespace}/${n.servingCertSecret}, and checks again periodically.`,
    '   (Its RBAC allows get/patch/update on exactly these APIServices.)',
    ' spec.caBundle is left out here on purpose: an empty value in this file would make every later',
    ' `kubectl apply -f` reset the CA the server wrote, until the server wrote it again.',
    ' To bring your own certificate instead, create that Secret before deploying (ca.crt, tls.crt, tls.key).',
  ].join('\n');
};

/** Every manifest file, in apply order. Pure data; the emitter serializes it. */
export function buildManifests(ir: ProjectIR): ManifestFile[] {
  const n = deployNames(ir);
  const apiServices = apiServiceVersions(ir);
  const metadata = (name: string, namespace?: string) => ({
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    labels: { ...n.labels },
  });
  const subjects = [{ kind: 'ServiceAccount', name: n.serviceAccount, namespace: n.namespace }];
  const readOnly = ['get', 'list', 'watch'];

  const sqliteReplicas = 1;
  const replicasNote =
    ir.deploy.replicas === sqliteReplicas
      ? ''
      : `\n\n The spec asks for ${ir.deploy.replicas} replicas; this Deployment runs 1, because the embedded sqlite` +
        '\n store is one file on one volume. Share an etcd instead (--etcd-servers) to run more.';

  return [
    {
      name: '00-namespace.yaml',
      objects: [{ object: { apiVersion: 'v1', kind: 'Namespace', metadata: metadata(n.namespace) } }],
    },
    {
      name: '01-serviceaccount.yaml',
      objects: [
        { object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(n.serviceAccount, n.namespace) } },
      ],
    },
    {
      name: '02-rbac-delegation.yaml',
      comment: ' What every aggregated API server needs to delegate to kube-apiserver (API-CONTRACT.md 8.5-8.7).',
      objects: [
        {
          comment: ' TokenReview and SubjectAccessReview: delegated authentication and authorization.',
          object: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: metadata(`${n.clusterPrefix}:auth-delegator`),
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
            subjects,
          },
        },
        {
          comment: ' Reads kube-system/extension-apiserver-authentication: the client and request-header CAs.',
          object: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: metadata(`${n.clusterPrefix}:auth-reader`, 'kube-system'),
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'Role',
              name: 'extension-apiserver-authentication-reader',
            },
            subjects,
          },
        },
      ],
    },
    {
      name: '03-rbac-server.yaml',
      comment: ' What the server itself reads and writes in the cluster.',
      objects: [
        {
          comment:
            ' Namespaces (namespace lifecycle admission), admission webhook and policy configurations\n' +
            ' (as sample-apiserver), and the caBundle of its own APIServices.',
          object: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            metadata: metadata(n.clusterPrefix),
            rules: [
              { apiGroups: [''], resources: ['namespaces'], verbs: readOnly },
              {
                apiGroups: ['admissionregistration.k8s.io'],
                resources: [
                  'mutatingwebhookconfigurations',
                  'validatingadmissionpolicies',
                  'validatingadmissionpolicybindings',
                  'validatingwebhookconfigurations',
                ],
                verbs: readOnly,
              },
              {
                apiGroups: ['apiregistration.k8s.io'],
                resources: ['apiservices'],
                resourceNames: apiServices.map((a) => a.name),
                verbs: ['get', 'patch', 'update'],
              },
            ],
          },
        },
        {
          object: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: metadata(n.clusterPrefix),
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: n.clusterPrefix },
            subjects,
          },
        },
        {
          comment:
            ' The serving certificate Secret (see 07-apiservices.yaml). Creating cannot be limited to one name\n' +
            ' (the name is not known when a create is authorized); reading and updating can.',
          object: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: metadata(n.servingCertSecret, n.namespace),
            rules: [
              { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
              { apiGroups: [''], resources: ['secrets'], resourceNames: [n.servingCertSecret], verbs: ['get', 'update'] },
            ],
          },
        },
        {
          object: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: metadata(n.servingCertSecret, n.namespace),
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.servingCertSecret },
            subjects,
          },
        },
      ],
    },
    {
      name: '04-storage.yaml',
      comment: ` The data dir of the embedded sqlite store (${n.dataDir}): objects survive pod restarts.`,
      objects: [
        {
          object: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: metadata(n.dataClaim, n.namespace),
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        },
      ],
    },
    {
      name: '05-deployment.yaml',
      comment:
        ' The server, on the embedded sqlite store in its PersistentVolumeClaim: one replica, replaced with\n' +
        ' the Recreate strategy so two pods never open the store at once. --secure-port is named as in\n' +
        ' k8s.io/apiserver; --storage-backend and --data-dir select the embedded store; --serving-cert-secret\n' +
        ' and --serving-cert-hosts make the serving certificate, as 07-apiservices.yaml describes.' +
        replicasNote,
      objects: [{ object: deployment(ir) }],
    },
    {
      name: '06-service.yaml',
      objects: [
        {
          object: {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: metadata(n.serviceName, n.namespace),
            spec: {
              selector: { ...n.labels },
              ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }],
            },
          },
        },
      ],
    },
    {
      name: '07-apiservices.yaml',
      comment: apiServiceComment(ir),
      objects: apiServices.map((a) => ({
        object: {
          apiVersion: 'apiregistration.k8s.io/v1',
          kind: 'APIService',
          metadata: {
            ...metadata(a.name),
            annotations: { [CA_BUNDLE_FROM_ANNOTATION]: `${n.namespace}/${n.servingCertSecret}` },
          },
          spec: {
            group: ir.group,
            version: a.version,
            groupPriorityMinimum: ir.deploy.groupPriorityMinimum,
            versionPriority: a.versionPriority,
            service: { name: n.serviceName, namespace: n.namespace, port: 443 },
          },
        },
      })),
    },
  ];
}

function deployment(ir: ProjectIR): KubeManifest {
  const n = deployNames(ir);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds,
    failureThreshold,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: n.serviceName, namespace: n.namespace, labels: { ...n.labels } },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { ...n.labels } },
      template: {
        metadata: { labels: { ...n.labels } },
        spec: {
          serviceAccountName: n.serviceAccount,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'apiserver',
              image: ir.deploy.image,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--secure-port=${SECURE_PORT}`,
                '--storage-backend=sqlite',
                `--data-dir=${n.dataDir}`,
                `--serving-cert-secret=${n.namespace}/${n.servingCertSecret}`,
                `--serving-cert-hosts=${n.servingHosts.join(',')}`,
              ],
              ports: [{ name: 'https', containerPort: SECURE_PORT, protocol: 'TCP' }],
              readinessProbe: probe('/readyz', 10, 3),
              livenessProbe: { ...probe('/livez', 10, 6), initialDelaySeconds: 10 },
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'data', mountPath: n.dataDir },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: n.dataClaim } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/** One manifest file as YAML: its objects as documents separated by `---`, comments kept. */
export function serializeManifestFile(file: ManifestFile): string {
  const docs = file.objects.map((o, i) => {
    // No anchors/aliases for objects shared within a file: plain YAML for every reader.
    const doc = new Document(o.object, { aliasDuplicateObjects: false });
    const comments = [i === 0 ? file.comment : undefined, o.comment].filter((c) => c !== undefined);
    if (comments.length > 0) doc.commentBefore = comments.join('\n\n');
    return doc.toString({ lineWidth: 0 });
  });
  return docs.join('---\n');
}

function emitManifests(ir: ProjectIR): GeneratedFile[] {
  return buildManifests(ir).map((file) => ({
    path: `${paths.deployDir()}/${file.name}`,
    owner: 'generated',
    content: serializeManifestFile(file),
  }));
}

export const manifestsEmitter: Emitter = { name: 'manifests', emit: emitManifests };
