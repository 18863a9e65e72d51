// Standalone mode (no kube-apiserver anywhere): the only identity is a client certificate
// signed by our own CA, as kube's x509 authenticator reads one (k8s.io/apiserver
// pkg/authentication/request/x509/x509.go: user = CN, groups = O, clientAuth EKU required).
// The TLS server requests client certificates without rejecting the handshake; this module
// decides per request, so unauthenticated requests get a 401 Status rather than a TLS alert.
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import type { UserInfo } from '../api.js';
import type { CertKeyPair } from '../server/certs.js';
import { writeAtomic } from '../server/certs.js';

/** One authentication source. Undefined: this source does not recognise the request. */
export interface Authenticator {
  authenticate(request: { readonly raw: { readonly socket: unknown } }): UserInfo | undefined | Promise<UserInfo | undefined>;
}

const clientAuthOid = '1.3.6.1.5.5.7.3.2';

/**
 * Accepts TLS client certificates that chain to `caPem` (one level: our CA signs leaves
 * directly) with the clientAuth EKU. Results are cached per TLS connection: a connection's
 * peer certificate cannot change.
 */
export function x509Authenticator(caPem: string): Authenticator {
  const ca = new X509Certificate(caPem);
  const cache = new WeakMap<object, UserInfo | null>();
  return {
    authenticate(request) {
      const socket = request.raw.socket as TLSSocket;
      if (!socket || typeof socket.getPeerX509Certificate !== 'function') return undefined;
      let user = cache.get(socket);
      if (user === undefined) {
        user = verify(socket, ca);
        cache.set(socket, user);
      }
      return user ?? undefined;
    },
  };
}

function verify(socket: TLSSocket, ca: X509Certificate): UserInfo | null {
  // `authorized`: the handshake verified the chain (dates included) against the server's `ca`.
  if (!socket.authorized) return null;
  const peer = socket.getPeerX509Certificate();
  if (!peer) return null;
  // The server's `ca` may one day hold several roots (issue 4's --client-ca-file): require ours.
  if (!peer.checkIssued(ca) || !peer.verify(ca.publicKey)) return null;
  const usages = peer.keyUsage; // Node names the extended key usage OIDs `keyUsage`
  if (usages && !usages.includes(clientAuthOid)) return null;
  const subject = socket.getPeerCertificate().subject as PeerCertificate['subject'] | undefined;
  const username = first(subject?.CN);
  if (!username) return null;
  const groups = all(subject?.O);
  return { username, groups: groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated'] };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `https://127.0.0.1:<port>` for wildcard and loopback binds, else the bind address. */
export function localServerURL(bindAddress: string, port: number): string {
  const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface AdminKubeconfig {
  readonly path: string;
  /** Cluster, user and context name (the API group). */
  readonly name: string;
  readonly server: string;
  /** PEM that verifies the serving certificate. */
  readonly caPem: string;
  readonly admin: CertKeyPair;
}

/** The kubeconfig document (a plain object), with every credential inline. */
export function adminKubeconfig(k: Omit<AdminKubeconfig, 'path'>): Record<string, unknown> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const user = `${k.name}-admin`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: k.name, cluster: { server: k.server, 'certificate-authority-data': b64(k.caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(k.admin.cert), 'client-key-data': b64(k.admin.key) } }],
    contexts: [{ name: k.name, context: { cluster: k.name, user } }],
    'current-context': k.name,
    preferences: {},
  };
}

/** Writes the admin kubeconfig (0600, atomically): it holds the admin's private key. */
export async function writeAdminKubeconfig(k: AdminKubeconfig): Promise<void> {
  await writeAtomic(k.path, stringify(adminKubeconfig(k)), 0o600);
}

/** The line to print for the user to try: `kubectl --kubeconfig <path> get <plural>`. */
export function kubectlHint(kubeconfigPath: string, firstPlural: string | undefined): string {
  return `kubectl --kubeconfig ${kubeconfigPath} ${firstPlural ? `get ${firstPlural}` : 'api-resources'}`;
}
