// Flags as k8s.io/apiserver names them (pkg/server/options/serving.go, etcd.go), parsed into
// {value, errors}; bad flags exit 2 with a one-line error and no stack trace.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { completeOptions, parseOptions, usage } from '../../src/runtime/server/options.js';
import { runMain } from '../../src/runtime/server/main.js';
import { emptyGroup } from './fixtures.js';

describe('parseOptions', () => {
  it('applies defaults with no flags', () => {
    const r = parseOptions([]);
    expect(r.errors).toEqual([]);
    const c = completeOptions(r.value!, { cwd: '/srv' });
    expect(c.secureServing.port).toBe(8443);
    expect(c.secureServing.bindAddress).toBe('127.0.0.1');
    expect(c.dataDir).toBe('/srv/.data');
    expect(c.secureServing.certDir).toBe('/srv/.data/certs');
    expect(c.storage).toEqual({ backend: 'sqlite', etcdServers: [], etcdPrefix: '/registry' });
    expect(c.maxRequestBodyBytes).toBe(3 * 1024 * 1024);
  });

  const good: Array<[string, string[], (c: ReturnType<typeof completeOptions>) => void]> = [
    ['port 0 in = form', ['--secure-port=0'], (c) => expect(c.secureServing.port).toBe(0)],
    ['port as separate arg', ['--secure-port', '9443'], (c) => expect(c.secureServing.port).toBe(9443)],
    ['bind address', ['--bind-address=0.0.0.0'], (c) => expect(c.secureServing.bindAddress).toBe('0.0.0.0')],
    ['etcd servers imply etcd3', ['--etcd-servers=http://a:2379,http://b:2379'], (c) => {
      expect(c.storage.backend).toBe('etcd3');
      expect(c.storage.etcdServers).toEqual(['http://a:2379', 'http://b:2379']);
    }],
    ['memory backend', ['--storage-backend=memory'], (c) => expect(c.storage.backend).toBe('memory')],
    ['etcd prefix', ['--etcd-prefix=/custom/'], (c) => expect(c.storage.etcdPrefix).toBe('/custom')],
    ['etcd TLS files (kube-apiserver\'s names), relative to cwd', ['--etcd-servers=https://e:2379', '--etcd-cafile=ca.crt', '--etcd-certfile=c.crt', '--etcd-keyfile=c.key'], (c) =>
      expect(c.storage.etcdTls).toEqual({ caFile: '/w/ca.crt', certFile: '/w/c.crt', keyFile: '/w/c.key' })],
    ['cert dir and data dir relative to cwd', ['--data-dir=d', '--cert-dir=c'], (c) => {
      expect(c.dataDir).toBe(resolve('/w', 'd'));
      expect(c.secureServing.certDir).toBe(resolve('/w', 'c'));
    }],
    ['tls files', ['--tls-cert-file=a.crt', '--tls-private-key-file=a.key'], (c) => {
      expect(c.secureServing.tlsCertFile).toBe('/w/a.crt');
      expect(c.secureServing.tlsPrivateKeyFile).toBe('/w/a.key');
    }],
    ['a specific bind address becomes a serving SAN', ['--bind-address=10.1.2.3'], (c) =>
      expect(c.secureServing.extraServingNames).toContain('10.1.2.3')],
    ['last repeated flag wins', ['--secure-port=1', '--secure-port=2'], (c) => expect(c.secureServing.port).toBe(2)],
  ];
  it.each(good)('%s', (_name, argv, check) => {
    const r = parseOptions(argv);
    expect(r.errors).toEqual([]);
    check(completeOptions(r.value!, { cwd: '/w' }));
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['unknown flag', ['--nope=1'], /unknown flag: --nope/],
    ['port not a number', ['--secure-port=abc'], /invalid value "abc" for --secure-port/],
    ['port too large', ['--secure-port=70000'], /--secure-port/],
    ['bind address not an IP', ['--bind-address=localhost'], /--bind-address: must be an IP address/],
    ['unknown backend', ['--storage-backend=mysql'], /must be one of sqlite, etcd3, memory/],
    ['etcd3 without servers', ['--storage-backend=etcd3'], /needs --etcd-servers/],
    ['servers with another backend', ['--storage-backend=sqlite', '--etcd-servers=http://a:2379'], /cannot be used with --storage-backend=sqlite/],
    ['bad etcd URL', ['--etcd-servers=a:b:c'], /--etcd-servers: must be an http/],
    ['cert without key', ['--tls-cert-file=a.crt'], /must be given together/],
    ['etcd cert without key', ['--etcd-servers=https://e:2379', '--etcd-certfile=c.crt'], /--etcd-certfile and --etcd-keyfile must be given together/],
    ['etcd TLS files without etcd', ['--etcd-cafile=ca.crt'], /need --etcd-servers/],
    ['missing value', ['--secure-port'], /--secure-port/],
    ['positional', ['serve'], /unexpected argument "serve"/],
  ];
  it.each(bad)('rejects %s', (_name, argv, message) => {
    const r = parseOptions(argv);
    expect(r.value).toBeUndefined();
    expect(r.errors.join('\n')).toMatch(message);
    for (const e of r.errors) expect(e).not.toMatch(/\n\s+at /); // no stack traces
  });

  it('warns that etcd TLS files do nothing when every etcd URL is http://', () => {
    const r = parseOptions(['--etcd-servers=http://e:2379', '--etcd-cafile=ca.crt']);
    expect(r.errors).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/--etcd-cafile.*no effect: every --etcd-servers URL is http:\/\//);
  });

  it('reports every problem at once', () => {
    expect(parseOptions(['--secure-port=x', '--bind-address=y']).errors).toHaveLength(2);
  });

  it('documents every flag in --help', () => {
    const text = usage();
    for (const f of ['secure-port', 'bind-address', 'data-dir', 'storage-backend', 'etcd-servers', 'etcd-prefix', 'tls-cert-file', 'tls-private-key-file', 'cert-dir', 'help']) {
      expect(text).toContain(`--${f}`);
    }
  });
});

describe('runMain with bad flags', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('prints a one-line error and sets exit code 2', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runMain(emptyGroup, ['--secure-port=nope'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(process.exitCode).toBe(2);
    expect(err[0]).toBe('error: invalid value "nope" for --secure-port: must be an integer between 0 and 65535');
    expect(out).toEqual([]);
  });

  it('prints usage for --help and exits 0', async () => {
    const out: string[] = [];
    await runMain(emptyGroup, ['--help'], { out: (l) => out.push(l), err: () => {} });
    expect(process.exitCode ?? 0).toBe(0);
    expect(out.join('\n')).toContain('--secure-port');
  });
});
