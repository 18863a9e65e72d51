// --tls-min-version and --tls-cipher-suites with Go's names, and Go's defaults
// (k8s.io/apiserver pkg/server/options/serving.go; k8s.io/component-base/cli/flag/
// ciphersuites_flag.go; crypto/tls cipher_suites.go defaults): real handshakes against a running
// server, each offering one version or one suite. The server's certificate is ECDSA, so the
// suites below are the ECDSA ones.
import { connect, type SecureVersion } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/runtime/server/options.js';
import { emptyGroup } from '../server/fixtures.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

interface Offer {
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  /** One OpenSSL suite name for TLS 1.2. */
  readonly cipher?: string;
}

/** The negotiated version and suite, or the handshake error code. */
function handshake(server: TestServer, o: Offer): Promise<{ ok: true; version: string; cipher: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const s = connect({
      port: server.server.port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: server.ca,
      minVersion: o.minVersion ?? 'TLSv1',
      maxVersion: o.maxVersion ?? 'TLSv1.3',
      // Clients below TLS 1.2 need OpenSSL's security level 0 on this side too.
      ...(o.cipher ? { ciphers: `${o.cipher}:@SECLEVEL=0` } : {}),
    });
    s.on('secureConnect', () => {
      resolve({ ok: true, version: s.getProtocol() ?? '', cipher: s.getCipher().name });
      s.end();
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }));
  });
}

const tls12 = (cipher: string): Offer => ({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipher });

describe('defaults: TLS 1.2 and up, Go\'s default TLS 1.2 suites', () => {
  it('refuses TLS 1.0 and 1.1, accepts TLS 1.2 and 1.3', async () => {
    t = await startTestServer(emptyGroup);
    expect((await handshake(t, { minVersion: 'TLSv1', maxVersion: 'TLSv1', cipher: 'ECDHE-ECDSA-AES128-SHA' })).ok).toBe(false);
    expect((await handshake(t, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', cipher: 'ECDHE-ECDSA-AES128-SHA' })).ok).toBe(false);
    expect(await handshake(t, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toMatchObject({ ok: true, version: 'TLSv1.2' });
    expect(await handshake(t, { minVersion: 'TLSv1.3' })).toMatchObject({ ok: true, version: 'TLSv1.3' });
  });

  it('offers the ECDHE AEAD and ECDHE CBC-SHA suites, not CBC-SHA256 (Go leaves those out unless named)', async () => {
    t = await startTestServer(emptyGroup);
    for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA']) {
      expect(await handshake(t, tls12(cipher)), cipher).toMatchObject({ ok: true, cipher });
    }
    for (const cipher of ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-CCM']) {
      expect((await handshake(t, tls12(cipher))).ok, cipher).toBe(false);
    }
  });
});

describe('--tls-min-version', () => {
  it('VersionTLS13 refuses TLS 1.2', async () => {
    t = await startTestServer(emptyGroup, { args: ['--tls-min-version=VersionTLS13'] });
    expect((await handshake(t, { maxVersion: 'TLSv1.2' })).ok).toBe(false);
    expect(await handshake(t, {})).toMatchObject({ ok: true, version: 'TLSv1.3' });
  });

  it('VersionTLS10 lets a TLS 1.0 client in, as Go would', async () => {
    t = await startTestServer(emptyGroup, { args: ['--tls-min-version=VersionTLS10'] });
    expect(await handshake(t, { minVersion: 'TLSv1', maxVersion: 'TLSv1', cipher: 'ECDHE-ECDSA-AES128-SHA' })).toMatchObject({ ok: true, version: 'TLSv1' });
  });

  it('an unknown version is a startup error naming the flag', () => {
    expect(parseOptions(['--tls-min-version=VersionTLS14']).errors).toEqual(['invalid value "VersionTLS14" for --tls-min-version: unknown tls version "VersionTLS14"']);
    expect(parseOptions(['--tls-min-version=TLSv1.2']).errors).toHaveLength(1);
  });
});

describe('--tls-cipher-suites', () => {
  it('only the named TLS 1.2 suites are offered; TLS 1.3 stays as Go has it (not configurable)', async () => {
    t = await startTestServer(emptyGroup, { args: ['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256'] });
    expect(await handshake(t, tls12('ECDHE-ECDSA-AES256-GCM-SHA384'))).toMatchObject({ ok: true });
    expect((await handshake(t, tls12('ECDHE-ECDSA-AES128-GCM-SHA256'))).ok).toBe(false);
    expect((await handshake(t, tls12('ECDHE-ECDSA-AES128-SHA'))).ok).toBe(false);
    expect(await handshake(t, { minVersion: 'TLSv1.3' })).toMatchObject({ ok: true, version: 'TLSv1.3' });
  });

  it('an insecure suite can be named, with upstream\'s warning, and is then offered', async () => {
    const r = parseOptions(['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256']);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toContain("Use of insecure cipher 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256' detected.");
    t = await startTestServer(emptyGroup, { args: ['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'] });
    expect(await handshake(t, tls12('ECDHE-ECDSA-AES128-SHA256'))).toMatchObject({ ok: true, cipher: 'ECDHE-ECDSA-AES128-SHA256' });
  });

  it('repeated flags add to the list, as pflag string slices do', () => {
    const r = parseOptions(['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA']);
    expect(r.value?.secureServing.tls.cipherSuites).toEqual(['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA']);
  });

  it('the legacy ChaCha20 names are accepted (component-base keeps them)', () => {
    expect(parseOptions(['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305']).errors).toEqual([]);
  });

  it('an unknown name is a startup error naming the flag, in upstream\'s words', () => {
    expect(parseOptions(['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,ECDHE-ECDSA-AES128-GCM-SHA256']).errors).toEqual([
      'invalid value "ECDHE-ECDSA-AES128-GCM-SHA256" for --tls-cipher-suites: Cipher suite ECDHE-ECDSA-AES128-GCM-SHA256 not supported or doesn\'t exist',
    ]);
  });
});
