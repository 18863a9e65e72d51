// Audit lines (audit.k8s.io/v1 Event, stage ResponseComplete, one JSON object per line as the
// log backend writes them) and policy levels (k8s.io/apiserver pkg/audit/policy/checker.go:
// the first matching rule wins).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLogger, policyLevel, validateAuditPolicy, type AuditLogger } from '../../src/runtime/auth/audit.js';
import { buildAuthenticator, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import { requestAttributes } from '../../src/runtime/auth/authz/attributes.js';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI } from '../doubles/front-proxy.js';
import { send } from '../doubles/https.js';
import { configFrom, TempDir } from './helpers.js';
import { startProbeServer, type ProbeServer } from './probe-server.js';

const g = '/apis/wardle.example.com/v1alpha1';
const policyYaml = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz"]
  - level: None
    users: ["system:kube-aggregator"]
  - level: RequestResponse
    resources:
      - group: wardle.example.com
        resources: ["fischers", "flunders/status"]
  - level: Request
    verbs: ["create"]
    namespaces: ["prod"]
  - level: Metadata
`;

function lines(path: string): any[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('audit log', () => {
  const dir = new TempDir();
  let fp: FrontProxyPKI;
  let authn: BuiltAuthenticator;
  let audit: AuditLogger;
  let probe: ProbeServer;
  const logPath = join(dir.path, 'audit.log');

  beforeAll(async () => {
    fp = await makeFrontProxyPKI();
    authn = await buildAuthenticator({ config: configFrom({ 'requestheader-client-ca-file': dir.file('fp.crt', fp.ca.cert) }).authentication });
    audit = await createAuditLogger({ logPath });
    probe = await startProbeServer({ authenticator: authn, audit });
  });
  afterAll(async () => {
    await probe.close();
    authn.close();
    dir.remove();
  });

  it('writes one audit.k8s.io/v1 Event line per request (Metadata by default), unauthenticated ones included', async () => {
    const before = Date.now();
    await proxiedRequest(`${probe.url}${g}/namespaces/default/flunders/x/status?pretty=1`, { user: 'alice', groups: ['devs'] }, {
      ca: probe.ca,
      client: fp.client,
      method: 'PUT',
      headers: { 'User-Agent': 'kubectl/v1.32.0', 'X-Forwarded-For': '10.0.0.7' },
    });
    await send(`${probe.url}/openapi/v3`, { ca: probe.ca, headers: { 'User-Agent': 'curl/8' } });
    await audit.close();
    const [e1, e2] = lines(logPath);
    expect(e1).toEqual({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      stage: 'ResponseComplete',
      requestURI: `${g}/namespaces/default/flunders/x/status?pretty=1`,
      verb: 'update',
      user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
      sourceIPs: ['10.0.0.7', '127.0.0.1'],
      userAgent: 'kubectl/v1.32.0',
      objectRef: { resource: 'flunders', namespace: 'default', name: 'x', apiGroup: 'wardle.example.com', apiVersion: 'v1alpha1', subresource: 'status' },
      responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      stageTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
    expect(Date.parse(e1.requestReceivedTimestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(e1.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(e1.requestReceivedTimestamp));
    expect(e2).toMatchObject({ verb: 'get', requestURI: '/openapi/v3', user: {}, responseStatus: { code: 401 }, userAgent: 'curl/8' });
    expect(e2.objectRef).toBeUndefined();
    expect(e1.auditID).not.toBe(e2.auditID);
  });
});

describe('audit policy', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('levels: first matching rule wins; None writes nothing; bodies only at Request/RequestResponse', async () => {
    const logPath = join(dir.path, 'policy.log');
    const audit = await createAuditLogger({ logPath, policyFile: dir.file('policy.yaml', policyYaml) });
    const alice = { username: 'alice', groups: ['system:authenticated'] };
    const log = (method: string, url: string, user = alice) =>
      audit.logRequest({
        requestURI: url,
        attributes: requestAttributes(method, url),
        user,
        sourceIPs: ['127.0.0.1'],
        responseCode: 200,
        requestReceived: new Date(),
        requestObject: { req: true },
        responseObject: { res: true },
      });
    expect(log('GET', '/healthz/ping')).toBeUndefined();
    expect(log('GET', '/readyz')).toBeUndefined();
    expect(log('GET', `${g}`, { username: 'system:kube-aggregator', groups: ['system:masters'] })).toBeUndefined();
    expect(log('GET', `${g}/fischers/f`)).toMatchObject({ level: 'RequestResponse', requestObject: { req: true }, responseObject: { res: true } });
    expect(log('PUT', `${g}/namespaces/a/flunders/x/status`)).toMatchObject({ level: 'RequestResponse' });
    const req = log('POST', `${g}/namespaces/prod/flunders`);
    expect(req).toMatchObject({ level: 'Request', requestObject: { req: true } });
    expect(req!.responseObject).toBeUndefined();
    const meta = log('POST', `${g}/namespaces/dev/flunders`);
    expect(meta!.level).toBe('Metadata');
    expect(meta!.requestObject).toBeUndefined();
    await audit.close();
    expect(lines(logPath).map((e) => e.level)).toEqual(['RequestResponse', 'RequestResponse', 'Request', 'Metadata']);
  });

  it('resource patterns: "*", "*/status", "flunders/*", resourceNames, userGroups', () => {
    const policy = validateAuditPolicy(
      {
        apiVersion: 'audit.k8s.io/v1',
        kind: 'Policy',
        rules: [
          { level: 'RequestResponse', userGroups: ['auditors'], resources: [{ group: 'wardle.example.com', resources: ['*/status'] }] },
          { level: 'Request', resources: [{ group: 'wardle.example.com', resources: ['flunders/*'], resourceNames: ['special'] }] },
          { level: 'Metadata', resources: [{ group: 'wardle.example.com', resources: ['*'] }] },
        ],
      },
      'test',
    );
    const level = (url: string, groups: string[] = []) => policyLevel(policy, requestAttributes('GET', url), { username: 'u', groups });
    expect(level(`${g}/namespaces/a/flunders/x/status`, ['auditors'])).toBe('RequestResponse');
    expect(level(`${g}/namespaces/a/flunders/special/status`)).toBe('Request');
    expect(level(`${g}/namespaces/a/flunders/other/status`)).toBe('Metadata');
    expect(level('/apis')).toBe('None');
    expect(level('/api/v1/namespaces/a/pods')).toBe('None');
  });

  it('a bad policy is refused with every problem named', () => {
    expect(() => validateAuditPolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Everything' }] }, 'p.yaml')).toThrow(
      /p\.yaml: rules\[0\]\.level: must be one of None, Metadata, Request, RequestResponse/,
    );
    expect(() => validateAuditPolicy({ kind: 'Pod' }, 'p.yaml')).toThrow(/kind must be Policy.*apiVersion must be audit.k8s.io\/v1.*rules: must list at least one rule/);
  });
});
