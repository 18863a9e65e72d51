// The auth flags as k8s.io/apiserver names and parses them (pkg/server/options/
// authentication.go, authorization.go, audit.go), through node:util parseArgs as the server's
// option parser will merge them.
import { parseArgs } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authFlags,
  authParseArgsOptions,
  completeAuthOptions,
  hasAuthenticationSource,
  normalizeAuthArgv,
  parseGoDuration,
} from '../../src/runtime/auth/options.js';
import { TempDir } from './helpers.js';

function parse(argv: string[], cwd?: string) {
  const { values } = parseArgs({ args: normalizeAuthArgv(argv), options: authParseArgsOptions, strict: true });
  return completeAuthOptions(values, { cwd });
}

describe('auth options', () => {
  const dir = new TempDir();
  const ca = dir.file('ca.crt', 'x');
  afterAll(() => dir.remove());

  it('defaults: secure by default, upstream TTLs and always-allow paths', () => {
    const r = parse([]);
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual({
      authentication: {
        clientCAFile: undefined,
        requestHeader: {
          clientCAFile: undefined,
          allowedNames: [],
          usernameHeaders: ['x-remote-user'],
          uidHeaders: [],
          groupHeaders: ['x-remote-group'],
          extraHeaderPrefixes: ['x-remote-extra-'],
        },
        kubeconfig: undefined,
        skipLookup: false,
        tokenWebhookCacheTtlMs: 10_000,
        tokenWebhookTimeoutMs: 10_000,
        tokenAuthFile: undefined,
        anonymous: false,
        trustLocalAdmin: false,
      },
      authorization: {
        mode: 'Webhook',
        kubeconfig: undefined,
        alwaysAllowPaths: ['/healthz', '/readyz', '/livez'],
        alwaysAllowGroups: ['system:masters'],
        authorizedTtlMs: 10_000,
        unauthorizedTtlMs: 10_000,
        timeoutMs: 10_000,
      },
      audit: { logPath: undefined, policyFile: undefined },
    });
    expect(hasAuthenticationSource(r.value!.authentication)).toBe(false);
  });

  it('lists are comma-separated and accumulate; `--x=` clears a default; booleans take =true/=false or stand bare', () => {
    const r = parse([
      `--requestheader-client-ca-file=${ca}`,
      '--requestheader-allowed-names=front-proxy-client,other',
      '--requestheader-allowed-names=third',
      '--authorization-always-allow-paths=',
      '--anonymous-auth=true',
      '--authentication-skip-lookup',
      '--authentication-token-webhook-cache-ttl=1m30s',
      '--authorization-webhook-cache-unauthorized-ttl=500ms',
    ]);
    expect(r.errors).toEqual([]);
    const v = r.value!;
    expect(v.authentication.requestHeader.allowedNames).toEqual(['front-proxy-client', 'other', 'third']);
    expect(v.authentication.requestHeader.clientCAFile).toBe(ca);
    expect(v.authorization.alwaysAllowPaths).toEqual([]);
    expect(v.authentication.anonymous).toBe(true);
    expect(v.authentication.skipLookup).toBe(true);
    expect(v.authentication.tokenWebhookCacheTtlMs).toBe(90_000);
    expect(v.authorization.unauthorizedTtlMs).toBe(500);
    expect(hasAuthenticationSource(v.authentication)).toBe(true);
  });

  it('relative paths resolve against cwd', () => {
    const r = parse(['--client-ca-file=ca.crt'], dir.path);
    expect(r.value?.authentication.clientCAFile).toBe(ca);
  });

  it('every problem at once, each naming its flag', () => {
    const r = parse([
      '--client-ca-file=/nonexistent/ca.crt',
      '--anonymous-auth=maybe',
      '--authentication-token-webhook-cache-ttl=10',
      '--authorization-mode=RBAC',
      '--authorization-always-allow-paths=/a*b',
      '--requestheader-username-headers= ',
    ]);
    expect(r.value).toBeUndefined();
    expect(r.errors).toEqual([
      '--client-ca-file /nonexistent/ca.crt: no such file or directory',
      '--requestheader-username-headers: values must not be whitespace only',
      'invalid value "10" for --authentication-token-webhook-cache-ttl: must be a duration such as 10s, 1m30s or 500ms',
      'invalid value "maybe" for --anonymous-auth: must be true or false',
      'invalid value "RBAC" for --authorization-mode: must be one of Webhook, AlwaysAllow, AlwaysDeny',
      '--authorization-always-allow-paths: only a trailing * is allowed in "/a*b"',
    ]);
  });

  it('AlwaysAllow is warned about; so are flags that cannot take effect', () => {
    const r = parse(['--authorization-mode=AlwaysAllow', '--requestheader-allowed-names=x']);
    expect(r.warnings.join('\n')).toMatch(/AlwaysAllow: EVERY authenticated request is allowed/);
    expect(r.warnings.join('\n')).toMatch(/--requestheader-allowed-names has no effect without --requestheader-client-ca-file/);
  });

  it('Go durations', () => {
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10s')).toBe(10_000);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('s')).toBeUndefined();
  });

  it('the flag table lists every flag the issue names', () => {
    const names = authFlags.map((f) => f.name);
    for (const n of [
      'client-ca-file',
      'requestheader-client-ca-file',
      'requestheader-allowed-names',
      'requestheader-username-headers',
      'requestheader-group-headers',
      'requestheader-extra-headers-prefix',
      'authentication-kubeconfig',
      'authentication-skip-lookup',
      'authentication-token-webhook-cache-ttl',
      'token-auth-file',
      'anonymous-auth',
      'authorization-kubeconfig',
      'authorization-mode',
      'authorization-always-allow-paths',
      'authorization-webhook-cache-authorized-ttl',
      'authorization-webhook-cache-unauthorized-ttl',
      'audit-log-path',
      'audit-policy-file',
    ]) {
      expect(names).toContain(n);
    }
  });
});
