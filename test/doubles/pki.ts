// Test PKI: CAs (root or intermediate), client and serving certificates with the knobs the
// authentication tests need (extended key usage, validity window, subject O values). ECDSA
// P-256, PEM, made with @peculiar/x509 on node's webcrypto.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const hour = 3_600_000;

export interface Issued {
  readonly cert: string;
  readonly key: string;
}

/** A CA that can issue; `chain` is its certificate plus its parents' (intermediates first). */
export interface TestCA extends Issued {
  readonly name: string;
  readonly chain: string;
  readonly keys: webcrypto.CryptoKeyPair;
}

/** A root CA, or an intermediate one signed by `parent`. */
export async function makeCA(name: string, parent?: TestCA): Promise<TestCA> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const now = Date.now();
  const cert = parent
    ? await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${name}`,
        issuer: new x509.X509Certificate(parent.cert).subject,
        notBefore: new Date(now - hour),
        notAfter: new Date(now + 24 * hour),
        signingAlgorithm: alg,
        publicKey: keys.publicKey,
        signingKey: parent.keys.privateKey,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(parent.keys.publicKey)],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(),
        name: `CN=${name}`,
        notBefore: new Date(now - hour),
        notAfter: new Date(now + 24 * hour),
        signingAlgorithm: alg,
        keys,
        extensions,
      });
  const pem = cert.toString('pem') + '\n';
  return { name, cert: pem, key: await keyPem(keys.privateKey), keys, chain: parent ? pem + parent.chain : pem };
}

export interface LeafOptions {
  readonly cn: string;
  readonly o?: readonly string[];
  /** Extended key usage: clientAuth (default), serverAuth only, or no EKU extension. */
  readonly eku?: 'client' | 'server' | 'none';
  /** DNS names / IPs (serving certificates). */
  readonly names?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** A leaf signed by `ca`; `cert` carries the leaf plus the CA's intermediates (not the root). */
export async function issue(ca: TestCA, o: LeafOptions): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  const eku = o.eku ?? 'client';
  if (eku !== 'none') {
    extensions.push(new x509.ExtendedKeyUsageExtension([eku === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]));
  }
  if (o.names?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(o.names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }))));
  }
  const subject: x509.JsonName = [{ CN: [o.cn] }, ...(o.o ?? []).map((v) => ({ O: [v] }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: new x509.X509Certificate(ca.cert).subject,
    notBefore: o.notBefore ?? new Date(now - hour),
    notAfter: o.notAfter ?? new Date(now + 24 * hour),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { cert: cert.toString('pem') + '\n' + intermediatesOf(ca), key: await keyPem(keys.privateKey) };
}

/** Every certificate of a CA's chain but its root (what a client sends along with its leaf). */
function intermediatesOf(ca: TestCA): string {
  const blocks = ca.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  return blocks.slice(0, -1).join('');
}

/** A serving certificate for loopback. */
export function issueServing(ca: TestCA, cn = 'localhost'): Promise<Issued> {
  return issue(ca, { cn, eku: 'server', names: ['localhost', '127.0.0.1', '::1'] });
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY') + '\n';
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}
