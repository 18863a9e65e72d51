// Certificates with every knob the hostile-chain tests turn: any subject (several CNs too),
// any issuer name and signing key (self-issued copies, cross-signed loops, one key under many
// names), basic constraints with path lengths, extended key usage, name constraints, unknown
// critical extensions, validity windows, key identifiers on or off. ECDSA P-256 with
// @peculiar/x509, as test/doubles/pki.ts.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const hour = 3_600_000;
export const oids = { clientAuth: '1.3.6.1.5.5.7.3.2', serverAuth: '1.3.6.1.5.5.7.3.1', any: '2.5.29.37.0' };

export type Keys = webcrypto.CryptoKeyPair;
export const keyUsage = x509.KeyUsageFlags;

export function newKeys(): Promise<Keys> {
  return webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as Promise<Keys>;
}

export interface Cert {
  readonly pem: string;
  /** The subject, as given (e.g. `CN=root`), for issuing below it. */
  readonly name: string;
  readonly keys: Keys;
}

export interface CertOptions {
  /** `CN=x`, or an array of RDNs for several attributes (`[{CN: ['a']}, {CN: ['b']}]`). */
  readonly subject: string | x509.JsonName;
  /** Who signs: default the certificate itself (self-signed). */
  readonly issuer?: Cert;
  /** The subject's keys; default fresh ones (self-signed: these sign). */
  readonly keys?: Keys;
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** EKU OIDs; undefined: clientAuth for leaves, none for CAs; []: no extension. */
  readonly eku?: readonly string[];
  readonly dnsNames?: readonly string[];
  /** Name constraints: permitted DNS subtrees (critical, as CAs mark them). */
  readonly permittedDNS?: readonly string[];
  /** An extension of an unknown OID, marked critical. */
  readonly unknownCritical?: boolean;
  /** Key usage bits (x509.KeyUsageFlags); default keyCertSign|cRLSign|digitalSignature for CAs, digitalSignature for leaves. */
  readonly keyUsage?: number;
  /** Subject and authority key identifiers (default on). */
  readonly keyIds?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export async function makeCert(o: CertOptions): Promise<Cert> {
  const keys = o.keys ?? (await newKeys());
  const signer = o.issuer?.keys ?? keys;
  const ca = o.ca ?? false;
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(ca, ca ? o.pathLen : undefined, true)];
  if (o.keyIds ?? true) {
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey));
  }
  extensions.push(
    new x509.KeyUsagesExtension(
      o.keyUsage ??
        (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.digitalSignature),
      true,
    ),
  );
  const eku = o.eku ?? (ca ? [] : [oids.clientAuth]);
  if (eku.length) extensions.push(new x509.ExtendedKeyUsageExtension([...eku]));
  if (o.dnsNames?.length) extensions.push(new x509.SubjectAlternativeNameExtension(o.dnsNames.map((value) => ({ type: 'dns' as const, value }))));
  if (o.permittedDNS?.length) extensions.push(new x509.Extension('2.5.29.30', true, nameConstraintsDER(o.permittedDNS)));
  if (o.unknownCritical) extensions.push(new x509.Extension('1.3.6.1.4.1.55555.1', true, new Uint8Array([0x05, 0x00])));
  const now = Date.now();
  const subject = typeof o.subject === 'string' ? o.subject : new x509.Name(o.subject).toString();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: o.subject,
    issuer: o.issuer ? o.issuer.name : o.subject,
    notBefore: o.notBefore ?? new Date(now - hour),
    notAfter: o.notAfter ?? new Date(now + 24 * hour),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    extensions,
  });
  return { pem: cert.toString('pem') + '\n', name: subject, keys };
}

/** PKCS#8 PEM of a private key. */
export async function keyPem(keys: Keys): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') + '\n';
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] SEQUENCE OF SEQUENCE { dNSName [2] } } (short names). */
function nameConstraintsDER(names: readonly string[]): Uint8Array {
  const tlv = (tag: number, body: number[]) => {
    if (body.length > 127) throw new Error('name constraints too long for this helper');
    return [tag, body.length, ...body];
  };
  const subtrees = names.flatMap((n) => tlv(0x30, tlv(0x82, [...Buffer.from(n, 'ascii')])));
  return new Uint8Array(tlv(0x30, tlv(0xa0, subtrees)));
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}
