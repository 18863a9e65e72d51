// `--max-requests-inflight` and `--max-mutating-requests-inflight`, as k8s.io/apiserver's
// WithMaxInFlightLimit (pkg/server/filters/maxinflight.go) applies them: after authentication and
// before authorization, long-running requests (watches) not counted, a verb other than get, list
// and watch counts as mutating, 0 turns a limit off, and a request over the limit gets 429 with
// `Retry-After: 1`, unless its user is in system:masters ("so powerful that they should always
// get an answer"). The 429 body is upstream's: http.Error's plain text, not a Status.
import type { FastifyInstance } from 'fastify';
import { requestAttributes } from '../auth/authz/index.js';
import { wellKnown } from '../auth/authn/types.js';
import { isLongRunning } from './chain.js';

export interface InflightLimits {
  readonly maxRequestsInFlight: number;
  readonly maxMutatingRequestsInFlight: number;
}

const readOnlyVerbs = new Set(['get', 'list', 'watch']);

/** The verb is get, list or watch (requestinfo.go): GET always; HEAD on a resource only. */
function readOnly(method: string, url: string): boolean {
  if (method === 'GET') return true;
  // The path decides (get or list); the query could only turn it into watch, also read-only.
  return method === 'HEAD' && readOnlyVerbs.has(requestAttributes(method, url.split('?', 1)[0]!).verb);
}

/** Installs the limit as an onRequest hook; register it after the handler chain's authentication. */
export function installMaxInFlight(app: FastifyInstance, limits: InflightLimits): void {
  if (limits.maxRequestsInFlight === 0 && limits.maxMutatingRequestsInFlight === 0) return;
  const inFlight = { readOnly: 0, mutating: 0 };
  app.addHook('onRequest', (request, reply, done) => {
    if (isLongRunning(request)) return done();
    const kind = readOnly(request.method, request.url) ? 'readOnly' : 'mutating';
    const limit = kind === 'readOnly' ? limits.maxRequestsInFlight : limits.maxMutatingRequestsInFlight;
    if (limit === 0) return done();
    if (inFlight[kind] >= limit) {
      if (request.user?.groups.includes(wellKnown.masters)) return done();
      reply
        .code(429)
        .header('Retry-After', '1')
        .header('Content-Type', 'text/plain; charset=utf-8')
        .header('X-Content-Type-Options', 'nosniff')
        .send('Too many requests, please try again later.\n');
      return;
    }
    inFlight[kind]++;
    reply.raw.once('close', () => inFlight[kind]--);
    done();
  });
}
