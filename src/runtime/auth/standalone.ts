// Standalone mode (no kube-apiserver anywhere): the only identity is a client certificate
// signed by our own CA, verified and read by the same x509 authenticator as delegated mode
// (authn/x509.ts, after k8s.io/apiserver pkg/authentication/request/x509/x509.go: user = the
// last CN, groups = O, clientAuth EKU required). The TLS server trusts our CA and requests
// client certificates without rejecting the handshake; this module decides per request, so
// unauthenticated requests get a 401 Status rather than a TLS alert.
import type { TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import type { UserInfo } from '../api.js';
import type { CertKeyPair } from '../server/certs.js';
import { writeAtomic } from '../server/certs.js';
import { peerVerification } from './authn/request.js';
import { wellKnown } from './authn/types.js';
import { parseCABundle } from './authn/x509-chain.js';
import { x509Identifier } from './authn/x509.js';

/** One authentication source. Undefined: this source does not recognise the request. */
export interface Authenticator {
  authenticate(request: { readonly raw: { readonly socket: unknown } }): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** Accepts TLS client certificates that chain to `caPem` with the clientAuth EKU. */
export function x509Authenticator(caPem: string): Authenticator {
  const bundle = parseCABundle(caPem, 'the standalone CA');
  const identify = x509Identifier(() => bundle);
  return {
    // Synchronous: the handler chain goes on without a microtask (chain.ts).
    authenticate(request) {
      let result;
      try {
        const socket = request.raw.socket as TLSSocket | undefined;
        // Only the certificate counts here: no headers are read.
        result = identify({ connection: socket, peer: () => peerVerification(socket), headerValues: () => [], headerNames: () => [], removeHeader() {} });
      } catch {
        return undefined; // a rejected certificate: 401
      }
      if (!result) return undefined;
      const groups = result.user.groups;
      return { ...result.user, groups: groups.includes(wellKnown.allAuthenticated) ? groups : [...groups, wellKnown.allAuthenticated] };
    },
  };
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
