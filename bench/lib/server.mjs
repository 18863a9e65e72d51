// Starts an aa-gen apiserver in this process, the way a generated project's main.ts does
// (parseOptions -> completeOptions -> createServer), on a free port with a temp data dir, and
// reads the admin client certificate that standalone mode writes into the data dir.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './common.mjs';

const runtimeEntry = join(repoRoot, 'dist/runtime/index.js');
const demoRegistry = join(repoRoot, 'examples/demo/dist/generated/registry.js');

export async function loadRuntime() {
  if (!existsSync(runtimeEntry)) throw new Error('dist/runtime is missing: run `npm run build` first');
  return import(pathToFileURL(runtimeEntry).href);
}

/**
 * The API group under test: the generated examples/demo group (compiled validation, defaulting,
 * conversions, strategies), so every request pays what a real project pays.
 */
export async function loadGroup() {
  if (!existsSync(demoRegistry)) {
    throw new Error('examples/demo is not built: run `npm run build && npx tsc -p examples/demo` first');
  }
  const { apiGroup } = await import(pathToFileURL(demoRegistry).href);
  return apiGroup;
}

/** The demo group's namespaced kind, as served at /apis/demo.example.com/v1. */
export const widgets = {
  group: 'demo.example.com',
  version: 'v1',
  plural: 'widgets',
  collectionPath: (ns) => `/apis/demo.example.com/v1/namespaces/${ns}/widgets`,
  /** A Widget of about 1.5 KiB once stored: spec with every kind of field, some labels. */
  object(name, ns = 'bench') {
    return {
      apiVersion: 'demo.example.com/v1',
      kind: 'Widget',
      metadata: {
        name,
        namespace: ns,
        labels: { app: 'bench', tier: 'backend', 'app.kubernetes.io/name': 'widget', 'app.kubernetes.io/part-of': 'aa-gen-bench' },
        annotations: { 'bench.example.com/description': 'a widget used by the aa-gen benchmarks, about one and a half KiB on the wire' },
      },
      spec: {
        size: 42,
        replicas: 3,
        color: 'green',
        port: 'http',
        labels: { a: 'one', b: 'two', c: 'three', d: 'four' },
        ports: [
          { name: 'http', port: 8080 },
          { name: 'https', port: 8443 },
          { name: 'metrics', port: 9090 },
          { name: 'grpc', port: 50051 },
        ],
        tags: ['alpha', 'beta', 'gamma', 'delta', 'epsilon'],
        note: 'The quick brown fox jumps over the lazy dog, twice over, to make the object a realistic size.',
        config: { retries: 5, timeoutSeconds: 30, features: { tracing: true, metrics: true }, owners: ['team-a', 'team-b'] },
        createdBy: 'bench@example.com',
      },
    };
  },
};

/**
 * Starts the server with `args` (flags as on the command line). Returns its URL, the CA to
 * trust and the admin identity, and `stop()` which closes it and removes its data dir.
 */
export async function startServer(args = []) {
  const runtime = await loadRuntime();
  const group = await loadGroup();
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-gen-bench-server-'));
  const parsed = runtime.parseOptions(['--secure-port=0', `--data-dir=${dataDir}`, ...args]);
  if (!parsed.value) throw new Error(`bad server flags: ${parsed.errors.join('; ')}`);
  const config = runtime.completeOptions(parsed.value, { shutdownDrainTimeoutMs: 2000 });
  const server = await runtime.createServer(group, config);
  const certDir = join(dataDir, 'certs');
  const read = (f) => readFileSync(join(certDir, f), 'utf8');
  return {
    server,
    url: server.url,
    port: server.port,
    dataDir,
    config,
    ca: read('ca.crt'),
    admin: { cert: read('admin.crt'), key: read('admin.key') },
    serving: { cert: read('apiserver.crt'), key: read('apiserver.key') },
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
