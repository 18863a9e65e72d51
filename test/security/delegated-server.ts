// A delegated server in this process behind the doubles of a cluster: front-proxy identities
// from the request-header CA (kube-aggregator's), SubjectAccessReview to the kube-apiserver
// double, an audit log. Requests go out as kube-aggregator sends them (test/doubles/front-proxy.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFrontProxyPKI, proxiedRequest, type FrontProxyPKI, type ProxiedIdentity } from '../doubles/front-proxy.js';
import type { SendOptions, SentResponse } from '../doubles/https.js';
import { startKubeApiserverDouble, type KubeApiserverDouble, type KubeApiserverDoubleOptions } from '../doubles/kube-apiserver.js';
import { TempDir } from '../auth/helpers.js';
import { wardleGroup } from '../server/fixtures.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

export interface DelegatedServer {
  readonly t: TestServer;
  readonly kube: KubeApiserverDouble;
  readonly fp: FrontProxyPKI;
  /** A request through the front proxy as `id`. */
  as(id: ProxiedIdentity, path: string, o?: SendOptions): Promise<SentResponse>;
  /** Every audit event written so far. */
  auditEvents(): any[];
  close(): Promise<void>;
}

export async function startDelegatedServer(kubeOpts: KubeApiserverDoubleOptions): Promise<DelegatedServer> {
  const dir = new TempDir();
  const fp = await makeFrontProxyPKI();
  const kube = await startKubeApiserverDouble(kubeOpts);
  const auditLog = join(dir.path, 'audit.log');
  const t = await startTestServer(wardleGroup, {
    args: [
      `--requestheader-client-ca-file=${dir.file('front-proxy-ca.crt', fp.ca.cert)}`,
      '--requestheader-allowed-names=front-proxy-client',
      `--authentication-kubeconfig=${kube.kubeconfigPath}`,
      `--authorization-kubeconfig=${kube.kubeconfigPath}`,
      '--authentication-skip-lookup',
      `--audit-log-path=${auditLog}`,
    ],
  });
  return {
    t,
    kube,
    fp,
    as: (id, path, o = {}) => proxiedRequest(t.server.url + path, id, { ca: t.ca, client: fp.client, ...o }),
    auditEvents() {
      const text = readFileSync(auditLog, 'utf8');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    async close() {
      await t.stop();
      await kube.close();
      dir.remove();
    },
  };
}
