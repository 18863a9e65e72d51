// Authorization sees exactly what the handler serves (issue 10): one parse of the request target
// feeds authorization (k8s.io/apiserver pkg/endpoints/request/requestinfo.go), audit
// (pkg/endpoints/filters/audit.go) and the handlers (handlers/get.go listOpts), against a
// delegated server whose SubjectAccessReviews go to the kube-apiserver double. Users with narrow
// grants try to read more than their grant by making the two readings of a URL disagree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../auth/helpers.js';
import { startDelegatedServer, type DelegatedServer } from './delegated-server.js';

const group = 'wardle.example.com';
const flunders = `/apis/${group}/v1beta1/namespaces/ns/flunders`;

const root = { user: 'root', groups: ['admins'] };
/** A resourceNames-only grant: get, list and watch of the flunder `public` alone. */
const nina = { user: 'nina' };
/** list (every name) but not watch. */
const lou = { user: 'lou' };
/** list and watch. */
const wes = { user: 'wes' };
/** get of public's status alone. */
const sam = { user: 'sam' };

let s: DelegatedServer;
beforeAll(async () => {
  s = await startDelegatedServer({
    sarRules: [
      { groups: ['admins'], decision: 'allow' },
      { users: ['nina'], resources: ['flunders'], verbs: ['get', 'list', 'watch'], names: ['public'], decision: 'allow' },
      { users: ['lou'], resources: ['flunders'], verbs: ['list'], decision: 'allow' },
      { users: ['wes'], resources: ['flunders'], verbs: ['list', 'watch'], decision: 'allow' },
      { users: ['sam'], resources: ['flunders'], subresources: ['status'], verbs: ['get'], names: ['public'], decision: 'allow' },
    ],
  });
  for (const name of ['public', 'secret']) {
    const r = await s.as(root, flunders, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: `${group}/v1beta1`, kind: 'Flunder', metadata: { name }, spec: {} }),
    });
    expect(r.status).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await s?.close();
});

/** What a response served: a watch stream, a list, or a refusal (its code). */
function served(r: { status: number; body: string }): string {
  if (r.status !== 200) return String(r.status);
  if (/^\{"type":"(ADDED|BOOKMARK)"/.test(r.body)) return 'watch';
  return JSON.parse(r.body).kind === 'FlunderList' ? 'list' : 'other';
}

describe('a resourceNames grant (requestinfo.go: a metadata.name field selector is the name)', () => {
  it('lists the granted name through the field selector, reviewed with that name', async () => {
    const before = s.kube.subjectAccessReviews.length;
    const r = await s.as(nina, `${flunders}?fieldSelector=${encodeURIComponent('metadata.name=public')}`);
    expect(r.status).toBe(200);
    expect(r.json().items.map((o: any) => o.metadata.name)).toEqual(['public']);
    const reviewed = s.kube.subjectAccessReviews.slice(before).map((b) => b.spec.resourceAttributes);
    expect(reviewed).toEqual([
      expect.objectContaining({ verb: 'list', resource: 'flunders', name: 'public', namespace: 'ns' }),
    ]);
  });

  it('does not list everything without the selector (403)', async () => {
    const r = await s.as(nina, flunders);
    expect(r.status).toBe(403);
    expect(r.json().message).toBe(
      `flunders.${group} is forbidden: User "nina" cannot list resource "flunders" in API group "${group}" in the namespace "ns"`,
    );
  });

  it('a name smuggled past an undecodable escape (metadata.name!=%ZZ,metadata.name=public) is 400 and lists nothing', async () => {
    const r = await s.as(nina, `${flunders}?fieldSelector=metadata.name!=%ZZ%2Cmetadata.name%3Dpublic`);
    expect(r.body).not.toContain('secret');
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: 'invalid query parameters: invalid URL escape "%ZZ"' });
  });

  it('a pair with a semicolon (which Go\'s ParseQuery refuses) is 400', async () => {
    const r = await s.as(nina, `${flunders}?fieldSelector=metadata.name%3Dpublic;watch=1`);
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ reason: 'BadRequest', message: 'invalid query parameters: invalid semicolon separator in query' });
  });
});

describe('a watch hidden behind "#" (net/http keeps it in the path; here it is 400)', () => {
  it('is refused for a user who may list but not watch, and no watch is served', async () => {
    const r = await s.as(lou, `${flunders}#&watch=1&timeoutSeconds=1`);
    expect(served(r)).not.toBe('watch');
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    // The same user's plain list works, and a plain watch is 403.
    expect(served(await s.as(lou, flunders))).toBe('list');
    expect((await s.as(lou, `${flunders}?watch=1&timeoutSeconds=1`)).status).toBe(403);
  });

  it('the audit log records the verb that was served (filters/audit.go reads the same request info)', async () => {
    const requests = [flunders, `${flunders}?watch=1&timeoutSeconds=1`, `${flunders}#&watch=1&timeoutSeconds=1`];
    const answers = [];
    for (const path of requests) answers.push(await s.as(wes, path));
    expect(answers.map(served)).toEqual(['list', 'watch', '400']);
    // Events are written once each response is complete.
    const audited = answers.filter((a) => a.headers['audit-id']).map((a) => a.headers['audit-id']);
    await eventually(() => audited.every((id) => s.auditEvents().some((e) => e.auditID === id)));
    const events = s.auditEvents();
    for (const a of answers) {
      const id = a.headers['audit-id'];
      const event = events.find((e) => e.auditID === id);
      // A request refused before it is read (400) is not audited, as Go's server answers it.
      if (served(a) === '400') expect(event).toBeUndefined();
      else expect([event?.verb, event?.responseStatus?.code]).toEqual([served(a), 200]);
    }
  });
});

describe('an escaped "/" inside a path segment (Go decodes URL.Path before it is split)', () => {
  it('is routed as authorization read it: public%2Fstatus is the status of public, for a user granted only that', async () => {
    const before = s.kube.subjectAccessReviews.length;
    const r = await s.as(sam, `${flunders}/public%2Fstatus`);
    expect(r.status).toBe(200);
    expect(r.json().metadata.name).toBe('public');
    expect(s.kube.subjectAccessReviews.slice(before).map((b) => b.spec.resourceAttributes)).toEqual([
      { namespace: 'ns', verb: 'get', group, version: 'v1beta1', resource: 'flunders', subresource: 'status', name: 'public' },
    ]);
  });

  it('a path that decodes to more segments than any route is 404', async () => {
    const r = await s.as(root, `${flunders}/public%2Fstatus%2Fextra`);
    expect(r.status).toBe(404);
    expect(r.json()).toMatchObject({ reason: 'NotFound', message: 'the server could not find the requested resource' });
  });
});
