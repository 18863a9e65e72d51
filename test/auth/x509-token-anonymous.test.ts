// x509 client certificates (pkg/authentication/request/x509/x509.go), bearer tokens by static
// file (tokenfile.go) and by delegated TokenReview (plugin/pkg/authenticator/token/webhook,
// cached as pkg/authentication/token/cache), and anonymous (delegating.go: only when enabled,
// never for rejected credentials).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthenticator, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import { makeFrontProxyPKI, proxiedRequest } from '../doubles/front-proxy.js';
import { send } from '../doubles/https.js';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { issue, makeCA, type TestCA } from '../doubles/pki.js';
import { configFrom, memoryLog, sleep, TempDir } from './helpers.js';
import { startProbeServer, type ProbeServer } from './probe-server.js';

describe('x509 client certificates (--client-ca-file)', () => {
  const dir = new TempDir();
  let clientCA: TestCA;
  let authn: BuiltAuthenticator;
  let probe: ProbeServer;
  beforeAll(async () => {
    clientCA = await makeCA('client-ca');
    authn = await buildAuthenticator({ config: configFrom({ 'client-ca-file': dir.file('client-ca.crt', clientCA.cert) }).authentication });
    probe = await startProbeServer({ authenticator: authn });
  });
  afterAll(async () => {
    await probe.close();
    authn.close();
    dir.remove();
  });

  it('the seed lab certificate CN=development, O=system:masters is user development in group system:masters', async () => {
    const dev = await issue(clientCA, { cn: 'development', o: ['system:masters'] });
    const res = await send(`${probe.url}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`, { ca: probe.ca, cert: dev.cert, key: dev.key });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ by: 'x509', user: { username: 'development', groups: ['system:masters', 'system:authenticated'] } });
  });

  it('every O is a group; O values with commas survive', async () => {
    const c = await issue(clientCA, { cn: 'erin', o: ['a', 'b, c'] });
    const res = await send(`${probe.url}/x`, { ca: probe.ca, cert: c.cert, key: c.key });
    expect(res.json().user).toEqual({ username: 'erin', groups: ['a', 'b, c', 'system:authenticated'] });
  });

  it('refuses certificates of another CA, without clientAuth, or expired', async () => {
    const other = await issue(await makeCA('client-ca'), { cn: 'development', o: ['system:masters'] });
    const serverOnly = await issue(clientCA, { cn: 'development', eku: 'server' });
    const now = Date.now();
    const expired = await issue(clientCA, { cn: 'development', notBefore: new Date(now - 7_200_000), notAfter: new Date(now - 3_600_000) });
    for (const c of [other, serverOnly, expired]) {
      const res = await send(`${probe.url}/x`, { ca: probe.ca, cert: c.cert, key: c.key });
      expect(res.status).toBe(401);
    }
  });

  it('a certificate without an EKU extension allows any usage (as Go does)', async () => {
    const c = await issue(clientCA, { cn: 'frank', eku: 'none' });
    const res = await send(`${probe.url}/x`, { ca: probe.ca, cert: c.cert, key: c.key });
    expect(res.json().user.username).toBe('frank');
  });

  it('identity headers from an x509 client are not believed (only the certificate counts)', async () => {
    const c = await issue(clientCA, { cn: 'grace' });
    const res = await send(`${probe.url}/x`, { ca: probe.ca, cert: c.cert, key: c.key, headers: { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' } });
    expect(res.json().user).toEqual({ username: 'grace', groups: ['system:authenticated'] });
  });
});

describe('bearer tokens', () => {
  const dir = new TempDir();
  let kube: KubeApiserverDouble;
  beforeAll(async () => {
    kube = await startKubeApiserverDouble({
      tokens: {
        'good-token': { username: 'system:serviceaccount:ns:sa', uid: 'u-1', groups: ['system:serviceaccounts'], extra: { 'authentication.kubernetes.io/pod-name': ['p'] } },
        'errored-token': { error: 'token has been revoked' },
      },
    });
  });
  afterAll(async () => {
    await kube.close();
    dir.remove();
  });

  it('TokenReview: a good token authenticates; the review body is what upstream sends; the header is stripped', async () => {
    const authn = await buildAuthenticator({
      config: configFrom({ 'authentication-kubeconfig': kube.kubeconfigPath, 'authentication-skip-lookup': 'true' }).authentication,
    });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const res = await send(`${probe.url}/x`, { ca: probe.ca, headers: { Authorization: 'Bearer good-token' } });
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        by: 'token-webhook',
        user: {
          username: 'system:serviceaccount:ns:sa',
          uid: 'u-1',
          groups: ['system:serviceaccounts', 'system:authenticated'],
          extra: { 'authentication.kubernetes.io/pod-name': ['p'] },
        },
      });
      expect(body.headerObject.authorization).toBeUndefined();
      expect(kube.tokenReviews.at(-1)).toEqual({
        kind: 'TokenReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { token: 'good-token' },
        status: { user: {} },
      });
    } finally {
      await probe.close();
      authn.close();
    }
  });

  it('TokenReview: bad tokens get 401; answers are cached for --authentication-token-webhook-cache-ttl (good and bad)', async () => {
    const authn = await buildAuthenticator({
      config: configFrom({
        'authentication-kubeconfig': kube.kubeconfigPath,
        'authentication-skip-lookup': 'true',
        'authentication-token-webhook-cache-ttl': '400ms',
      }).authentication,
      log: memoryLog(),
    });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const before = kube.tokenReviews.length;
      const get = (token: string) => send(`${probe.url}/x`, { ca: probe.ca, headers: { Authorization: `Bearer ${token}` } });
      expect((await get('bad-token')).status).toBe(401);
      expect((await get('bad-token')).status).toBe(401);
      expect((await get('good-token')).status).toBe(200);
      expect((await get('good-token')).status).toBe(200);
      expect(kube.tokenReviews.length - before).toBe(2);
      await sleep(500);
      expect((await get('good-token')).status).toBe(200);
      expect(kube.tokenReviews.length - before).toBe(3);
      // status.error is a failure, not an answer: not cached.
      expect((await get('errored-token')).status).toBe(401);
      expect((await get('errored-token')).status).toBe(401);
      expect(kube.tokenReviews.length - before).toBe(5);
    } finally {
      await probe.close();
      authn.close();
    }
  });

  it('--token-auth-file: kube-apiserver CSV (token,user,uid,"g1,g2")', async () => {
    const file = dir.file('tokens.csv', 'static-1,henry,uid-42,"ops,dev"\n\n  static-2,ivy,uid-7\n');
    const authn = await buildAuthenticator({ config: configFrom({ 'token-auth-file': file }).authentication, log: memoryLog() });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const r1 = await send(`${probe.url}/x`, { ca: probe.ca, headers: { Authorization: 'Bearer static-1' } });
      expect(r1.json()).toMatchObject({ by: 'token-file', user: { username: 'henry', uid: 'uid-42', groups: ['ops', 'dev', 'system:authenticated'] } });
      const r2 = await send(`${probe.url}/x`, { ca: probe.ca, headers: { Authorization: 'Bearer static-2' } });
      expect(r2.json().user).toEqual({ username: 'ivy', uid: 'uid-7', groups: ['system:authenticated'] });
      expect((await send(`${probe.url}/x`, { ca: probe.ca, headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    } finally {
      await probe.close();
      authn.close();
    }
  });

  it('a token file with fewer than 3 columns is refused at startup, naming the file', async () => {
    const file = dir.file('bad.csv', 'tok,user\n');
    await expect(buildAuthenticator({ config: configFrom({ 'token-auth-file': file }).authentication })).rejects.toThrow(
      /must have at least 3 columns \(token, user name, user uid\), found 2/,
    );
  });
});

describe('anonymous (--anonymous-auth)', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('off (default): no credentials is 401', async () => {
    const authn = await buildAuthenticator({ config: configFrom({ 'token-auth-file': dir.file('t1.csv', 'a,b,c\n') }).authentication });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const res = await send(`${probe.url}/x`, { ca: probe.ca });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    } finally {
      await probe.close();
      authn.close();
    }
  });

  it('on: no credentials is system:anonymous; untrusted identity headers stay untrusted; rejected credentials still get 401', async () => {
    const fp = await makeFrontProxyPKI();
    const authn = await buildAuthenticator({
      config: configFrom({
        'anonymous-auth': 'true',
        'requestheader-client-ca-file': dir.file('fp.crt', fp.ca.cert),
        'token-auth-file': dir.file('t2.csv', 'a,b,c\n'),
      }).authentication,
      log: memoryLog(),
    });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const anon = await send(`${probe.url}/x`, { ca: probe.ca, headers: { 'X-Remote-User': 'admin' } });
      expect(anon.json()).toMatchObject({ by: 'anonymous', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } });
      const forged = await issue(await makeCA('front-proxy-ca'), { cn: 'front-proxy-client' });
      expect((await proxiedRequest(`${probe.url}/x`, { user: 'admin' }, { ca: probe.ca, client: forged })).status).toBe(401);
      expect((await send(`${probe.url}/x`, { ca: probe.ca, headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    } finally {
      await probe.close();
      authn.close();
    }
  });
});
