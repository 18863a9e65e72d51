// Front-proxy (request-header) authentication over real TLS, as kube-aggregator uses it:
// k8s.io/apiserver pkg/authentication/request/headerrequest/requestheader.go behind
// x509.NewDynamicCAVerifier (API-CONTRACT 8.3-8.4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthenticator, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI } from '../doubles/front-proxy.js';
import { send } from '../doubles/https.js';
import { issue, makeCA } from '../doubles/pki.js';
import { configFrom, memoryLog, TempDir } from './helpers.js';
import { startProbeServer, type ProbeServer } from './probe-server.js';

const alice = {
  user: 'alice',
  groups: ['developers', 'team, blue'],
  extra: { 'authentication.kubernetes.io/credential-id': ['JTI=abc'], scopes: ['read', 'write'] },
};

describe('request-header authentication (requestheader.go)', () => {
  const dir = new TempDir();
  let fp: FrontProxyPKI;
  let authn: BuiltAuthenticator;
  let probe: ProbeServer;

  beforeAll(async () => {
    fp = await makeFrontProxyPKI();
    authn = await buildAuthenticator({
      config: configFrom({
        'requestheader-client-ca-file': dir.file('front-proxy-ca.crt', fp.ca.cert),
        'requestheader-allowed-names': 'front-proxy-client',
      }).authentication,
      log: memoryLog(),
    });
    probe = await startProbeServer({ authenticator: authn });
  });
  afterAll(async () => {
    await probe.close();
    authn.close();
    dir.remove();
  });

  it('honours the proxied user, every group line, extras (lower-cased, percent-decoded) and adds system:authenticated', async () => {
    const res = await proxiedRequest(`${probe.url}/apis/wardle.example.com/v1alpha1`, alice, { ca: probe.ca, client: fp.client });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.by).toBe('requestheader');
    expect(body.user).toEqual({
      username: 'alice',
      groups: ['developers', 'team, blue', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=abc'], scopes: ['read', 'write'] },
    });
  });

  it('strips the identity headers after use', async () => {
    const res = await proxiedRequest(`${probe.url}/x`, alice, { ca: probe.ca, client: fp.client, headers: { 'X-Other': 'kept' } });
    const body = res.json();
    const names: string[] = body.headers.map(([n]: [string]) => n);
    expect(names.filter((n) => n.startsWith('x-remote-'))).toEqual([]);
    expect(Object.keys(body.headerObject).filter((n) => n.startsWith('x-remote-'))).toEqual([]);
    expect(names).toContain('x-other');
  });

  it('does not honour the headers without a client certificate', async () => {
    const res = await proxiedRequest(`${probe.url}/x`, alice, { ca: probe.ca });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('does not honour the headers with a certificate from another CA (same CN)', async () => {
    const other = await makeCA('front-proxy-ca');
    const forged = await issue(other, { cn: 'front-proxy-client' });
    const res = await proxiedRequest(`${probe.url}/x`, alice, { ca: probe.ca, client: forged });
    expect(res.status).toBe(401);
  });

  it('does not honour the headers from a CN outside --requestheader-allowed-names', async () => {
    const intruder = await issue(fp.ca, { cn: 'some-other-client' });
    const res = await proxiedRequest(`${probe.url}/x`, alice, { ca: probe.ca, client: intruder });
    expect(res.status).toBe(401);
  });

  it('does not honour the headers from a certificate without the clientAuth usage', async () => {
    const serverOnly = await issue(fp.ca, { cn: 'front-proxy-client', eku: 'server' });
    const res = await proxiedRequest(`${probe.url}/x`, alice, { ca: probe.ca, client: serverOnly });
    expect(res.status).toBe(401);
  });

  it('does not honour the headers from an expired certificate', async () => {
    const now = Date.now();
    const expired = await issue(fp.ca, { cn: 'front-proxy-client', notBefore: new Date(now - 7_200_000), notAfter: new Date(now - 3_600_000) });
    const res = await proxiedRequest(`${probe.url}/x`, alice, { ca: probe.ca, client: expired });
    expect(res.status).toBe(401);
  });

  it('accepts a chain through an intermediate CA the client presents', async () => {
    const intermediate = await makeCA('front-proxy-intermediate', fp.ca);
    const leaf = await issue(intermediate, { cn: 'front-proxy-client' });
    const res = await proxiedRequest(`${probe.url}/x`, { user: 'bob' }, { ca: probe.ca, client: leaf });
    expect(res.status).toBe(200);
    expect(res.json().user).toEqual({ username: 'bob', groups: ['system:authenticated'] });
  });

  it('a verified front proxy without a user header yields no identity from headers', async () => {
    const res = await send(`${probe.url}/x`, { ca: probe.ca, cert: fp.client.cert, key: fp.client.key, headers: { 'X-Remote-Group': 'g' } });
    expect(res.status).toBe(401);
  });
});

describe('request-header options', () => {
  const dir = new TempDir();
  let fp: FrontProxyPKI;
  beforeAll(async () => {
    fp = await makeFrontProxyPKI();
  });
  afterAll(() => dir.remove());

  it('an empty allowed-names list accepts any CN the request-header CA signed', async () => {
    const authn = await buildAuthenticator({
      config: configFrom({ 'requestheader-client-ca-file': dir.file('ca1.crt', fp.ca.cert) }).authentication,
    });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const anyCN = await issue(fp.ca, { cn: 'whatever-proxy' });
      const res = await proxiedRequest(`${probe.url}/x`, { user: 'carol' }, { ca: probe.ca, client: anyCN });
      expect(res.status).toBe(200);
      expect(res.json().user.username).toBe('carol');
    } finally {
      await probe.close();
      authn.close();
    }
  });

  it('reads configured header names and prefixes (case-insensitively) and ignores the defaults', async () => {
    const authn = await buildAuthenticator({
      config: configFrom({
        'requestheader-client-ca-file': dir.file('ca2.crt', fp.ca.cert),
        'requestheader-username-headers': ['X-Custom-User'],
        'requestheader-group-headers': ['X-Custom-Group'],
        'requestheader-extra-headers-prefix': ['X-Custom-Extra-'],
      }).authentication,
    });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      const res = await send(`${probe.url}/x`, {
        ca: probe.ca,
        cert: fp.client.cert,
        key: fp.client.key,
        headers: { 'x-custom-user': 'dave', 'X-CUSTOM-GROUP': ['g1', 'g2'], 'X-Custom-Extra-Foo%2Fbar': 'v', 'X-Remote-User': 'mallory' },
      });
      expect(res.json().user).toEqual({ username: 'dave', groups: ['g1', 'g2', 'system:authenticated'], extra: { 'foo/bar': ['v'] } });
      const res2 = await send(`${probe.url}/x`, { ca: probe.ca, cert: fp.client.cert, key: fp.client.key, headers: { 'X-Remote-User': 'mallory' } });
      expect(res2.status).toBe(401);
    } finally {
      await probe.close();
      authn.close();
    }
  });
});
