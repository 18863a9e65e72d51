// The extension-apiserver-authentication configmap is kept fresh by a watch, as upstream's
// filtered informer does (k8s.io/apiserver pkg/authentication/request/headerrequest/
// requestheader_controller.go, pkg/server/dynamiccertificates/configmap_cafile_content.go):
// list, watch from the list's resourceVersion, re-list when the watch ends or fails. Every
// periodic re-read here is set an hour away, so whatever changes within seconds came by watch.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthenticator, type BuiltAuthenticator } from '../../src/runtime/auth/authn/index.js';
import {
  type AuthenticationConfigMapSource,
  type ConfigMapSourceOptions,
  watchAuthenticationConfigMap,
} from '../../src/runtime/auth/authn/configmap.js';
import { kubeClientFromFile } from '../../src/runtime/auth/kube-client.js';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI } from '../doubles/front-proxy.js';
import { send } from '../doubles/https.js';
import { startKubeApiserverDouble, type KubeApiserverDouble } from '../doubles/kube-apiserver.js';
import { issue, makeCA, type TestCA } from '../doubles/pki.js';
import { configFrom, configMapData, eventually, memoryLog, sleep } from './helpers.js';
import { startProbeServer, type ProbeServer } from './probe-server.js';

const hour = 3_600_000;

describe('configmap changes arrive by watch (requestheader_controller.go informer)', () => {
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
      configMapResyncIntervalMs: hour,
      configMapPollIntervalMs: hour,
      log: memoryLog(),
    });
    probe = await startProbeServer({ authenticator: authn });
  });
  afterAll(async () => {
    await probe.close();
    authn.close();
    await kube.close();
  });

  it('a CA rotation applies within 2 s with no re-read at all', async () => {
    expect(await eventually(() => kube.openConfigMapWatches() === 1)).toBe(true);
    const reads = kube.configMapReads();
    const fp2 = await makeFrontProxyPKI();
    const clientCA2 = await makeCA('cluster-client-ca-2');
    const changed = Date.now();
    kube.setConfigMap(configMapData(fp2, clientCA2));
    const rotated = await eventually(async () => (await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: fp2.client })).status === 200);
    expect(rotated).toBe(true);
    expect(Date.now() - changed).toBeLessThan(2000);
    expect((await proxiedRequest(`${probe.url}/x`, { user: 'alice' }, { ca: probe.ca, client: fp.client })).status).toBe(401);
    const dev2 = await issue(clientCA2, { cn: 'dev2' });
    expect((await send(`${probe.url}/x`, { ca: probe.ca, cert: dev2.cert, key: dev2.key })).json().user.username).toBe('dev2');
    expect(kube.configMapReads()).toBe(reads);
  });
});

describe('the configmap watch', () => {
  let kube: KubeApiserverDouble;
  let fp: FrontProxyPKI;
  let clientCA: TestCA;
  let source: AuthenticationConfigMapSource | undefined;
  const errors: Error[] = [];

  beforeAll(async () => {
    fp = await makeFrontProxyPKI();
    clientCA = await makeCA('cluster-client-ca');
  });
  afterEach(async () => {
    source?.close();
    source = undefined;
    errors.length = 0;
    await kube?.close();
  });

  async function start(opts: ConfigMapSourceOptions = {}, initial: Record<string, string> | null = configMapData(fp, clientCA)) {
    kube = await startKubeApiserverDouble(initial ? { configMap: initial } : {});
    source = await watchAuthenticationConfigMap(kubeClientFromFile(kube.kubeconfigPath, '--authentication-kubeconfig'), {
      resyncIntervalMs: hour,
      pollIntervalMs: hour,
      onError: (e) => errors.push(e),
      ...opts,
    });
    expect(await eventually(() => kube.openConfigMapWatches() === 1)).toBe(true);
    return source;
  }

  it('is re-established after the server ends it, and later changes still apply', async () => {
    const s = await start();
    const reads = kube.configMapReads();
    kube.endConfigMapWatches();
    // A change while no watch is open comes with the re-list.
    kube.setConfigMap(configMapData(fp, clientCA, 'proxy-b'));
    expect(await eventually(() => s.current().requestHeaderAllowedNames[0] === 'proxy-b')).toBe(true);
    expect(kube.configMapReads()).toBe(reads + 1);
    expect(await eventually(() => kube.openConfigMapWatches() === 1)).toBe(true);
    kube.setConfigMap(configMapData(fp, clientCA, 'proxy-c'));
    expect(await eventually(() => s.current().requestHeaderAllowedNames[0] === 'proxy-c', 1000)).toBe(true);
    expect(kube.configMapReads()).toBe(reads + 1);
  });

  it('a 410 Expired ERROR event re-lists at once', async () => {
    const s = await start({ retryDelayMs: 5000 });
    const reads = kube.configMapReads();
    kube.endConfigMapWatches({ expired: true });
    kube.setConfigMap(configMapData(fp, clientCA, 'after-expiry'));
    // Well under the 5 s retry delay: an expired watch is not a failure to back off from.
    expect(await eventually(() => s.current().requestHeaderAllowedNames[0] === 'after-expiry', 1500)).toBe(true);
    expect(kube.configMapReads()).toBe(reads + 1);
    expect(await eventually(() => kube.openConfigMapWatches() === 1)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('DELETED falls back to the empty configuration, and ADDED brings it back', async () => {
    const s = await start();
    expect(s.current().clientCA).toBeDefined();
    kube.setConfigMap(undefined);
    expect(await eventually(() => s.current().clientCA === undefined)).toBe(true);
    expect(s.current()).toEqual({
      clientCA: undefined,
      requestHeaderCA: undefined,
      requestHeaderAllowedNames: [],
      requestHeaderUsernameHeaders: [],
      requestHeaderUIDHeaders: [],
      requestHeaderGroupHeaders: [],
      requestHeaderExtraHeadersPrefix: [],
    });
    kube.setConfigMap(configMapData(fp, clientCA, 'back'));
    expect(await eventually(() => s.current().requestHeaderAllowedNames[0] === 'back')).toBe(true);
  });

  it('starts from a missing configmap and picks it up when it is created', async () => {
    const s = await start({}, null);
    expect(s.current().clientCA).toBeUndefined();
    kube.setConfigMap(configMapData(fp, clientCA));
    expect(await eventually(() => s.current().clientCA !== undefined)).toBe(true);
  });

  it('unchanged contents keep the same object; a malformed value keeps the last good one and is reported', async () => {
    const s = await start();
    const before = s.current();
    kube.setConfigMap(configMapData(fp, clientCA));
    kube.setConfigMap({ ...configMapData(fp, clientCA), 'requestheader-allowed-names': 'not json' });
    expect(await eventually(() => errors.length > 0)).toBe(true);
    expect(errors[0].message).toMatch(/requestheader-allowed-names/);
    expect(s.current()).toBe(before);
    kube.setConfigMap(configMapData(fp, clientCA, 'fixed'));
    expect(await eventually(() => s.current().requestHeaderAllowedNames[0] === 'fixed')).toBe(true);
  });

  it('a refused watch (403) falls back to polling and is reported once', async () => {
    kube = await startKubeApiserverDouble({ configMap: configMapData(fp, clientCA) });
    kube.setWatchFailure(403);
    source = await watchAuthenticationConfigMap(kubeClientFromFile(kube.kubeconfigPath, '--authentication-kubeconfig'), {
      resyncIntervalMs: hour,
      pollIntervalMs: 100,
      onError: (e) => errors.push(e),
    });
    const s = source;
    kube.setConfigMap(configMapData(fp, clientCA, 'polled'));
    expect(await eventually(() => s.current().requestHeaderAllowedNames[0] === 'polled')).toBe(true);
    await sleep(300);
    expect(kube.configMapReads()).toBeGreaterThan(3);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/403.*re-reading the configmap every 0.1s/);
  });

  it('close() stops the watch and leaves no timers or sockets behind', async () => {
    // Settle the double's own handles first, so only what the source opens is counted.
    kube = await startKubeApiserverDouble({ configMap: configMapData(fp, clientCA) });
    await sleep(50);
    const baseline = activeHandles();
    const open = () =>
      watchAuthenticationConfigMap(kubeClientFromFile(kube.kubeconfigPath, '--authentication-kubeconfig'), {
        resyncIntervalMs: 50,
        onError: (e) => errors.push(e),
      });
    // The watch's connection closes.
    source = await open();
    expect(await eventually(() => kube.openConfigMapWatches() === 1)).toBe(true);
    source.close();
    expect(await eventually(() => kube.openConfigMapWatches() === 0, 500)).toBe(true);
    // A dropped watch arms the re-list timer; close() cancels it along with the resync.
    source = await open();
    expect(await eventually(() => kube.openConfigMapWatches() === 1)).toBe(true);
    kube.endConfigMapWatches();
    await sleep(20);
    source.close();
    const reads = kube.configMapReads();
    await sleep(1500);
    expect(kube.configMapReads()).toBe(reads);
    expect(kube.openConfigMapWatches()).toBe(0);
    // The list request's keep-alive connection is closed by the double after its idle timeout.
    const noMoreThan = (now: Record<string, number>) => Object.entries(now).every(([t, n]) => n <= (baseline[t] ?? 0));
    const settled = await eventually(() => noMoreThan(activeHandles()), 8000);
    expect({ settled, now: activeHandles(), baseline }).toMatchObject({ settled: true });
    expect(errors).toEqual([]);
  }, 15_000);
});

/** Event-loop handles of this process (refed ones only: what would keep it from exiting), by type. */
function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of process.getActiveResourcesInfo()) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}
