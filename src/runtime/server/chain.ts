// The request filter chain, in the order of k8s.io/apiserver pkg/server/config.go
// DefaultBuildHandlerChain, expressed as fastify hooks on the root instance (so every route,
// the not-found route included, passes through them):
//
//   onRequest  1. shutdown gate: while shutting down, new requests get 503 ServiceUnavailable
//              2. long-running request tracking (watches), so shutdown can end them
//              3. authentication: sets request.user, or 401 Unauthorized (health paths exempt)
//              (issue 4: audit, then rate limiting, go here, after authentication)
//   preHandler (issue 4: authorization, then admission for resource requests)
//   onSend     during shutdown: `Connection: close` on every response
//
// Only this function adds hooks to the root instance; resource routes add their own inside
// their plugin.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserInfo } from '../api.js';
import type { Authenticator } from '../auth/standalone.js';
import { errors } from '../errors.js';
import { isHealthPath } from '../endpoints/health.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user; undefined only on paths that need no credentials (health). */
    user?: UserInfo;
  }
  interface FastifyInstance {
    /**
     * Aborted when graceful shutdown starts. Long-running handlers (watch) listen to it and end
     * their response cleanly; shutdown cuts what is still open after a short grace period.
     */
    readonly shutdownSignal: AbortSignal;
  }
}

export interface HandlerChain {
  /** Authentication sources, tried in order; the first that recognises the request wins. */
  readonly authenticators: readonly Authenticator[];
}

/** What shutdown needs from the chain: the gate and the open long-running requests. */
export interface ChainState {
  readonly shutdown: AbortController;
  /** Raw requests of watches in flight. */
  readonly longRunning: Set<FastifyRequest>;
}

/** A watch: `?watch=true|1` or the legacy `/watch/` path prefix (requestinfo.go). */
export function isLongRunning(request: FastifyRequest): boolean {
  const q = request.query as Record<string, unknown> | undefined;
  const w = q?.watch;
  const values = Array.isArray(w) ? w : [w];
  if (values.some((v) => v === 'true' || v === '1')) return true;
  return /^\/apis\/[^/]+\/[^/]+\/watch\//.test(request.url);
}

export function installHandlerChain(app: FastifyInstance, chain: HandlerChain): ChainState {
  const state: ChainState = { shutdown: new AbortController(), longRunning: new Set() };
  app.decorate('shutdownSignal', state.shutdown.signal);
  app.decorateRequest('user', undefined);

  app.addHook('onRequest', async (request, reply) => {
    if (state.shutdown.signal.aborted) {
      reply.header('Connection', 'close');
      throw errors.serviceUnavailable('apiserver is shutting down');
    }
    if (isLongRunning(request)) {
      state.longRunning.add(request);
      request.raw.once('close', () => state.longRunning.delete(request));
    }
    const user = await authenticate(chain.authenticators, request);
    if (user) {
      request.user = user;
      return;
    }
    if (isHealthPath(request.url)) return;
    throw errors.unauthorized();
  });

  // During shutdown every response closes its connection, so kept-alive clients reconnect
  // (to another replica) instead of holding the server open.
  app.addHook('onSend', async (_request, reply) => {
    if (state.shutdown.signal.aborted) reply.header('Connection', 'close');
  });

  return state;
}

async function authenticate(authenticators: readonly Authenticator[], request: FastifyRequest): Promise<UserInfo | undefined> {
  for (const a of authenticators) {
    const user = await a.authenticate(request);
    if (user) return user;
  }
  return undefined;
}
