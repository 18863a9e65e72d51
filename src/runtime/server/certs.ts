// Certificates for standalone serving: a CA, a serving certificate and an admin client
// certificate, kept as PEM files in the cert dir and reused on restart (the way
// k8s.io/apiserver pkg/server/options/serving.go MaybeDefaultWithSelfSignedCerts keeps its
// self-signed pair in --cert-dir, but with a CA so that clients can pin one root).
//
// Keys are ECDSA P-256 in PKCS#8 PEM: both Go (kubectl) and Node's TLS read that form.
import 'reflect-metadata'; // @peculiar/x509 resolves its ASN.1 providers through tsyringe
import * as x509 from '@peculiar/x509';
import { X509Certificate as NodeX509Certificate, randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { privateDirMode, privateFileMode } from './data-dir.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const day = 24 * 60 * 60 * 1000;
/** Leaf certificates live one year; the CA ten. Leaves are reissued when near expiry. */
const leafLifetime = 365 * day;
const caLifetime = 10 * 365 * day;
/** Reissue a certificate that expires within this window instead of reusing it. */
const renewBefore = 30 * day;

/** One certificate and its private key, both PEM. */
export interface CertKeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface StandaloneCertificates {
  readonly ca: CertKeyPair;
  readonly serving: CertKeyPair;
  readonly admin: CertKeyPair;
  /** Paths of the PEM files, for messages. */
  readonly files: { readonly caCert: string; readonly servingCert: string; readonly adminCert: string };
}

export interface CertificateRequest {
  /** Directory holding the PEM files (created 0700 when absent). */
  readonly certDir: string;
  /** Extra serving SANs: DNS names or IP addresses (e.g. `<svc>.<ns>.svc`, the bind address). */
  readonly extraNames?: readonly string[];
  /** CommonName of the CA, e.g. `wardle.example.com-ca`. */
  readonly caName?: string;
}

/** File names inside the cert dir (`apiserver.*` as k8s.io/apiserver names its pair). */
export const certFileNames = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'apiserver.crt',
  servingKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
} as const;

/** The serving names every self-signed certificate carries, plus the caller's extras. */
export function servingNames(extra: readonly string[] = []): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname(), ...extra];
  return [...new Set(names.filter((n) => n && n !== '0.0.0.0' && n !== '::'))];
}

/**
 * Loads the CA, serving and admin certificates from `certDir`, creating what is missing,
 * expired, near expiry, or (for the serving certificate) lacking a requested name. A new CA
 * reissues both leaves. Private keys are written 0600.
 */
export async function ensureStandaloneCertificates(req: CertificateRequest): Promise<StandaloneCertificates> {
  const dir = req.certDir;
  await mkdir(dir, { recursive: true, mode: privateDirMode });
  const path = (f: keyof typeof certFileNames) => join(dir, certFileNames[f]);
  const names = servingNames(req.extraNames);

  let ca = await readPair(path('caCert'), path('caKey'));
  let caIsNew = false;
  if (!ca || !usable(ca.cert, { ca: true })) {
    ca = await createCA(req.caName ?? 'aa-gen-ca');
    await writePair(path('caCert'), path('caKey'), ca);
    caIsNew = true;
  }

  let serving = caIsNew ? undefined : await readPair(path('servingCert'), path('servingKey'));
  if (!serving || !usable(serving.cert, { issuer: ca.cert, names })) {
    serving = await issueCertificate(ca, { commonName: 'aa-gen-apiserver', serverNames: names });
    await writePair(path('servingCert'), path('servingKey'), serving);
  }

  let admin = caIsNew ? undefined : await readPair(path('adminCert'), path('adminKey'));
  if (!admin || !usable(admin.cert, { issuer: ca.cert })) {
    admin = await issueCertificate(ca, { commonName: 'admin', organizations: ['system:masters'], client: true });
    await writePair(path('adminCert'), path('adminKey'), admin);
  }

  return {
    ca,
    serving,
    admin,
    files: { caCert: path('caCert'), servingCert: path('servingCert'), adminCert: path('adminCert') },
  };
}

/** A new self-signed CA (key usage certSign + CRL sign, basic constraints CA:true). */
export async function createCA(commonName: string): Promise<CertKeyPair> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + caLifetime),
    signingAlgorithm: ecdsa,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) };
}

export interface LeafRequest {
  readonly commonName: string;
  /** Subject O values: kube reads them as the user's groups. */
  readonly organizations?: readonly string[];
  /** DNS names and IP addresses for a serving certificate. */
  readonly serverNames?: readonly string[];
  /** Issue a client certificate (clientAuth EKU) instead of a serving one. */
  readonly client?: boolean;
  readonly lifetimeMs?: number;
}

/** A leaf certificate signed by `ca`: serverAuth with SANs, or clientAuth for a user. */
export async function issueCertificate(ca: CertKeyPair, req: LeafRequest): Promise<CertKeyPair> {
  const keys = await generateKeys();
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await importKey(ca.key);
  const now = Date.now();
  const subject: x509.JsonName = [{ CN: [req.commonName] }, ...(req.organizations ?? []).map((o) => ({ O: [o] }))];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([req.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (req.serverNames?.length) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        req.serverNames.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })),
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (req.lifetimeMs ?? leafLifetime)),
    signingAlgorithm: ecdsa,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) };
}

/**
 * True when `cert` is valid for at least `renewBefore`, was issued by `issuer` (when given),
 * is a CA (when asked) and covers every name in `names` (when given).
 */
function usable(certPem: string, want: { ca?: boolean; issuer?: string; names?: readonly string[] }): boolean {
  let cert: NodeX509Certificate;
  try {
    cert = new NodeX509Certificate(certPem);
  } catch {
    return false;
  }
  const now = Date.now();
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) - renewBefore < now) return false;
  if (want.ca && !cert.ca) return false;
  if (want.issuer) {
    const issuer = new NodeX509Certificate(want.issuer);
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
  }
  for (const name of want.names ?? []) {
    const ok = isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name, { wildcards: false }) !== undefined;
    if (!ok) return false;
  }
  return true;
}

async function readPair(certPath: string, keyPath: string): Promise<CertKeyPair | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { cert, key };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes the key before the certificate, each atomically (temp file + rename), both 0600 as etcd writes its files. */
async function writePair(certPath: string, keyPath: string, pair: CertKeyPair): Promise<void> {
  await writeAtomic(keyPath, pair.key, privateFileMode);
  await writeAtomic(certPath, pair.cert, privateFileMode);
}

export async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode); // the umask may have narrowed or widened nothing, but be explicit
  await rename(tmp, path);
}

type KeyPair = webcrypto.CryptoKeyPair;
type Key = webcrypto.CryptoKey;

function generateKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as Promise<KeyPair>;
}

async function keyPem(key: Key): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function importKey(pem: string): Promise<Key> {
  const der = x509.PemConverter.decode(pem)[0];
  return webcrypto.subtle.importKey('pkcs8', der, ecdsa, false, ['sign']);
}

/** A positive 128-bit serial number in hex (RFC 5280 allows up to 20 octets). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}
