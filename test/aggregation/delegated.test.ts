// examples/wardle's real server process behind the doubles of a cluster, over real TLS: the
// delegated authentication chain (k8s.io/apiserver pkg/authentication/authenticatorfactory/
// delegating.go: request-header, x509, TokenReview), SubjectAccessReview authorization as
// plugin/pkg/authorizer/webhook/webhook.go sends it, the audit log, and the in-cluster serving
// certificate with the APIServices' caBundle (deploy/07-apiservices.yaml).
//
// Two servers share one kube-apiserver double: the first configured by flags, the second (a
// replica of the same Deployment) only by --authentication-kubeconfig and
// --authorization-kubeconfig, everything else coming from the configmap.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlFor } from '../support/kubectl.js';
import { requireBinary } from '../support/binaries.js';
import { startExample, type RunningServer } from '../support/example-server.js';
import {
  auditEvents,
  clientFor,
  curl,
  flunders,
  group,
  makeLab,
  servingCA,
  servingCertificateFor,
  servingHosts,
  servingSecret,
  outputMatching,
  sleep,
  unauthorizedStatus,
  type Lab,
} from './lab.js';

const hasCurl = requireBinary('curl', 'the x509 client certificate tests with curl');
const hasKubectl = requireBinary('kubectl', 'the admin kubeconfig test with kubectl');

const alice = { user: 'alice', groups: ['wardle-users'], extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=abc'] } };
const aliceSpec = {
  user: 'alice',
  groups: ['wardle-users', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=abc'] },
};

/** The review body upstream's webhook authorizer marshals (metadata and status included). */
const review = (spec: Record<string, unknown>) => ({
  kind: 'SubjectAccessReview',
  apiVersion: 'authorization.k8s.io/v1',
  metadata: { creationTimestamp: null },
  spec,
  status: { allowed: false },
});

let lab: Lab;
beforeAll(async () => {
  lab = await makeLab({
    tokens: { 'good-token': { username: 'tom', uid: 'u-tom', groups: ['token-users'] } },
    sarRules: [
      { users: ['alice'], resources: ['flunders'], verbs: ['get', 'list', 'watch', 'create'], decision: 'allow' },
      { users: ['alice'], paths: ['/apis', `/apis/${group}`], verbs: ['get'], decision: 'allow' },
      { users: ['tom'], resources: ['flunders'], verbs: ['list'], decision: 'allow' },
      { users: ['bob'], decision: 'deny', reason: 'bob is not welcome here' },
    ],
    noOpinionReason: 'no RBAC policy matched',
  });
});
afterAll(async () => {
  await lab?.close();
});

describe('delegated mode configured by flags, serving certificate from the cluster', () => {
  let server: RunningServer;
  let ca: string;
  let c: ReturnType<typeof clientFor>;
  let auditLog: string;
  const sars = () => lab.kube.subjectAccessReviews.length;

  beforeAll(async () => {
    auditLog = lab.dir.file('audit.log', '');
    server = await startExample('wardle', {
      args: [
        '--storage-backend=memory',
        `--requestheader-client-ca-file=${lab.files.frontProxyCA}`,
        '--requestheader-allowed-names=front-proxy-client',
        `--client-ca-file=${lab.files.clientCA}`,
        `--authentication-kubeconfig=${lab.kube.kubeconfigPath}`,
        `--authorization-kubeconfig=${lab.kube.kubeconfigPath}`,
        '--authentication-token-webhook-cache-ttl=1s',
        '--authorization-webhook-cache-authorized-ttl=1s',
        '--authorization-webhook-cache-unauthorized-ttl=1s',
        `--audit-log-path=${auditLog}`,
        `--serving-cert-secret=${servingSecret}`,
        `--serving-cert-hosts=${servingHosts}`,
        '--trust-local-admin', // the admin kubeconfig test below
      ],
    });
    ca = servingCA(lab.kube);
    c = clientFor(server.url, ca);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the Secret it created, for the name kube-aggregator dials, and writes its CA into the APIServices', async () => {
    expect(await outputMatching(server, /delegated to kube-apiserver/)).toMatch(/delegated to kube-apiserver/);
    const dialed = await servingCertificateFor(server.port, 'wardle-apiserver.wardle.svc', ca);
    expect(dialed.error).toBeUndefined();
    expect(dialed.authorized).toBe(true);
    const secretCert = Buffer.from(lab.kube.secrets.get(servingSecret).data['tls.crt'], 'base64').toString();
    expect(dialed.cert.fingerprint256).toBe(new X509Certificate(secretCert).fingerprint256);
    for (const v of ['v1beta1', 'v1alpha1']) {
      expect(lab.kube.apiServices.get(`${v}.${group}`).spec.caBundle).toBe(Buffer.from(ca).toString('base64'));
    }
  });

  it('answers health paths without credentials', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await c.get(p);
      expect([p, r.status, r.body]).toEqual([p, 200, 'ok']);
    }
  });

  it('honours the identity kube-aggregator proxies and reviews it exactly as upstream', async () => {
    let before = sars();
    const list = await c.as(alice, `${flunders}?labelSelector=${encodeURIComponent('sample-label=true,tier in (a,b),!legacy')}&fieldSelector=${encodeURIComponent('metadata.name!=other')}`, { client: lab.fp.client });
    expect(list.status).toBe(200);
    expect(list.json().kind).toBe('FlunderList');
    expect(lab.kube.subjectAccessReviews.slice(before)).toEqual([
      review({
        resourceAttributes: {
          namespace: 'default',
          verb: 'list',
          group,
          version: 'v1beta1',
          resource: 'flunders',
          fieldSelector: { requirements: [{ key: 'metadata.name', operator: 'NotIn', values: ['other'] }] },
          labelSelector: {
            requirements: [
              { key: 'legacy', operator: 'DoesNotExist' },
              { key: 'sample-label', operator: 'In', values: ['true'] },
              { key: 'tier', operator: 'In', values: ['a', 'b'] },
            ],
          },
        },
        ...aliceSpec,
      }),
    ]);

    before = sars();
    const created = await c.as(alice, flunders, {
      client: lab.fp.client,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: `${group}/v1beta1`, kind: 'Flunder', metadata: { name: 'by-alice' }, spec: {} }),
    });
    expect(created.status).toBe(201);
    const got = await c.as(alice, `${flunders}/by-alice`, { client: lab.fp.client });
    expect(got.status).toBe(200);
    const discovery = await c.as(alice, '/apis', { client: lab.fp.client, headers: { Accept: 'application/json' } });
    expect(discovery.status).toBe(200);
    expect(lab.kube.subjectAccessReviews.slice(before)).toEqual([
      review({ resourceAttributes: { namespace: 'default', verb: 'create', group, version: 'v1beta1', resource: 'flunders' }, ...aliceSpec }),
      review({ resourceAttributes: { namespace: 'default', verb: 'get', group, version: 'v1beta1', resource: 'flunders', name: 'by-alice' }, ...aliceSpec }),
      review({ nonResourceAttributes: { path: '/apis', verb: 'get' }, ...aliceSpec }),
    ]);
  });

  it('does not honour identity headers without a front-proxy certificate, from another CA, or from a CN not allowed', async () => {
    const before = sars();
    const cases = [
      ['no certificate', undefined],
      ['another CA', lab.otherCAClient],
      ['CN not allowed', lab.intruder],
    ] as const;
    for (const [name, client] of cases) {
      const r = await c.as({ user: 'alice', groups: ['system:masters'] }, flunders, { client });
      expect([name, r.status, r.json()]).toEqual([name, 401, unauthorizedStatus]);
    }
    expect(sars()).toBe(before);
  });

  it('authenticates bearer tokens by TokenReview (cached for the TTL) and authorizes them by review', async () => {
    const reviews = () => lab.kube.tokenReviews.length;
    const before = reviews();
    const good = await c.get(flunders, { headers: { Authorization: 'Bearer good-token' } });
    expect(good.status).toBe(200);
    expect(lab.kube.tokenReviews.at(-1)).toMatchObject({ kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: { token: 'good-token' } });
    expect(lab.kube.subjectAccessReviews.at(-1).spec).toEqual({
      resourceAttributes: { namespace: 'default', verb: 'list', group, version: 'v1beta1', resource: 'flunders' },
      user: 'tom',
      groups: ['token-users', 'system:authenticated'],
      uid: 'u-tom',
    });
    expect((await c.get(flunders, { headers: { Authorization: 'Bearer good-token' } })).status).toBe(200);
    expect(reviews()).toBe(before + 1); // within the 1s TTL: cached

    const bad = await c.get(flunders, { headers: { Authorization: 'Bearer bad-token' } });
    expect([bad.status, bad.json()]).toEqual([401, unauthorizedStatus]);
    expect(reviews()).toBe(before + 2);

    await sleep(1200);
    expect((await c.get(flunders, { headers: { Authorization: 'Bearer good-token' } })).status).toBe(200);
    expect(reviews()).toBe(before + 3); // expired: reviewed again
  });

  it('lets an x509 client of --client-ca-file in system:masters list flunders with curl, without a review', async () => {
    if (!hasCurl) return;
    const before = sars();
    const r = await curl(`${server.url}${flunders}`, { cert: lab.development.certFile, key: lab.development.keyFile, cacert: lab.dir.file('serving-ca.crt', ca) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).items.map((f: any) => f.metadata.name)).toContain('by-alice');
    expect(sars()).toBe(before);
  });

  it('with --trust-local-admin keeps the standalone admin certificate working (kubectl, a Go client)', () => {
    if (!hasKubectl) return;
    const before = sars();
    const r = kubectlFor(server.kubeconfig, server.dataDir)('get flunders -n default -o name');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('flunder.wardle.example.com/by-alice');
    expect(sars()).toBe(before);
  });

  it('answers a denied review with 403 in kube\'s words, and caches it for the TTL', async () => {
    const before = sars();
    const r = await c.as({ user: 'bob' }, flunders, { client: lab.fp.client });
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `flunders.${group} is forbidden: User "bob" cannot list resource "flunders" in API group "${group}" in the namespace "default": bob is not welcome here`,
      reason: 'Forbidden',
      details: { group, kind: 'flunders' },
      code: 403,
    });
    const carol = await c.as({ user: 'carol' }, `${flunders}/x`, { client: lab.fp.client });
    expect(carol.json().message).toBe(
      `flunders.${group} "x" is forbidden: User "carol" cannot get resource "flunders" in API group "${group}" in the namespace "default": no RBAC policy matched`,
    );
    const path = await c.as({ user: 'carol' }, '/openapi/v2', { client: lab.fp.client });
    expect([path.status, path.json().message]).toEqual([403, 'forbidden: User "carol" cannot get path "/openapi/v2": no RBAC policy matched']);
    // Authorization comes before routing: an unknown resource is refused, not 404.
    const unknown = await c.as({ user: 'carol' }, `/apis/${group}/v1beta1/namespaces/default/nothings`, { client: lab.fp.client });
    expect([unknown.status, unknown.json().message]).toEqual([
      403,
      `nothings.${group} is forbidden: User "carol" cannot list resource "nothings" in API group "${group}" in the namespace "default": no RBAC policy matched`,
    ]);
    expect(sars()).toBe(before + 4);

    expect((await c.as({ user: 'bob' }, flunders, { client: lab.fp.client })).status).toBe(403);
    expect(sars()).toBe(before + 4); // cached deny
    await sleep(1200);
    expect((await c.as({ user: 'bob' }, flunders, { client: lab.fp.client })).status).toBe(403);
    expect(sars()).toBe(before + 5);
  });

  it('writes one audit event per request, watches when they end, and flushes on shutdown', async () => {
    const watch = await c.as(alice, `${flunders}?watch=true&timeoutSeconds=1`, { client: lab.fp.client });
    expect(watch.status).toBe(200);
    await server.stop();

    const events = auditEvents(auditLog);
    for (const e of events) {
      expect(e).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete' });
    }
    const find = (pred: (e: any) => boolean) => events.find(pred);
    expect(find((e) => e.user.username === 'alice' && e.verb === 'create')).toMatchObject({
      requestURI: flunders,
      user: { username: 'alice', groups: aliceSpec.groups, extra: aliceSpec.extra },
      objectRef: { resource: 'flunders', namespace: 'default', apiGroup: group, apiVersion: 'v1beta1' },
      responseStatus: { code: 201 },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(find((e) => e.user.username === 'alice' && e.verb === 'get' && e.objectRef?.name === 'by-alice')?.responseStatus.code).toBe(200);
    expect(find((e) => e.verb === 'watch')).toMatchObject({ user: { username: 'alice' }, objectRef: { resource: 'flunders' }, responseStatus: { code: 200 } });
    expect(find((e) => e.user.username === 'bob')).toMatchObject({
      responseStatus: { code: 403 },
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'bob is not welcome here' },
    });
    expect(find((e) => e.responseStatus.code === 401)).toMatchObject({ user: {}, verb: 'list', objectRef: { resource: 'flunders' } });
    expect(find((e) => e.user.username === 'development')).toMatchObject({ user: { groups: ['system:masters', 'system:authenticated'] }, responseStatus: { code: 200 } });
    expect(find((e) => e.requestURI === '/healthz')).toMatchObject({ verb: 'get', responseStatus: { code: 200 } });
    expect(find((e) => e.requestURI === '/healthz').objectRef).toBeUndefined();
  });
});

describe('delegated mode configured only by the configmap (a second replica)', () => {
  let server: RunningServer;
  let ca: string;
  let c: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    lab.kube.setConfigMap(lab.configMap);
    server = await startExample('wardle', {
      args: [
        '--storage-backend=memory',
        `--authentication-kubeconfig=${lab.kube.kubeconfigPath}`,
        `--authorization-kubeconfig=${lab.kube.kubeconfigPath}`,
        `--serving-cert-secret=${servingSecret}`,
        `--serving-cert-hosts=${servingHosts}`,
      ],
    });
    ca = servingCA(lab.kube);
    c = clientFor(server.url, ca);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('reads the CAs and header names from kube-system/extension-apiserver-authentication', async () => {
    expect(lab.kube.configMapReads()).toBeGreaterThan(0);
    const r = await c.as(alice, flunders, { client: lab.fp.client });
    expect(r.status).toBe(200);
    expect(lab.kube.subjectAccessReviews.at(-1).spec).toMatchObject({ user: 'alice', groups: aliceSpec.groups, extra: aliceSpec.extra });
    for (const client of [undefined, lab.otherCAClient, lab.intruder]) {
      expect((await c.as({ user: 'alice', groups: ['system:masters'] }, flunders, { client })).status).toBe(401);
    }
    if (hasCurl) {
      const dev = await curl(`${server.url}${flunders}`, { cert: lab.development.certFile, key: lab.development.keyFile, cacert: lab.dir.file('serving-ca-2.crt', ca) });
      expect(dev.status).toBe(200);
    }
  });

  it('serves the same certificate as the first replica (the Secret already existed)', async () => {
    const dialed = await servingCertificateFor(server.port, 'wardle-apiserver.wardle.svc', ca);
    expect(dialed.authorized).toBe(true);
    const secretCert = Buffer.from(lab.kube.secrets.get(servingSecret).data['tls.crt'], 'base64').toString();
    expect(dialed.cert.fingerprint256).toBe(new X509Certificate(secretCert).fingerprint256);
    expect(lab.kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets'))).toHaveLength(1);
  });
});
