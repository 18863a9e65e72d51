// Delegated authorization (k8s.io/apiserver plugin/pkg/authorizer/webhook/webhook.go,
// pkg/server/options/authorization.go; API-CONTRACT 8.7) end to end over real TLS: a front
// proxy identity, the review bodies the kube-apiserver double receives, the decision caches,
// the reviews skipped for system:masters and always-allowed paths, and kube's 403 wording
// (pkg/endpoints/handlers/responsewriters/errors.go).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthenticator, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import { buildAuthorizer, forbiddenError, requestAttributes } from '../../src/runtime/auth/authz/index.js';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI } from '../doubles/front-proxy.js';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { configFrom, memoryLog, sleep, TempDir } from './helpers.js';
import { startProbeServer, type ProbeServer } from './probe-server.js';

const g = '/apis/wardle.example.com/v1alpha1';
const alice = { user: 'alice', groups: ['devs'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=1'] }, uid: 'u-alice' };
const aliceSpec = {
  user: 'alice',
  groups: ['devs', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/credential-id': ['JTI=1'] },
  uid: 'u-alice',
};

describe('SubjectAccessReview authorization', () => {
  const dir = new TempDir();
  let kube: KubeApiserverDouble;
  let fp: FrontProxyPKI;
  let authn: BuiltAuthenticator;
  let probe: ProbeServer;
  const flags = () => ({
    'requestheader-client-ca-file': dir.file('fp.crt', fp.ca.cert),
    'requestheader-uid-headers': 'X-Remote-Uid',
    'authentication-kubeconfig': kube.kubeconfigPath,
    'authentication-skip-lookup': 'true',
    'authorization-kubeconfig': kube.kubeconfigPath,
  });
  const as = (id: typeof alice | { user: string; groups?: string[] }, path: string, method = 'GET') =>
    proxiedRequest(probe.url + path, id, { ca: probe.ca, client: fp.client, method });

  beforeAll(async () => {
    fp = await makeFrontProxyPKI();
    kube = await startKubeApiserverDouble({
      sarRules: [
        { users: ['alice'], verbs: ['get', 'list', 'watch'], resources: ['flunders'], decision: 'allow' },
        { users: ['alice'], paths: ['/apis', `${g}`], decision: 'allow' },
        { users: ['alice'], verbs: ['delete'], decision: 'deny', reason: 'deletes are frozen' },
      ],
      noOpinionReason: 'no RBAC policy matched',
    });
    const config = configFrom({
      ...flags(),
      'authorization-webhook-cache-authorized-ttl': '300ms',
      'authorization-webhook-cache-unauthorized-ttl': '600ms',
    });
    authn = await buildAuthenticator({ config: config.authentication });
    probe = await startProbeServer({ authenticator: authn, authorizer: buildAuthorizer({ config: config.authorization }) });
  });
  afterAll(async () => {
    await probe.close();
    authn.close();
    await kube.close();
    dir.remove();
  });

  const lastSpec = () => kube.subjectAccessReviews.at(-1);

  it('get: resource attributes, user, groups, extra, uid, as upstream marshals them', async () => {
    expect((await as(alice, `${g}/namespaces/default/flunders/x`)).status).toBe(200);
    expect(lastSpec()).toEqual({
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: { namespace: 'default', verb: 'get', group: 'wardle.example.com', version: 'v1alpha1', resource: 'flunders', name: 'x' },
        ...aliceSpec,
      },
      status: { allowed: false },
    });
  });

  it('list with selectors: fieldSelector and labelSelector requirements (KEP-4601)', async () => {
    const q = `fieldSelector=${encodeURIComponent('spec.color=red')}&labelSelector=${encodeURIComponent('app in (web,api),!legacy')}`;
    expect((await as(alice, `${g}/namespaces/default/flunders?${q}`)).status).toBe(200);
    expect(lastSpec().spec.resourceAttributes).toEqual({
      namespace: 'default',
      verb: 'list',
      group: 'wardle.example.com',
      version: 'v1alpha1',
      resource: 'flunders',
      fieldSelector: { requirements: [{ key: 'spec.color', operator: 'In', values: ['red'] }] },
      labelSelector: {
        requirements: [
          { key: 'app', operator: 'In', values: ['api', 'web'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
    });
  });

  it('watch of one object by metadata.name is authorized as that name', async () => {
    expect((await as(alice, `${g}/namespaces/default/flunders?watch=true&fieldSelector=metadata.name%3Dx`)).status).toBe(200);
    expect(lastSpec().spec.resourceAttributes).toEqual({
      namespace: 'default',
      verb: 'watch',
      group: 'wardle.example.com',
      version: 'v1alpha1',
      resource: 'flunders',
      name: 'x',
      fieldSelector: { requirements: [{ key: 'metadata.name', operator: 'In', values: ['x'] }] },
    });
  });

  it('create in a namespace, subresource on the cluster scope: forbidden in kube words with the reviewer reason', async () => {
    const res = await as(alice, `${g}/namespaces/default/flunders`, 'POST');
    expect(res.status).toBe(403);
    expect(lastSpec().spec.resourceAttributes).toEqual({ namespace: 'default', verb: 'create', group: 'wardle.example.com', version: 'v1alpha1', resource: 'flunders' });
    expect(res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'flunders.wardle.example.com is forbidden: User "alice" cannot create resource "flunders" in API group "wardle.example.com" in the namespace "default": no RBAC policy matched',
      reason: 'Forbidden',
      details: { group: 'wardle.example.com', kind: 'flunders' },
      code: 403,
    });
    const sub = await as(alice, `${g}/fischers/f/status`, 'PUT');
    expect(sub.json().message).toBe(
      'fischers.wardle.example.com "f" is forbidden: User "alice" cannot update resource "fischers/status" in API group "wardle.example.com" at the cluster scope: no RBAC policy matched',
    );
    expect(sub.json().details).toEqual({ name: 'f', group: 'wardle.example.com', kind: 'fischers' });
  });

  it('a denial carries its reason', async () => {
    const res = await as(alice, `${g}/namespaces/default/flunders/x`, 'DELETE');
    expect(res.json().message).toBe(
      'flunders.wardle.example.com "x" is forbidden: User "alice" cannot delete resource "flunders" in API group "wardle.example.com" in the namespace "default": deletes are frozen',
    );
  });

  it('non-resource paths: path and lower-case verb; forbidden as `cannot get path`', async () => {
    expect((await as(alice, '/apis')).status).toBe(200);
    expect(lastSpec().spec).toEqual({ nonResourceAttributes: { path: '/apis', verb: 'get' }, ...aliceSpec });
    const res = await as({ user: 'bob' }, '/openapi/v3');
    expect(lastSpec().spec).toEqual({ nonResourceAttributes: { path: '/openapi/v3', verb: 'get' }, user: 'bob', groups: ['system:authenticated'] });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({
      message: 'forbidden: User "bob" cannot get path "/openapi/v3": no RBAC policy matched',
      details: {},
      reason: 'Forbidden',
    });
  });

  it('system:masters and the always-allowed paths skip the review', async () => {
    const before = kube.subjectAccessReviews.length;
    expect((await as({ user: 'system:kube-aggregator', groups: ['system:masters'] }, `${g}`)).status).toBe(200);
    expect((await as({ user: 'system:kube-aggregator', groups: ['system:masters'] }, `${g}/namespaces/x/flunders`, 'POST')).status).toBe(200);
    for (const p of ['/healthz', '/readyz', '/livez']) expect((await as({ user: 'nobody' }, p)).status).toBe(200);
    expect(kube.subjectAccessReviews.length).toBe(before);
    // Only the exact paths (or a trailing-* prefix) are always allowed.
    expect((await as({ user: 'nobody' }, '/healthz/etcd')).status).toBe(403);
  });

  it('allowed answers are cached for the authorized TTL, others for the unauthorized TTL', async () => {
    const count = () => kube.subjectAccessReviews.length;
    const path = `${g}/namespaces/cache/flunders/c`;
    const start = count();
    expect((await as(alice, path)).status).toBe(200);
    expect((await as(alice, path)).status).toBe(200);
    expect(count() - start).toBe(1);
    const denied = `${g}/namespaces/cache/flunders`;
    expect((await as(alice, denied, 'POST')).status).toBe(403);
    expect((await as(alice, denied, 'POST')).status).toBe(403);
    expect(count() - start).toBe(2);
    await sleep(350); // past the authorized TTL, within the unauthorized one
    expect((await as(alice, path)).status).toBe(200);
    expect((await as(alice, denied, 'POST')).status).toBe(403);
    expect(count() - start).toBe(3);
    await sleep(300); // past the unauthorized TTL
    expect((await as(alice, denied, 'POST')).status).toBe(403);
    expect(count() - start).toBe(4);
  });

  it('a failing reviewer is an internal error (500), not an allow, and is not cached', async () => {
    kube.setFailure(503);
    try {
      const res = await as(alice, `${g}/namespaces/fail/flunders/y`);
      expect(res.status).toBe(500);
      expect(res.json()).toMatchObject({ reason: 'InternalError' });
    } finally {
      kube.setFailure(undefined);
    }
    expect((await as(alice, `${g}/namespaces/fail/flunders/y`)).status).toBe(200);
  });
});

describe('authorization modes', () => {
  it('AlwaysAllow allows everything and warns loudly at build time', async () => {
    const log = memoryLog();
    const config = configFrom({ 'authorization-mode': 'AlwaysAllow' });
    const a = buildAuthorizer({ config: config.authorization, log });
    expect(log.lines.join('\n')).toMatch(/WARNING.*AlwaysAllow/);
    expect(a.warnings.length).toBe(1);
    expect(await a.authorize(requestAttributes('DELETE', `${g}/fischers`), { username: 'anyone', groups: [] })).toMatchObject({ decision: 'allow' });
  });

  it('without a reviewer only system:masters and the always-allowed paths pass (standalone)', async () => {
    const a = buildAuthorizer({ config: configFrom({}).authorization });
    const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
    const other = { username: 'x', groups: ['system:authenticated'] };
    expect((await a.authorize(requestAttributes('GET', `${g}/fischers`), admin)).decision).toBe('allow');
    expect((await a.authorize(requestAttributes('GET', `${g}/fischers`), other)).decision).toBe('noOpinion');
    expect((await a.authorize(requestAttributes('GET', '/readyz'), other)).decision).toBe('allow');
  });

  it('forbidden messages are sanitized for HTML and name the empty user of unauthenticated requests', () => {
    const e = forbiddenError(requestAttributes('GET', '/x<y>&'), undefined, '');
    expect(e.toStatus().message).toBe('forbidden: User "" cannot get path "/x&lt;y&gt;&amp;"');
    const core = forbiddenError(requestAttributes('GET', '/api/v1/namespaces/ns/pods'), { username: 'u', groups: [] });
    expect(core.message).toBe('pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "ns"');
  });
});
