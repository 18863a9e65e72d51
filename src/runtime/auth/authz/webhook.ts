// Delegated authorization by SubjectAccessReview (k8s.io/apiserver plugin/pkg/authorizer/
// webhook/webhook.go): the review body is built as upstream builds it, fields in Go's order
// and empty ones omitted; answers are cached by a hash of the JSON of the spec, allowed ones for the
// authorized TTL, all others for the unauthorized TTL. Failed reviews are not cached and
// surface as errors (the caller answers 500, as the WithAuthorization filter does).
import { createHash } from 'node:crypto';
import type { UserInfo } from '../../api.js';
import { describeFailure, type KubeClient } from '../kube-client.js';
import { TtlCache } from '../ttl-cache.js';
import { copyUserExtra } from '../user-extra.js';
import type { RequestAttributes } from './attributes.js';

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthorizationResult {
  readonly decision: Decision;
  /** Why, when the authorizer says (shown after the forbidden message). */
  readonly reason: string;
  /** The authorizer failed (review unreachable...): not an allow; answer 500. */
  readonly error?: Error;
}

export interface SubjectAccessReviewSpec {
  resourceAttributes?: Record<string, unknown>;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
}

/** The review spec for `attrs` and `user`, exactly as webhook.go marshals it (omitempty). */
export function subjectAccessReviewSpec(attrs: RequestAttributes, user: UserInfo | undefined): SubjectAccessReviewSpec {
  const spec: SubjectAccessReviewSpec = {};
  if (attrs.isResourceRequest) {
    const ra: Record<string, unknown> = {};
    const put = (k: string, v: string) => {
      if (v) ra[k] = v;
    };
    put('namespace', attrs.namespace);
    put('verb', attrs.verb);
    put('group', attrs.apiGroup);
    put('version', attrs.apiVersion);
    put('resource', attrs.resource);
    put('subresource', attrs.subresource);
    put('name', attrs.name);
    if (attrs.fieldSelector?.length) ra.fieldSelector = { requirements: attrs.fieldSelector.map((r) => ({ ...r, values: [...r.values] })) };
    if (attrs.labelSelector?.length) {
      ra.labelSelector = {
        requirements: attrs.labelSelector.map((r) => (r.values?.length ? { ...r, values: [...r.values] } : { key: r.key, operator: r.operator })),
      };
    }
    spec.resourceAttributes = ra;
  } else {
    spec.nonResourceAttributes = { ...(attrs.path ? { path: attrs.path } : {}), ...(attrs.verb ? { verb: attrs.verb } : {}) };
  }
  if (user) {
    if (user.username) spec.user = user.username;
    if (user.groups.length) spec.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length) {
      spec.extra = copyUserExtra(user.extra);
    }
    if (user.uid) spec.uid = user.uid;
  }
  return spec;
}

export interface SubjectAccessReviewOptions {
  readonly authorizedTtlMs: number;
  readonly unauthorizedTtlMs: number;
  readonly timeoutMs: number;
}

export type Authorize = (attrs: RequestAttributes, user: UserInfo | undefined) => Promise<AuthorizationResult>;

export function subjectAccessReviewAuthorizer(client: KubeClient, opts: SubjectAccessReviewOptions): Authorize {
  const cache = new TtlCache<{ allowed: boolean; denied: boolean; reason: string }>();
  return async (attrs, user) => {
    const spec = subjectAccessReviewSpec(attrs, user);
    // Hashed: a spec carries the request target, which may be up to 1 MiB (MaxHeaderBytes).
    const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    let status = cache.get(key);
    if (!status) {
      const review = {
        kind: 'SubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec,
        status: { allowed: false },
      };
      let res;
      try {
        res = await client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review, { timeoutMs: opts.timeoutMs });
      } catch (e) {
        return { decision: 'noOpinion', reason: '', error: new Error(`SubjectAccessReview failed: ${(e as Error).message}`) };
      }
      if (res.status < 200 || res.status > 299) {
        return { decision: 'noOpinion', reason: '', error: new Error(`SubjectAccessReview failed: ${describeFailure(res)}`) };
      }
      const s = ((res.body ?? {}) as { status?: { allowed?: boolean; denied?: boolean; reason?: string } }).status ?? {};
      status = { allowed: s.allowed === true, denied: s.denied === true, reason: s.reason ?? '' };
      cache.set(key, status, status.allowed ? opts.authorizedTtlMs : opts.unauthorizedTtlMs);
    }
    if (status.allowed && status.denied) {
      return { decision: 'deny', reason: status.reason, error: new Error('webhook subject access review returned both allow and deny response') };
    }
    if (status.denied) return { decision: 'deny', reason: status.reason };
    if (status.allowed) return { decision: 'allow', reason: status.reason };
    return { decision: 'noOpinion', reason: status.reason };
  };
}
