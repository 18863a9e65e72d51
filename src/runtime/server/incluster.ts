// The serving certificate and the APIServices' caBundle in a cluster, as the generated deploy
// manifests describe them (src/emit/manifests.ts, deploy/07-apiservices.yaml):
//
// 1. `--serving-cert-secret=<ns>/<name>`: load that kubernetes.io/tls Secret (ca.crt, tls.crt,
//    tls.key), or create it when absent: a new CA and a serving certificate it signs for
//    `--serving-cert-hosts`. Create-if-absent: on AlreadyExists (another replica won the race)
//    read it again, so every replica serves with the same CA. A Secret the user made first is
//    used as is (bring your own certificate).
// 2. Write ca.crt (base64, as the API wants it) into `spec.caBundle` of each APIService
//    `<version>.<group>` of the served versions that carries the annotation
//    `aa-gen.dev/ca-bundle-from: <ns>/<name>` naming that Secret (a JSON merge patch touching
//    only spec.caBundle), and check again periodically: `kubectl apply -f deploy/` of a manifest
//    without caBundle leaves the field alone, but a re-created APIService starts empty.
//
// Everything goes through one KubeClient (--authentication-kubeconfig, or the in-cluster service
// account); the RBAC in deploy/03-rbac-server.yaml allows exactly these calls.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { ApiGroupDefinition } from '../api.js';
import { describeFailure, type KubeClient, type KubeResponse } from '../auth/kube-client.js';
import { createCA, issueCertificate } from './certs.js';
import { every } from '../util/periodic.js';
import type { ObjectRef } from './options.js';

/** The annotation that opts an APIService in to caBundle injection (src/emit/manifests.ts). */
export const caBundleFromAnnotation = 'aa-gen.dev/ca-bundle-from';

/** The serving material of the Secret, PEM. */
export interface ServingSecret {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** This call created the Secret (false: it existed, or another replica created it first). */
  readonly created: boolean;
  /** Requested hosts the certificate does not cover (a Secret made earlier, or by the user). */
  readonly missingHosts: readonly string[];
}

/** The cluster refused or could not be reached; the message says what to fix. */
export class InClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InClusterError';
  }
}

export interface EnsureServingSecretOptions {
  /** DNS names and IPs of a newly made serving certificate. */
  readonly hosts: readonly string[];
  /** CommonName of a newly made CA. */
  readonly caName: string;
}

const secretPath = (ref: ObjectRef, name = true) =>
  `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets${name ? `/${encodeURIComponent(ref.name)}` : ''}`;

/** Reads the Secret again (the serving certificate reload); undefined when it is gone. */
export async function readServingCertSecret(client: KubeClient, ref: ObjectRef, hosts: readonly string[]): Promise<ServingSecret | undefined> {
  const secret = await getSecret(client, ref);
  return secret && fromSecret(secret, `secret ${ref.namespace}/${ref.name}`, hosts, false);
}

/** Loads the Secret, or creates it when absent (see the file comment). */
export async function ensureServingCertSecret(client: KubeClient, ref: ObjectRef, opts: EnsureServingSecretOptions): Promise<ServingSecret> {
  const where = `secret ${ref.namespace}/${ref.name}`;
  const existing = await getSecret(client, ref);
  if (existing) return fromSecret(existing, where, opts.hosts, false);
  if (opts.hosts.length === 0) {
    throw new InClusterError(`${where} does not exist and --serving-cert-hosts is not set: give the serving certificate's names (e.g. <service>.<namespace>.svc), or create the Secret yourself`);
  }

  const ca = await createCA(opts.caName);
  const serving = await issueCertificate(ca, { commonName: opts.hosts.find((h) => !isIP(h)) ?? opts.hosts[0], serverNames: opts.hosts });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const body = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: ref.name, namespace: ref.namespace, labels: { 'app.kubernetes.io/managed-by': 'aa-gen' } },
    type: 'kubernetes.io/tls',
    data: { 'ca.crt': b64(ca.cert), 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key) },
  };
  const res = await call(client, 'POST', secretPath(ref, false), body, `create ${where}`);
  if (res.status === 201 || res.status === 200) return fromSecret(body, where, opts.hosts, true);
  if (res.status === 409) {
    // Another replica created it between our read and our create: use theirs.
    const theirs = await getSecret(client, ref);
    if (theirs) return fromSecret(theirs, where, opts.hosts, false);
  }
  throw failure(`create ${where}`, res);
}

async function getSecret(client: KubeClient, ref: ObjectRef): Promise<SecretObject | undefined> {
  const where = `secret ${ref.namespace}/${ref.name}`;
  const res = await call(client, 'GET', secretPath(ref), undefined, `get ${where}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw failure(`get ${where}`, res);
  return (res.body ?? {}) as SecretObject;
}

interface SecretObject {
  type?: string;
  data?: Record<string, string>;
}

function fromSecret(secret: SecretObject, where: string, hosts: readonly string[], created: boolean): ServingSecret {
  const data = secret.data ?? {};
  const key = (k: string) => {
    const v = data[k];
    if (!v) throw new InClusterError(`${where} has no ${k}: it needs ca.crt, tls.crt and tls.key (type kubernetes.io/tls)`);
    return Buffer.from(v, 'base64').toString('utf8');
  };
  const out = { ca: key('ca.crt'), cert: key('tls.crt'), key: key('tls.key') };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(out.cert);
  } catch (e) {
    throw new InClusterError(`${where}: tls.crt is not a PEM certificate: ${(e as Error).message}`);
  }
  const missingHosts = hosts.filter((h) =>
    isIP(h) ? leaf.checkIP(h) === undefined : leaf.checkHost(h, { wildcards: true }) === undefined,
  );
  return { ...out, created, missingHosts };
}

/** `<version>.<group>` of every served version: the APIServices this server may fill. */
export function apiServiceNames(group: ApiGroupDefinition): string[] {
  return group.versions.filter((v) => v.served).map((v) => `${v.version}.${group.group}`);
}

export type CABundleOutcome = 'patched' | 'unchanged' | 'not-annotated' | 'not-found';

/** Writes `caPem` into every named APIService annotated with `secret`; one outcome per name. */
export async function syncCABundles(
  client: KubeClient,
  opts: { readonly apiServices: readonly string[]; readonly secret: ObjectRef; readonly caPem: string },
): Promise<Record<string, CABundleOutcome>> {
  const want = Buffer.from(opts.caPem).toString('base64');
  const from = `${opts.secret.namespace}/${opts.secret.name}`;
  const out: Record<string, CABundleOutcome> = {};
  for (const name of opts.apiServices) {
    const path = `/apis/apiregistration.k8s.io/v1/apiservices/${encodeURIComponent(name)}`;
    const got = await call(client, 'GET', path, undefined, `get apiservice ${name}`);
    if (got.status === 404) {
      out[name] = 'not-found';
      continue;
    }
    if (got.status !== 200) throw failure(`get apiservice ${name}`, got);
    const svc = (got.body ?? {}) as { metadata?: { annotations?: Record<string, string> }; spec?: { caBundle?: string } };
    if (svc.metadata?.annotations?.[caBundleFromAnnotation] !== from) {
      out[name] = 'not-annotated';
      continue;
    }
    if (svc.spec?.caBundle === want) {
      out[name] = 'unchanged';
      continue;
    }
    const patched = await call(client, 'PATCH', path, { spec: { caBundle: want } }, `patch apiservice ${name}`, 'application/merge-patch+json');
    if (patched.status !== 200) throw failure(`patch apiservice ${name}`, patched);
    out[name] = 'patched';
  }
  return out;
}

export interface CABundleSync {
  /** Runs one check now (also what the timer runs). */
  syncNow(): Promise<Record<string, CABundleOutcome>>;
  stop(): void;
}

/**
 * Syncs once now (failures are logged, not thrown: the APIServices may be applied after the
 * server starts), then every `intervalMs`.
 */
export async function startCABundleSync(
  client: KubeClient,
  opts: {
    readonly apiServices: readonly string[];
    readonly secret: ObjectRef;
    /** The CA to write, read at every check (it changes when the Secret is rotated). */
    readonly caPem: () => string;
    readonly intervalMs: number;
    readonly log: { warn(m: string): void; info(m: string): void };
  },
): Promise<CABundleSync> {
  const syncNow = async () => {
    const result = await syncCABundles(client, { ...opts, caPem: opts.caPem() });
    const patched = Object.keys(result).filter((k) => result[k] === 'patched');
    if (patched.length) opts.log.info(`wrote the serving CA into spec.caBundle of apiservice ${patched.join(', ')}`);
    return result;
  };
  const run = async () => {
    try {
      await syncNow();
    } catch (e) {
      opts.log.warn(`cannot update the APIServices' caBundle (will retry): ${(e as Error).message}`);
    }
  };
  await run();
  const periodic = every(opts.intervalMs, run);
  return { syncNow, stop: () => periodic.stop() };
}

async function call(client: KubeClient, method: string, path: string, body: unknown, what: string, contentType?: string): Promise<KubeResponse> {
  try {
    return await client.request(method, path, body, { contentType });
  } catch (e) {
    throw new InClusterError(`cannot ${what} at ${client.server}: ${(e as Error).message}`);
  }
}

function failure(what: string, res: KubeResponse): InClusterError {
  const hint =
    res.status === 401 || res.status === 403
      ? ' (the server\'s service account needs the RBAC of deploy/03-rbac-server.yaml: create/get/update on the Secret, get/patch on its APIServices)'
      : '';
  return new InClusterError(`cannot ${what}: ${describeFailure(res)}${hint}`);
}
