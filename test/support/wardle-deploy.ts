// examples/wardle's generated deploy/ manifests as a control plane without a kubelet takes them
// (test/support/control-plane.ts), and a bounded poll for the tests that wait on the cluster.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './example-server.js';

type Obj = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

/**
 * deploy/ without what needs a kubelet (the PersistentVolumeClaim and the Deployment), the Service
 * an ExternalName to `localhost`, and the APIServices on `port`: kube-aggregator dials
 * `<externalName>:<APIService port>` (apiserver/pkg/util/proxy/proxy.go ResolveCluster).
 * `caBundle` sets spec.caBundle, for a server that does not inject it itself. One JSON v1 List.
 */
export function wardleDeployManifests(port: number, opts: { caBundle?: string } = {}): string {
  const dir = join(repoRoot, 'examples/wardle/deploy');
  const objs: Obj[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const o = doc.toJS() as Obj | null;
      if (!o || o.kind === 'Deployment' || o.kind === 'PersistentVolumeClaim') continue;
      if (o.kind === 'Service') o.spec = { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] };
      if (o.kind === 'APIService') {
        (o.spec!.service as { port: number }).port = port;
        if (opts.caBundle) o.spec!.caBundle = Buffer.from(opts.caBundle).toString('base64');
      }
      objs.push(o);
    }
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs });
}

/** Polls `probe` every second until it returns a value; throws after `timeoutMs` with `detail()`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
