// Server-side apply that creates is authorized as a create too: k8s.io/apiserver
// pkg/endpoints/handlers/patch.go wraps createValidation with withAuthorization
// (handlers/update.go) and createAuthorizerAttributes, so patch rights alone cannot create.
// Against a delegated server whose SubjectAccessReviews go to the kube-apiserver double.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelegatedServer, type DelegatedServer } from './delegated-server.js';

const group = 'wardle.example.com';
const flunders = `/apis/${group}/v1beta1/namespaces/ns/flunders`;
const root = { user: 'root', groups: ['admins'] };
const pat = { user: 'pat' };
const cora = { user: 'cora' };

let s: DelegatedServer;
beforeAll(async () => {
  s = await startDelegatedServer({
    sarRules: [
      { groups: ['admins'], decision: 'allow' },
      { users: ['pat'], resources: ['flunders'], verbs: ['patch'], decision: 'allow' },
      { users: ['cora'], resources: ['flunders'], verbs: ['patch', 'create'], decision: 'allow' },
    ],
    noOpinionReason: 'no RBAC policy matched',
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const applied = (name: string, color: string) =>
  JSON.stringify({ apiVersion: `${group}/v1beta1`, kind: 'Flunder', metadata: { name }, spec: { color } });

function apply(id: { user: string }, name: string, color: string, manager = id.user) {
  return s.as(id, `${flunders}/${name}?fieldManager=${manager}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: applied(name, color),
  });
}

describe('server-side apply of a missing object (handlers/patch.go createAuthorizerAttributes)', () => {
  it('with patch rights only: 403 worded as kube, reviewed as a create of that name, nothing created', async () => {
    const before = s.kube.subjectAccessReviews.length;
    const r = await apply(pat, 'made-by-pat', 'red');
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `flunders.${group} "made-by-pat" is forbidden: User "pat" cannot create resource "flunders" in API group "${group}" in the namespace "ns": no RBAC policy matched`,
      reason: 'Forbidden',
      details: { name: 'made-by-pat', group, kind: 'flunders' },
      code: 403,
    });
    const reviewed = s.kube.subjectAccessReviews.slice(before).map((b) => b.spec.resourceAttributes);
    expect(reviewed).toEqual([
      { namespace: 'ns', verb: 'patch', group, version: 'v1beta1', resource: 'flunders', name: 'made-by-pat' },
      { namespace: 'ns', verb: 'create', group, version: 'v1beta1', resource: 'flunders', name: 'made-by-pat' },
    ]);
    expect((await s.as(root, `${flunders}/made-by-pat`)).status).toBe(404);
  });

  it('with patch and create rights: created (201)', async () => {
    const r = await apply(cora, 'made-by-cora', 'blue');
    expect(r.status).toBe(201);
    expect(r.json().spec).toEqual({ color: 'blue' });
  });

  it('an apply to an existing object needs patch rights only', async () => {
    expect((await apply(root, 'existing', 'green', 'tool')).status).toBe(201);
    const before = s.kube.subjectAccessReviews.length;
    const r = await apply(pat, 'existing', 'yellow', 'tool');
    expect(r.status).toBe(200);
    expect(r.json().spec).toEqual({ color: 'yellow' });
    expect(s.kube.subjectAccessReviews.slice(before).map((b) => b.spec.resourceAttributes.verb)).toEqual(['patch']);
  });
});
