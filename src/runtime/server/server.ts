// createServer: a CompletedConfig and an ApiGroupDefinition in, a listening HTTPS apiserver out.
// Order of assembly (each step a plugin-sized function with one job):
//   certificates (own CA and admin; serving pair from flags, the cluster Secret, or our CA)
//   -> authentication, authorization, audit -> storage backends -> fastify (TLS, limits)
//   -> Status handlers -> handler chain (chain.ts) -> discovery, OpenAPI, version, health
//   -> resource routes -> listen -> admin kubeconfig -> APIService caBundle sync (in cluster).
// HTTP/1.1 only: kubectl and client-node work with it, and watch streaming over h2 is not
// verified here (API-CONTRACT 9.10).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import fastify, { type FastifyInstance } from 'fastify';
import type { ApiGroupDefinition } from '../api.js';
import { kubectlHint, localServerURL, writeAdminKubeconfig, x509Authenticator } from '../auth/standalone.js';
import { createAuditLogger, type AuditLogger } from '../auth/audit.js';
import { buildAuthenticator, requestAuthenticator, type BuiltAuthenticator } from '../auth/authn/index.js';
import { buildAuthorizer } from '../auth/authz/index.js';
import { kubeClientFromCluster, kubeClientFromFile, type KubeClient } from '../auth/kube-client.js';
import { StatusError } from '../errors.js';
import { buildDiscovery, discoveryRoutes } from '../endpoints/discovery.js';
import { healthRoutes, pingCheck, type HealthCheck } from '../endpoints/health.js';
import { buildOpenAPI, openapiRoutes } from '../endpoints/openapi.js';
import { frameworkErrorHandler, installStatusHandlers } from '../endpoints/status.js';
import { versionRoutes } from '../endpoints/version.js';
import { ensureStandaloneCertificates } from './certs.js';
import { preparePrivateDir } from './data-dir.js';
import { decodeQuery } from './request-target.js';
import { installHandlerChain, type ChainState, type HandlerChain } from './chain.js';
import { installMetrics } from './metrics.js';
import { fastifyConnectionOptions, httpsServerOptions, installUnreadBodyClose } from './connection-limits.js';
import { installMaxInFlight } from './inflight.js';
import { installRequestTimeout } from './timeout.js';
import { apiServiceNames, ensureServingCertSecret, readServingCertSecret, startCABundleSync, type CABundleSync } from './incluster.js';
import { secureContextHolder } from './secure-context.js';
import { startServingReload, type ServingMaterial } from './serving-reload.js';
import type { CompletedConfig, KubeconfigSource } from './options.js';
import { openBackends, type Backends } from './wiring.js';
import type { TlsClientOptions } from '../storage/index.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `https://<host>:<port>` as clients on this machine reach it. */
  readonly url: string;
  readonly port: number;
  /** Written in standalone mode: `<data-dir>/admin.kubeconfig`. */
  readonly kubeconfigPath?: string;
  /** The `kubectl --kubeconfig ... get <plural>` line to print. */
  readonly kubectlHint?: string;
  /** How requests are authenticated: `standalone` or `delegated`. */
  readonly mode: 'standalone' | 'delegated';
  /** Graceful shutdown; idempotent. Resolves once storage is closed. */
  close(): Promise<void>;
}

/** Raised for problems the operator can fix (unreadable cert file, port in use...). */
export class ServerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerStartError';
  }
}

/** How long watches get to end on their own after shutdown starts, before being cut. */
const watchGraceMs = 1000;

export async function createServer(group: ApiGroupDefinition, config: CompletedConfig): Promise<RunningServer> {
  const serving = config.secureServing;
  const startupLog: string[] = [];
  for (const dir of new Set([config.dataDir, serving.certDir])) {
    const wide = await preparePrivateDir(dir);
    if (wide) startupLog.push(wide);
  }

  // 1. Certificates. Standalone always needs our CA (it signs the admin identity); the serving
  //    pair is the given one when --tls-cert-file is set.
  const certs = await ensureStandaloneCertificates({
    certDir: serving.certDir,
    extraNames: serving.extraServingNames,
    caName: `${group.group}-ca`,
  });
  let servingPair = certs.serving;
  let servingCA = certs.ca.cert;
  if (serving.tlsCertFile && serving.tlsPrivateKeyFile) {
    const cert = await readOrFail(serving.tlsCertFile, '--tls-cert-file');
    const key = await readOrFail(serving.tlsPrivateKeyFile, '--tls-private-key-file');
    servingPair = { cert, key };
    // Clients trust the given chain as is (Go accepts any certificate of the pool as an anchor).
    servingCA = cert;
  }
  let inClusterClient: KubeClient | undefined;
  if (config.inCluster) {
    const ic = config.inCluster;
    if (!ic.kubeconfig) {
      throw new ServerStartError(
        '--serving-cert-secret needs a cluster: give --authentication-kubeconfig, or run in a pod with a service account',
      );
    }
    inClusterClient = kubeClientFor(ic.kubeconfig);
    const secret = await ensureServingCertSecret(inClusterClient, ic.secret, { hosts: ic.hosts, caName: `${group.group}-ca` }).catch(
      (e: Error) => {
        throw new ServerStartError(e.message);
      },
    );
    if (secret.missingHosts.length) {
      startupLog.push(`the certificate in secret ${ic.secret.namespace}/${ic.secret.name} does not cover ${secret.missingHosts.join(', ')}`);
    }
    servingPair = { cert: secret.cert, key: secret.key };
    servingCA = secret.ca;
  }

  // 2. Authentication, authorization, audit.
  const security = await buildSecurity(config, certs.ca.cert);

  // 3. Storage, and admission (with the core API client of --kubeconfig, whose failures are
  //    logged by fastify once it exists).
  const coreLog: { warn(m: string): void } = { warn: (m) => void startupLog.push(m) };
  let backends: Backends;
  try {
    const core = config.kube.core ? { client: kubeClientFor(config.kube.core), log: coreLog } : undefined;
    backends = await openBackends(group, config, await readEtcdTls(config.storage.etcdTls), core);
  } catch (e) {
    await security.close();
    throw e;
  }

  // The TLS server verifies client certificates against every trusted CA (auth/authn/
  // x509-chain.ts) and names them as acceptable in its CertificateRequest, as Go's union of
  // ClientCAs does: our CA when standalone, the authentication sources' CAs when delegated,
  // kept current as they change.
  const secureContext = secureContextHolder({
    ...servingPair,
    trustedCAs: security.trustedCAs(),
    protocol: serving.tls,
  });
  let app: FastifyInstance;
  let chain: ChainState;
  try {
    // 3. fastify with TLS: client certificates requested, verified per request (standalone.ts).
    app = fastify({
      https: { ...secureContext.serverOptions(), ...httpsServerOptions(config.connections) },
      ...fastifyConnectionOptions(config.connections),
      bodyLimit: config.maxRequestBodyBytes,
      // Request logs are at info level: the default 'warn' keeps only problems.
      logger: { level: config.logLevel },
      return503OnClosing: false, // the shutdown gate answers a Status instead (chain.ts)
      // Kubernetes names reach 253 characters; find-my-way's default cap is 100.
      // The query is decoded once, by the decoder authorization reads too (request-target.ts).
      routerOptions: { maxParamLength: 1024, querystringParser: decodeQuery },
      frameworkErrors: frameworkErrorHandler(config.maxRequestBodyBytes),
    }) as unknown as FastifyInstance;

    coreLog.warn = (m) => app.log.warn(m);
    installStatusHandlers(app, { maxRequestBodyBytes: config.maxRequestBodyBytes });
    installUnreadBodyClose(app);
    installMetrics(app, group.kinds); // first, so it counts what the chain refuses too
    installRequestTimeout(app, config.requestLimits.requestTimeoutMs); // before authentication, as WithRequestDeadline
    chain = installHandlerChain(app, security.chain);
    installMaxInFlight(app, config.requestLimits); // after authentication, before authorization (maxinflight.go)

    discoveryRoutes(app, buildDiscovery(group));
    openapiRoutes(app, buildOpenAPI(group));
    versionRoutes(app);
    healthRoutes(app, healthChecks(backends, chain));
    await backends.register(app);

    secureContext.attach(app.server as unknown as TlsServer);
    security.onTrustedCAsChange((cas) => secureContext.setTrustedCAs(cas));
    await app.listen({ host: serving.bindAddress, port: serving.port });
  } catch (e) {
    await backends.close().catch(() => {});
    await security.close();
    throw startError(e, config);
  }

  const port = (app.server.address() as AddressInfo).port;
  const url = localServerURL(serving.bindAddress, port);

  let hint: string | undefined;
  // The admin certificate authenticates standalone, and delegated only with --trust-local-admin.
  const kubeconfigPath = join(config.dataDir, 'admin.kubeconfig');
  const writeKubeconfig = () => writeAdminKubeconfig({ path: kubeconfigPath, name: group.group, server: url, caPem: servingCA, admin: certs.admin });
  await writeKubeconfig();
  if (config.standalone) hint = kubectlHint(kubeconfigPath, [...group.kinds].map((k) => k.plural).sort()[0]);
  for (const w of startupLog) app.log.warn(w);

  let caBundleSync: CABundleSync | undefined;
  if (config.inCluster && inClusterClient) {
    caBundleSync = await startCABundleSync(inClusterClient, {
      apiServices: apiServiceNames(group),
      secret: config.inCluster.secret,
      caPem: () => servingCA,
      intervalMs: config.inCluster.caBundleResyncMs,
      log: { warn: (m) => app.log.warn(m), info: (m) => app.log.info(m) },
    });
  }

  // A serving certificate someone else provides is read again and taken when it is rotated.
  const given = givenServingSource(config, inClusterClient);
  const servingReload =
    given &&
    startServingReload({
      install: (pair) => secureContext.setServing(pair),
      current: { ...servingPair, ca: servingCA },
      load: given.load,
      source: given.source,
      intervalMs: config.servingReloadMs,
      onChange: async (m) => {
        servingCA = m.ca ?? m.cert; // files: clients trust the given chain as is (see above)
        await writeKubeconfig();
        await caBundleSync?.syncNow().catch(() => undefined); // the timer retries
      },
      log: { warn: (m) => app.log.warn(m), info: (m) => app.log.info(m) },
    });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      servingReload?.stop();
      caBundleSync?.stop();
      try {
        await shutdown(app, chain, backends, config);
      } finally {
        await security.close();
      }
    })());
  return { app, url, port, kubeconfigPath, kubectlHint: hint, mode: config.standalone ? 'standalone' : 'delegated', close };
}

function kubeClientFor(source: KubeconfigSource): KubeClient {
  try {
    return source.kind === 'file' ? kubeClientFromFile(source.path, source.flag) : kubeClientFromCluster();
  } catch (e) {
    throw new ServerStartError((e as Error).message);
  }
}

interface Security {
  readonly chain: HandlerChain;
  /** The CAs client certificates may chain to (the TLS server's `ca`), and their changes. */
  trustedCAs(): readonly string[];
  onTrustedCAsChange(listener: (cas: readonly string[]) => void): void;
  /** Stops background refreshes, flushes the audit log. */
  close(): Promise<void>;
}

/**
 * The handler chain's authenticators, authorizer and audit logger. Standalone: our CA's client
 * certificates only, exactly as before delegation existed. Delegated: the chain of
 * API-CONTRACT 8.4 (request-header, x509 with --client-ca-file, plus our CA only with
 * --trust-local-admin, tokens, anonymous) and the authorizer union (system:masters,
 * always-allow paths, SubjectAccessReview when a kube-apiserver is known). Audit in both.
 */
async function buildSecurity(config: CompletedConfig, ownCA: string): Promise<Security> {
  const a = config.auth;
  let built: BuiltAuthenticator | undefined;
  let audit: AuditLogger | undefined;
  try {
    const authenticators = config.standalone
      ? [x509Authenticator(ownCA)]
      : [
          requestAuthenticator(
            (built = await buildAuthenticator({
              config: a.authentication,
              // Our admin is system:masters, past every review: trusted only when asked.
              additionalClientCA: a.authentication.trustLocalAdmin ? ownCA : undefined,
              client: config.kube.authentication ? kubeClientFor(config.kube.authentication) : undefined,
              log: { warn: () => {} }, // a 401 says enough; rejected credentials are not logged per request
            })),
          ),
        ];
    // Standalone: whoever holds a certificate of our CA is an administrator (no authorizer).
    const authorizer = config.standalone
      ? undefined
      : buildAuthorizer({
          config: a.authorization,
          client: config.kube.authorization ? kubeClientFor(config.kube.authorization) : undefined,
          log: { warn: () => {} }, // runMain prints config.warnings, which say the same
        });
    if (a.audit.logPath) audit = await createAuditLogger({ logPath: a.audit.logPath, policyFile: a.audit.policyFile });
    const delegated = built;
    return {
      chain: { authenticators, authorizer, audit },
      trustedCAs: () => (delegated ? delegated.trustedCAs() : [ownCA]),
      onTrustedCAsChange: (listener) => void delegated?.onTrustedCAsChange(listener),
      async close() {
        built?.close();
        await audit?.close();
      },
    };
  } catch (e) {
    built?.close();
    await audit?.close();
    if (e instanceof ServerStartError) throw e;
    throw new ServerStartError((e as Error).message);
  }
}

function healthChecks(backends: Backends, chain: ChainState) {
  const storage: HealthCheck = { name: 'storage', check: () => backends.storage.ping() };
  const informerSync: HealthCheck = {
    name: 'informer-sync',
    check() {
      if (!backends.synced()) throw new Error('watch caches not synced yet');
    },
  };
  const shutdown: HealthCheck = {
    name: 'shutdown',
    check() {
      if (chain.shutdown.signal.aborted) throw new Error('server is shutting down');
    },
  };
  return {
    healthz: [pingCheck, storage],
    livez: [pingCheck, storage],
    readyz: [pingCheck, storage, informerSync, shutdown],
  };
}

/**
 * Graceful shutdown, as k8s.io/apiserver's GenericAPIServer does it: stop accepting new
 * connections and requests (503 on kept-alive connections, which then close), tell watches
 * to end (shutdownSignal), cut the watches still open after a grace period, wait for the
 * other in-flight requests up to the drain timeout, then close storage.
 */
async function shutdown(app: FastifyInstance, chain: ChainState, backends: Backends, config: CompletedConfig): Promise<void> {
  chain.shutdown.abort();
  // Keep-alive connections close after their current response (see the onSend hook below).
  const closed = app.close();
  const deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownDrainTimeoutMs);
  const graceEnd = Date.now() + watchGraceMs;
  while (chain.longRunning.size > 0 && Date.now() < graceEnd) await sleep(25);
  for (const request of chain.longRunning) request.raw.socket?.destroy();
  try {
    await closed;
  } finally {
    clearTimeout(deadline);
    await backends.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Where the serving pair comes from when it is not ours to make: the files, or the Secret. */
function givenServingSource(config: CompletedConfig, client: KubeClient | undefined): { source: string; load: () => Promise<ServingMaterial> } | undefined {
  const { tlsCertFile, tlsPrivateKeyFile } = config.secureServing;
  if (tlsCertFile && tlsPrivateKeyFile) {
    return {
      source: `--tls-cert-file ${tlsCertFile}`,
      load: async () => {
        const [cert, key] = await Promise.all([readFile(tlsCertFile, 'utf8'), readFile(tlsPrivateKeyFile, 'utf8')]);
        return { cert, key, ca: cert };
      },
    };
  }
  const ic = config.inCluster;
  if (ic && client) {
    return {
      source: `secret ${ic.secret.namespace}/${ic.secret.name}`,
      load: async () => {
        const s = await readServingCertSecret(client, ic.secret, ic.hosts);
        if (!s) throw new Error('the Secret is gone');
        return { cert: s.cert, key: s.key, ca: s.ca };
      },
    };
  }
  return undefined;
}

async function readEtcdTls(files: CompletedConfig['storage']['etcdTls'] = {}): Promise<TlsClientOptions> {
  const read = (path: string | undefined, flag: string) => (path ? readOrFail(path, flag) : undefined);
  const [ca, cert, key] = await Promise.all([
    read(files.caFile, '--etcd-cafile'),
    read(files.certFile, '--etcd-certfile'),
    read(files.keyFile, '--etcd-keyfile'),
  ]);
  return { ca, cert, key };
}

async function readOrFail(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ServerStartError(`cannot read ${flag} ${path}: ${(e as Error).message}`);
  }
}

function startError(e: unknown, config: CompletedConfig): Error {
  if (e instanceof ServerStartError || e instanceof StatusError) return e;
  const err = e as NodeJS.ErrnoException;
  const where = `${config.secureServing.bindAddress}:${config.secureServing.port}`;
  if (err.code === 'EADDRINUSE') return new ServerStartError(`cannot listen on ${where}: address already in use (choose another --secure-port)`);
  if (err.code === 'EADDRNOTAVAIL') return new ServerStartError(`cannot listen on ${where}: address not available (check --bind-address)`);
  if (err.code === 'EACCES') return new ServerStartError(`cannot listen on ${where}: permission denied`);
  if (err.code === 'ERR_OSSL_PEM_NO_START_LINE' || /PEM|key values mismatch|private key/i.test(err.message ?? '')) {
    return new ServerStartError(`invalid serving certificate or key: ${err.message}`);
  }
  return e instanceof Error ? e : new Error(String(e));
}
