// How the mode is chosen (src/runtime/server/options.ts): no authentication source means
// standalone, exactly as before delegation existed (our CA's certificates only, 127.0.0.1,
// admin.kubeconfig); any source means delegated. Auth flags share the one parser: a bad value
// exits 2 and --help lists them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeOptions, parseOptions } from '../../src/runtime/server/options.js';
import { buildExample, startExample, type RunningServer } from '../support/example-server.js';
import { makeFrontProxyPKI } from '../doubles/front-proxy.js';
import { TempDir } from '../auth/helpers.js';
import { clientFor, flunders, outputMatching, unauthorizedStatus } from './lab.js';

describe('standalone mode (no authentication source)', () => {
  let server: RunningServer;
  let c: ReturnType<typeof clientFor>;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startExample('wardle', { args: ['--storage-backend=memory'] });
    const certs = join(server.dataDir, 'certs');
    c = clientFor(server.url, readFileSync(join(certs, 'ca.crt'), 'utf8'));
    admin = { cert: readFileSync(join(certs, 'admin.crt'), 'utf8'), key: readFileSync(join(certs, 'admin.key'), 'utf8') };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('binds 127.0.0.1, prints the kubectl hint, and lets only our CA\'s certificates in', async () => {
    expect(await outputMatching(server, /Try:/)).toMatch(/Serving wardle\.example\.com on https:\/\/127\.0\.0\.1:\d+\nTry: kubectl --kubeconfig /);
    expect(server.output()).not.toMatch(/WARNING|delegated/);
    expect((await c.get(flunders, admin)).status).toBe(200);
    const fp = await makeFrontProxyPKI();
    const refused = [
      await c.get(flunders, { headers: { Authorization: 'Bearer anything' } }),
      await c.as({ user: 'alice', groups: ['system:masters'] }, flunders, { client: fp.client }),
      await c.get(flunders),
    ];
    for (const r of refused) expect([r.status, r.json()]).toEqual([401, unauthorizedStatus]);
    expect((await c.get('/readyz')).status).toBe(200);
  });
});

describe('delegated mode from --token-auth-file, with --authorization-mode=AlwaysAllow', () => {
  const dir = new TempDir();
  let server: RunningServer;
  let c: ReturnType<typeof clientFor>;
  beforeAll(async () => {
    const tokens = dir.file('tokens.csv', 'secret-token,jane,u-1,"dev,ops"\n');
    server = await startExample('wardle', { args: ['--storage-backend=memory', `--token-auth-file=${tokens}`, '--authorization-mode=AlwaysAllow'] });
    c = clientFor(server.url, readFileSync(join(server.dataDir, 'certs', 'ca.crt'), 'utf8'));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('warns loudly at startup, allows token users without review, and refuses everyone else', async () => {
    expect(server.output()).toMatch(/WARNING: --authorization-mode=AlwaysAllow: EVERY authenticated request is allowed/);
    expect(await outputMatching(server, /delegated to kube-apiserver/)).toMatch(/delegated to kube-apiserver/);
    expect(server.output()).not.toMatch(/Try: kubectl/);
    expect((await c.get(flunders, { headers: { Authorization: 'Bearer secret-token' } })).status).toBe(200);
    const bad = await c.get(flunders, { headers: { Authorization: 'Bearer wrong' } });
    expect([bad.status, bad.json()]).toEqual([401, unauthorizedStatus]);
    expect((await c.get(flunders)).status).toBe(401); // anonymous is off by default
    expect((await c.get('/livez')).body).toBe('ok');
  });
});

describe('flags', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(buildExample('wardle'), 'dist/main.js'), ...args], { encoding: 'utf8', timeout: 30_000 });

  it('exits 2 with one line per bad auth flag value', () => {
    const r = run('--anonymous-auth=maybe', '--authorization-mode=RBAC', '--serving-cert-secret=nope', '--client-ca-file=/nonexistent/ca.crt');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: invalid value "nope" for --serving-cert-secret: must be <namespace>/<name>, e.g. wardle/wardle-apiserver-serving-cert',
      'error: --client-ca-file /nonexistent/ca.crt: no such file or directory',
      'error: invalid value "maybe" for --anonymous-auth: must be true or false',
      'error: invalid value "RBAC" for --authorization-mode: must be one of Webhook, AlwaysAllow, AlwaysDeny',
      'Run with --help for usage.',
    ]);
  });

  it('lists every flag in one usage text', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const f of ['secure-port', 'serving-cert-secret', 'serving-cert-hosts', 'client-ca-file', 'requestheader-allowed-names', 'authentication-kubeconfig', 'anonymous-auth', 'authorization-kubeconfig', 'authorization-always-allow-paths', 'audit-log-path', 'audit-policy-file']) {
      expect(r.stdout).toContain(`--${f}`);
    }
    expect(r.stdout).toMatch(/Authentication flags \(any source given selects delegated mode; none: standalone\):/);
  });
});

describe('mode selection (completeOptions)', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());
  const pem = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
  const cases: Array<[string, string[], boolean | undefined, string, string]> = [
    ['no source', [], false, 'standalone', '127.0.0.1'],
    ['--client-ca-file', [`--client-ca-file=${dir.file('a.crt', pem)}`], false, 'delegated', '0.0.0.0'],
    ['--requestheader-client-ca-file', [`--requestheader-client-ca-file=${dir.file('b.crt', pem)}`], false, 'delegated', '0.0.0.0'],
    ['--authentication-kubeconfig', [`--authentication-kubeconfig=${dir.file('kc', '{}')}`], false, 'delegated', '0.0.0.0'],
    ['--token-auth-file', [`--token-auth-file=${dir.file('t.csv', 't,u,1\n')}`], false, 'delegated', '0.0.0.0'],
    ['--anonymous-auth=true', ['--anonymous-auth=true'], false, 'delegated', '0.0.0.0'],
    ['bare --anonymous-auth', ['--anonymous-auth'], false, 'delegated', '0.0.0.0'],
    ['--anonymous-auth=false', ['--anonymous-auth=false'], false, 'standalone', '127.0.0.1'],
    ['in a pod with --serving-cert-secret (the generated Deployment)', ['--serving-cert-secret=ns/s'], true, 'delegated', '0.0.0.0'],
    ['in a pod with no flags (a dev container)', [], true, 'standalone', '127.0.0.1'],
    ['delegated with an explicit bind address', ['--anonymous-auth=true', '--bind-address=10.0.0.1'], false, 'delegated', '10.0.0.1'],
  ];
  it.each(cases)('%s', (_name, argv, inCluster, mode, bind) => {
    const parsed = parseOptions(argv);
    expect(parsed.errors).toEqual([]);
    const c = completeOptions(parsed.value!, { inCluster });
    expect([c.standalone ? 'standalone' : 'delegated', c.secureServing.bindAddress]).toEqual([mode, bind]);
    if (inCluster && mode === 'delegated') expect(c.kube).toEqual({ authentication: { kind: 'in-cluster' }, authorization: { kind: 'in-cluster' }, core: { kind: 'in-cluster' } });
  });
});
