// The request filter chain, in the order of k8s.io/apiserver pkg/server/config.go
// DefaultBuildHandlerChain, expressed as fastify hooks on the root instance (so every route,
// the not-found route included, passes through them):
//
//   onRequest  1. shutdown gate: while shutting down, new requests get 503 ServiceUnavailable
//                 then the request target, parsed once (request-target.ts; 400 when it does not
//                 decode): request.target, request.query and request.requestInfo, which
//                 authorization, audit and the handlers all read
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
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserInfo } from '../api.js';
import { sourceIPs, type AuditLogger } from '../auth/audit.js';
import { forbiddenError, requestAttributes, type AuthorizationResult, type RequestAttributes } from '../auth/authz/index.js';
import { errors } from '../errors.js';
import { isHealthPath } from '../endpoints/health.js';
import { parseRequestTarget, type RequestTarget } from './request-target.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user; undefined only on paths that need no credentials (health). */
    user?: UserInfo;
    /** The request target, parsed once (request-target.ts); `query` is `request.query`. */
    target?: RequestTarget;
    /** The authorization attributes of the request (requestinfo.go), read from `target`. */
    requestInfo?: RequestAttributes;
    /**
     * Asks the authorizer about attributes other than the request's own (the create an apply
     * patch makes: handlers/patch.go withAuthorization); rejects with the 403, or a 500 when
     * the authorizer failed. Absent when there is no authorizer (everything is allowed).
     */
    authorizeAlso?: (attrs: RequestAttributes) => Promise<void>;
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
  app.decorateRequest('target', undefined);
  app.decorateRequest('requestInfo', undefined);

  // Annotations the authorizer leaves for the audit event (authorization.k8s.io/decision, reason).
  const auditAnnotations = new WeakMap<FastifyRequest, Record<string, string>>();

  // Callback style rather than async: the usual authenticator (a client certificate, checked
  // once per connection) answers at once, and the request then goes on without a promise and a
  // microtask; an authenticator that answers with a promise is waited for.
  app.addHook('onRequest', (request, reply, done) => {
    let user: UserInfo | undefined | Promise<UserInfo | undefined>;
    try {
      user = gateAndAuthenticate(request, reply);
    } catch (e) {
      done(asError(e));
      return;
    }
    if (isPromiseLike(user)) {
      user.then(
        (u) => done(admitUser(request, u)),
        (e: unknown) => done(asError(e)),
      );
    } else {
      done(admitUser(request, user));
    }
  });

  /** Steps 1 - 4 up to the authentication result (which may still be on its way). */
  function gateAndAuthenticate(request: FastifyRequest, reply: FastifyReply): UserInfo | undefined | Promise<UserInfo | undefined> {
    if (state.shutdown.signal.aborted) {
      reply.header('Connection', 'close');
      throw errors.serviceUnavailable('apiserver is shutting down');
    }
    readTarget(request);
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
          attributes: request.requestInfo!,
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
    return authenticate(chain.authenticators, request);
  }

  const authorizer = chain.authorizer;
  if (authorizer) {
    app.addHook('preHandler', async (request) => {
      if (isHealthPath(request.url)) return;
      const attrs = request.requestInfo ?? requestAttributes(request.method, request.url);
      const result = await authorizer.authorize(attrs, request.user);
      const decision = result.decision === 'allow' ? 'allow' : 'forbid';
      auditAnnotations.set(request, {
        'authorization.k8s.io/decision': decision,
        'authorization.k8s.io/reason': result.reason,
      });
      refuseUnlessAllowed(request, attrs, result);
    });
    app.decorateRequest('authorizeAlso', async function (this: FastifyRequest, attrs: RequestAttributes) {
      refuseUnlessAllowed(this, attrs, await authorizer.authorize(attrs, this.user));
    });
  }

  // During shutdown every response closes its connection, so kept-alive clients reconnect
  // (to another replica) instead of holding the server open.
  // (Callback style: an async hook would delay every response by a promise and a microtask.)
  app.addHook('onSend', (_request, reply, _payload, done) => {
    if (state.shutdown.signal.aborted) reply.header('Connection', 'close');
    done();
  });

  return state;
}

/**
 * Parses the request target once and stores it (with the attributes derived from it); the
 * router already decoded the query with the same decoder, so that is reused. Throws the 400
 * of a target that does not decode.
 */
function readTarget(request: FastifyRequest): void {
  const target = parseRequestTarget(request.raw.url ?? request.url, request.query);
  if (target instanceof Error) throw target;
  request.target = target;
  request.query = target.query;
  request.requestInfo = requestAttributes(request.method, target);
}

/** Nothing when allowed; else the 403 worded as kube words it, or the 500 of a failed authorizer. */
function refuseUnlessAllowed(request: FastifyRequest, attrs: RequestAttributes, result: AuthorizationResult): void {
  if (result.decision === 'allow') return;
  if (result.error) {
    request.log.warn({ err: result.error }, 'authorization failed');
    throw errors.internal(result.error);
  }
  throw forbiddenError(attrs, request.user, result.reason);
}

/** Sets request.user; without one, undefined on health paths (no credentials needed), else the 401. */
function admitUser(request: FastifyRequest, user: UserInfo | undefined): Error | undefined {
  if (user) {
    request.user = user;
    return undefined;
  }
  if (isHealthPath(request.url)) return undefined;
  return errors.unauthorized();
}

/**
 * The user of the first authenticator, in order, that recognises the request. A promise only
 * once an authenticator answers with one; the ones after it are asked when it has settled.
 */
function authenticate(
  authenticators: readonly RequestAuthenticator[],
  request: FastifyRequest,
  from = 0,
): UserInfo | undefined | Promise<UserInfo | undefined> {
  for (let i = from; i < authenticators.length; i++) {
    const user = authenticators[i].authenticate(request);
    if (isPromiseLike(user)) return Promise.resolve(user).then((u) => (u ? u : authenticate(authenticators, request, i + 1)));
    if (user) return user;
  }
  return undefined;
}

/** A failure to hand to `done`: a falsy one would read as success (fastify's async hooks make it an error too). */
function asError(e: unknown): Error {
  return e ? (e as Error) : new Error('request hook failed without an error');
}

function isPromiseLike<T>(x: T | PromiseLike<T>): x is PromiseLike<T> {
  return typeof (x as { then?: unknown } | undefined)?.then === 'function';
}
