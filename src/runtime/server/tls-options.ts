// --tls-min-version and --tls-cipher-suites with Go's names (k8s.io/component-base/cli/flag/
// ciphersuites_flag.go over crypto/tls CipherSuites() and InsecureCipherSuites(); applied by
// k8s.io/apiserver pkg/server/options/serving.go), turned into Node's `minVersion` and
// OpenSSL's `ciphers`.
// - Default minimum: TLS 1.2 (component-base DefaultTLSVersion). Default TLS 1.2 suites: Go's
//   default list (crypto/tls cipher_suites.go: the ECDHE AEAD and ECDHE CBC-SHA suites; no RSA
//   key exchange, 3DES, RC4 or CBC-SHA256 unless named), in Go's preference order, which the
//   server applies (Go's server picks by its own order too).
// - TLS 1.3 suites are not configurable in Go: their names are accepted and change nothing;
//   TLS 1.3 always offers AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, as Go does.
// - Insecure names are accepted with the warning upstream logs ("Use of insecure cipher ...
//   detected."). The RC4 and 3DES suites do not exist in this OpenSSL: naming them is accepted
//   and warned about, and they are not offered.
// - VersionTLS10/VersionTLS11 need OpenSSL security level 0 (TLS < 1.2 signs with SHA-1), which
//   is then set, so such clients can connect as they could to Go.
// Unknown names are errors naming the flag, with upstream's words.
import type { SecureVersion } from 'node:tls';

export interface TlsProtocolOptions {
  readonly minVersion: SecureVersion;
  /** OpenSSL cipher list for TLS 1.2 and below. */
  readonly ciphers: string;
  readonly honorCipherOrder: true;
}

interface Suite {
  readonly go: string;
  /** OpenSSL's name; undefined: this OpenSSL has no such suite (RC4, 3DES) or TLS 1.3 (fixed). */
  readonly openssl?: string;
  readonly insecure?: true;
  /** In Go's default TLS 1.2 list. */
  readonly byDefault?: true;
  readonly tls13?: true;
}

// Go's preference order (crypto/tls cipherSuitesPreferenceOrder), then the TLS 1.3 suites.
const suites: readonly Suite[] = [
  { go: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', byDefault: true },
  { go: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256', byDefault: true },
  { go: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', byDefault: true },
  { go: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-RSA-AES256-GCM-SHA384', byDefault: true },
  { go: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', byDefault: true },
  { go: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-RSA-CHACHA20-POLY1305', byDefault: true },
  { go: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', openssl: 'ECDHE-ECDSA-AES128-SHA', byDefault: true },
  { go: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', openssl: 'ECDHE-RSA-AES128-SHA', byDefault: true },
  { go: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', openssl: 'ECDHE-ECDSA-AES256-SHA', byDefault: true },
  { go: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', openssl: 'ECDHE-RSA-AES256-SHA', byDefault: true },
  { go: 'TLS_RSA_WITH_AES_128_GCM_SHA256', openssl: 'AES128-GCM-SHA256', insecure: true },
  { go: 'TLS_RSA_WITH_AES_256_GCM_SHA384', openssl: 'AES256-GCM-SHA384', insecure: true },
  { go: 'TLS_RSA_WITH_AES_128_CBC_SHA', openssl: 'AES128-SHA', insecure: true },
  { go: 'TLS_RSA_WITH_AES_256_CBC_SHA', openssl: 'AES256-SHA', insecure: true },
  { go: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', insecure: true },
  { go: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', insecure: true },
  { go: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', openssl: 'ECDHE-ECDSA-AES128-SHA256', insecure: true },
  { go: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', openssl: 'ECDHE-RSA-AES128-SHA256', insecure: true },
  { go: 'TLS_RSA_WITH_AES_128_CBC_SHA256', openssl: 'AES128-SHA256', insecure: true },
  { go: 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', insecure: true },
  { go: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', insecure: true },
  { go: 'TLS_RSA_WITH_RC4_128_SHA', insecure: true },
  { go: 'TLS_AES_128_GCM_SHA256', tls13: true },
  { go: 'TLS_AES_256_GCM_SHA384', tls13: true },
  { go: 'TLS_CHACHA20_POLY1305_SHA256', tls13: true },
];

// component-base keeps these older names of the ChaCha20 suites.
const legacyNames: Readonly<Record<string, string>> = {
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
};

const byName = new Map(suites.map((s) => [s.go, s]));

const versions: Readonly<Record<string, SecureVersion>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

/** The names `--help` lists, as upstream's flag help does. */
export const tlsFlagHelp = {
  minVersion: `Minimum TLS version supported. Possible values: ${Object.keys(versions).join(', ')}. (default VersionTLS12)`,
  cipherSuites:
    'Comma-separated list of cipher suites for the server. If omitted, the default Go cipher suites will be used. ' +
    `Preferred values: ${[...suites.filter((s) => !s.insecure).map((s) => s.go), ...Object.keys(legacyNames)].sort().join(', ')}. ` +
    `Insecure values: ${suites.filter((s) => s.insecure).map((s) => s.go).sort().join(', ')}.`,
};

export interface TlsFlags {
  /** `--tls-min-version`, Go's name. */
  readonly minVersion?: string;
  /** `--tls-cipher-suites`, Go's names. */
  readonly cipherSuites?: readonly string[];
}

export interface TlsOptionsResult {
  readonly value?: TlsProtocolOptions;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** The protocol options the flags ask for; every problem is reported, none thrown. */
export function tlsProtocolOptions(flags: TlsFlags): TlsOptionsResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  let minVersion: SecureVersion = 'TLSv1.2';
  if (flags.minVersion !== undefined && flags.minVersion !== '') {
    const v = versions[flags.minVersion];
    if (v) minVersion = v;
    else errors.push(`invalid value "${flags.minVersion}" for --tls-min-version: unknown tls version "${flags.minVersion}"`);
  }

  let chosen = suites.filter((s) => s.byDefault);
  if (flags.cipherSuites && flags.cipherSuites.length > 0) {
    chosen = [];
    for (const raw of flags.cipherSuites) {
      const suite = byName.get(legacyNames[raw] ?? raw);
      if (!suite) {
        errors.push(`invalid value "${raw}" for --tls-cipher-suites: Cipher suite ${raw} not supported or doesn't exist`);
        continue;
      }
      if (suite.insecure) warnings.push(`Use of insecure cipher '${raw}' detected.`);
      if (!suite.tls13 && !suite.openssl) warnings.push(`--tls-cipher-suites: ${raw} is not available in this TLS library and is not offered`);
      chosen.push(suite);
    }
  }
  if (errors.length) return { errors, warnings };

  const names = [...new Set(chosen.flatMap((s) => (s.openssl ? [s.openssl] : [])))];
  // No TLS 1.2 suite left: only TLS 1.3 can be negotiated, as with Go given only TLS 1.3 names.
  if (names.length === 0 && minVersion !== 'TLSv1.3') {
    warnings.push('--tls-cipher-suites names no TLS 1.2 suite this server can offer: only TLS 1.3 clients can connect');
    minVersion = 'TLSv1.3';
  }
  const lowVersion = minVersion === 'TLSv1' || minVersion === 'TLSv1.1';
  const ciphers = names.length ? names.join(':') + (lowVersion ? ':@SECLEVEL=0' : '') : defaultTls13Suites;
  return { value: { minVersion, ciphers, honorCipherOrder: true }, errors, warnings };
}

// Given alone to Node, TLS 1.3 names leave the TLS 1.2 list empty (and TLS 1.3 the only choice).
const defaultTls13Suites = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
