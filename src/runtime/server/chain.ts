// The request filter chain, in the order of k8s.io/apiserver pkg/server/config.go
// DefaultBuildHandlerChain, expressed as fastify hooks on the root instance (so every route,
// the not-found route included, passes through them):
//
//   onRequest  1. shutdown gate: while shutting down, new requests get 503 ServiceUnavailable
//              2. long-running request tracking (watches), so shutdown can end them
//              3. audit: one event per request, written when its response is complete (a watch:
//                 when it ends), failed authentications and refusals included (WithAudit and
//                 WithFailedAuthenticationAudit); the user is read when the event is written
//              4. authentication: sets request.user, or 401 Unauthorized (health paths exempt)
//   preHandler 5. authorization (WithAuthorization): attributes from the URL and method
//                 (requestinfo.go), allow, or 403 Forbidden worded as kube words it, or 500 when
//                 the authorizer failed; health paths exempt (they need no credentials at all)
//              (admission runs later, inside the registry store, for resource writes)
//   onSend     during shutdown: `Connection: close` on every response
//
// Only this function adds hooks to the root instance; resource routes add their own inside
// their plugin.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserInfo } from '../api.js';
import { sourceIPs, type AuditLogger } from '../auth/audit.js';
import { forbiddenError, requestAttributes, type AuthorizationResult, type RequestAttributes } from '../auth/authz/index.js';
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

/** One authentication source: the user, or undefined when it does not recognise the request. */
export interface RequestAuthenticator {
  authenticate(request: FastifyRequest): UserInfo | undefined | Promise<UserInfo | undefined>;
}

export interface RequestAuthorizer {
  authorize(attrs: RequestAttributes, user: UserInfo | undefined): Promise<AuthorizationResult>;
}

export interface HandlerChain {
  /** Authentication sources, tried in order; the first that recognises the request wins. */
  readonly authenticators: readonly RequestAuthenticator[];
  /** Absent: every authenticated request is allowed. */
  readonly authorizer?: RequestAuthorizer;
  /** Absent: no audit log. */
  readonly audit?: AuditLogger;
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

  // Annotations the authorizer leaves for the audit event (authorization.k8s.io/decision, reason).
  const auditAnnotations = new WeakMap<FastifyRequest, Record<string, string>>();

  app.addHook('onRequest', async (request, reply) => {
    if (state.shutdown.signal.aborted) {
      reply.header('Connection', 'close');
      throw errors.serviceUnavailable('apiserver is shutting down');
    }
    if (isLongRunning(request)) {
      state.longRunning.add(request);
      request.raw.once('close', () => state.longRunning.delete(request));
    }
    const audit = chain.audit;
    if (audit) {
      const requestReceived = new Date();
      const given = request.headers['audit-id'];
      const auditID = typeof given === 'string' && given ? given : randomUUID();
      reply.header('Audit-Id', auditID);
      // `close` fires once the response is complete or the connection is gone (a cut watch).
      reply.raw.once('close', () => {
        audit.logRequest({
          requestURI: request.url,
          attributes: requestAttributes(request.method, request.url),
          user: request.user,
          sourceIPs: sourceIPs(request.headers, request.socket.remoteAddress),
          userAgent: request.headers['user-agent'],
          responseCode: reply.raw.statusCode,
          requestReceived,
          auditID,
          annotations: auditAnnotations.get(request),
        });
      });
    }
    const user = await authenticate(chain.authenticators, request);
    if (user) {
      request.user = user;
      return;
    }
    if (isHealthPath(request.url)) return;
    throw errors.unauthorized();
  });

  const authorizer = chain.authorizer;
  if (authorizer) {
    app.addHook('preHandler', async (request) => {
      if (isHealthPath(request.url)) return;
      const attrs = requestAttributes(request.method, request.url);
      const result = await authorizer.authorize(attrs, request.user);
      const decision = result.decision === 'allow' ? 'allow' : 'forbid';
      auditAnnotations.set(request, {
        'authorization.k8s.io/decision': decision,
        'authorization.k8s.io/reason': result.reason,
      });
      if (result.decision === 'allow') return;
      if (result.error) {
        request.log.warn({ err: result.error }, 'authorization failed');
        throw errors.internal(result.error);
      }
      throw forbiddenError(attrs, request.user, result.reason);
    });
  }

  // During shutdown every response closes its connection, so kept-alive clients reconnect
  // (to another replica) instead of holding the server open.
  app.addHook('onSend', async (_request, reply) => {
    if (state.shutdown.signal.aborted) reply.header('Connection', 'close');
  });

  return state;
}

async function authenticate(authenticators: readonly RequestAuthenticator[], request: FastifyRequest): Promise<UserInfo | undefined> {
  for (const a of authenticators) {
    const user = await a.authenticate(request);
    if (user) return user;
  }
  return undefined;
}
