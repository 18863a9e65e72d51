// Configuration from kube-system/extension-apiserver-authentication when only
// --authentication-kubeconfig is given (k8s.io/apiserver pkg/server/options/authentication.go;
// API-CONTRACT 8.5), kept fresh so CA rotation applies without a restart (the watch itself:
// configmap-watch.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthenticator, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI } from '../doubles/front-proxy.js';
import { send } from '../doubles/https.js';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { issue, makeCA, type TestCA } from '../doubles/pki.js';
import { configFrom, configMapData, eventually, memoryLog, sleep } from './helpers.js';
import { startProbeServer, type ProbeServer } from './probe-server.js';

describe('extension-apiserver-authentication configmap', () => {
  let kube: KubeApiserverDouble;
  let fp: FrontProxyPKI;
  let clientCA: TestCA;
  let authn: BuiltAuthenticator;
  let probe: ProbeServer;

  beforeAll(async () => {
    fp = await makeFrontProxyPKI();
    clientCA = await makeCA('cluster-client-ca');
    kube = await startKubeApiserverDouble({ configMap: configMapData(fp, clientCA) });
    authn = await buildAuthenticator({
      config: configFrom({ 'authentication-kubeconfig': kube.kubeconfigPath }).authentication,
      // Re-read often too, so the failing-server case below really re-reads.
      configMapResyncIntervalMs: 100,
      log: memoryLog(),
    });
    probe = await startProbeServer({ authenticator: authn });
  });
  afterAll(async () => {
    await probe.close();
    authn.close();
    await kube.close();
  });

  it('front-proxy settings and client CA come from the configmap alone', async () => {
    const proxied = await proxiedRequest(`${probe.url}/x`, { user: 'alice', groups: ['g'] }, { ca: probe.ca, client: fp.client });
    expect(proxied.json().user).toEqual({ username: 'alice', groups: ['g', 'system:authenticated'] });
    const dev = await issue(clientCA, { cn: 'development', o: ['system:masters'] });
    const direct = await send(`${probe.url}/x`, { ca: probe.ca, cert: dev.cert, key: dev.key });
    expect(direct.json().user).toEqual({ username: 'development', groups: ['system:masters', 'system:authenticated'] });
    // The allowed names from the configmap apply.
    const intruder = await issue(fp.ca, { cn: 'not-the-proxy' });
    expect((await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: intruder })).status).toBe(401);
  });

  it('CA rotation in the configmap applies without a restart', async () => {
    const fp2 = await makeFrontProxyPKI();
    const clientCA2 = await makeCA('cluster-client-ca-2');
    kube.setConfigMap(configMapData(fp2, clientCA2));
    const rotated = await eventually(async () => {
      const r = await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: fp2.client });
      return r.status === 200;
    });
    expect(rotated).toBe(true);
    expect((await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: fp.client })).status).toBe(401);
    const dev2 = await issue(clientCA2, { cn: 'dev2' });
    expect((await send(`${probe.url}/x`, { ca: probe.ca, cert: dev2.cert, key: dev2.key })).json().user.username).toBe('dev2');
  });

  it('a failed re-read keeps the last good configuration', async () => {
    const fp3 = await makeFrontProxyPKI();
    kube.setConfigMap(configMapData(fp3, clientCA));
    expect(await eventually(async () => (await proxiedRequest(`${probe.url}/x`, { user: 'a' }, { ca: probe.ca, client: fp3.client })).status === 200)).toBe(true);
    kube.setFailure(500);
    try {
      await sleep(300);
      expect((await proxiedRequest(`${probe.url}/x`, { user: 'a' }, { ca: probe.ca, client: fp3.client })).status).toBe(200);
    } finally {
      kube.setFailure(undefined);
    }
  });
});

describe('configmap lookup options', () => {
  it('--authentication-skip-lookup reads nothing (and so trusts no front proxy)', async () => {
    const fp = await makeFrontProxyPKI();
    const kube = await startKubeApiserverDouble({ configMap: configMapData(fp, await makeCA('c')) });
    const authn = await buildAuthenticator({
      config: configFrom({ 'authentication-kubeconfig': kube.kubeconfigPath, 'authentication-skip-lookup': 'true' }).authentication,
    });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      expect((await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: fp.client })).status).toBe(401);
      expect(kube.configMapReads()).toBe(0);
    } finally {
      await probe.close();
      authn.close();
      await kube.close();
    }
  });

  it('a forbidden lookup fails startup with the RoleBinding that fixes it', async () => {
    const kube = await startKubeApiserverDouble({ configMap: {} });
    kube.setFailure(403);
    try {
      await expect(
        buildAuthenticator({ config: configFrom({ 'authentication-kubeconfig': kube.kubeconfigPath }).authentication }),
      ).rejects.toThrow(/extension-apiserver-authentication-reader/);
    } finally {
      await kube.close();
    }
  });

  it('a missing configmap means no front proxy and no client CA, not an error', async () => {
    const kube = await startKubeApiserverDouble();
    const fp = await makeFrontProxyPKI();
    const authn = await buildAuthenticator({ config: configFrom({ 'authentication-kubeconfig': kube.kubeconfigPath }).authentication });
    const probe = await startProbeServer({ authenticator: authn });
    try {
      expect((await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: fp.client })).status).toBe(401);
      expect(kube.configMapReads()).toBe(1);
    } finally {
      await probe.close();
      authn.close();
      await kube.close();
    }
  });
});
