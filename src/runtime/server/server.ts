// createServer: a CompletedConfig and an ApiGroupDefinition in, a listening HTTPS apiserver out.
// Order of assembly (each step a plugin-sized function with one job):
//   certificates -> storage backends -> fastify (TLS, limits) -> Status handlers
//   -> handler chain (authn) -> discovery, OpenAPI, version, health -> resource routes
//   -> listen -> admin kubeconfig.
// HTTP/1.1 only: kubectl and client-node work with it, and watch streaming over h2 is not
// verified here (API-CONTRACT 9.10).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance } from 'fastify';
import type { ApiGroupDefinition } from '../api.js';
import { kubectlHint, localServerURL, writeAdminKubeconfig, x509Authenticator } from '../auth/standalone.js';
import { StatusError } from '../errors.js';
import { buildDiscovery, discoveryRoutes } from '../endpoints/discovery.js';
import { healthRoutes, pingCheck, type HealthCheck } from '../endpoints/health.js';
import { buildOpenAPI, openapiRoutes } from '../endpoints/openapi.js';
import { frameworkErrorHandler, installStatusHandlers } from '../endpoints/status.js';
import { versionRoutes } from '../endpoints/version.js';
import { ensureStandaloneCertificates } from './certs.js';
import { installHandlerChain, type ChainState } from './chain.js';
import type { CompletedConfig } from './options.js';
import { openBackends, type Backends } from './wiring.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `https://<host>:<port>` as clients on this machine reach it. */
  readonly url: string;
  readonly port: number;
  /** Written in standalone mode: `<data-dir>/admin.kubeconfig`. */
  readonly kubeconfigPath?: string;
  /** The `kubectl --kubeconfig ... get <plural>` line to print. */
  readonly kubectlHint?: string;
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
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });

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

  // 2. Storage.
  const backends = await openBackends(group, config);

  let app: FastifyInstance;
  let chain: ChainState;
  try {
    // 3. fastify with TLS: client certificates requested, verified per request (standalone.ts).
    app = fastify({
      https: {
        cert: servingPair.cert,
        key: servingPair.key,
        ca: [certs.ca.cert],
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      bodyLimit: config.maxRequestBodyBytes,
      // Request logs are at info level: the default 'warn' keeps only problems.
      logger: { level: config.logLevel },
      return503OnClosing: false, // the shutdown gate answers a Status instead (chain.ts)
      // Kubernetes names reach 253 characters; find-my-way's default cap is 100.
      routerOptions: { maxParamLength: 1024 },
      frameworkErrors: frameworkErrorHandler(config.maxRequestBodyBytes),
    }) as unknown as FastifyInstance;

    installStatusHandlers(app, { maxRequestBodyBytes: config.maxRequestBodyBytes });
    chain = installHandlerChain(app, { authenticators: config.standalone ? [x509Authenticator(certs.ca.cert)] : [] });

    discoveryRoutes(app, buildDiscovery(group));
    openapiRoutes(app, buildOpenAPI(group));
    versionRoutes(app);
    healthRoutes(app, healthChecks(backends, chain));
    await backends.register(app);

    await app.listen({ host: serving.bindAddress, port: serving.port });
  } catch (e) {
    await backends.close().catch(() => {});
    throw startError(e, config);
  }

  const port = (app.server.address() as AddressInfo).port;
  const url = localServerURL(serving.bindAddress, port);

  let kubeconfigPath: string | undefined;
  let hint: string | undefined;
  if (config.standalone) {
    kubeconfigPath = join(config.dataDir, 'admin.kubeconfig');
    await writeAdminKubeconfig({ path: kubeconfigPath, name: group.group, server: url, caPem: servingCA, admin: certs.admin });
    hint = kubectlHint(kubeconfigPath, [...group.kinds].map((k) => k.plural).sort()[0]);
  }

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= shutdown(app, chain, backends, config));
  return { app, url, port, kubeconfigPath, kubectlHint: hint, close };
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
