// buildAuthorizer: the delegated authorization union of k8s.io/apiserver
// pkg/server/options/authorization.go (toAuthorizer), asked in order, the first allow or deny
// deciding:
//   1. privileged groups (system:masters) are allowed everything without a review;
//   2. --authorization-always-allow-paths (non-resource requests; a trailing * is a prefix);
//   3. SubjectAccessReview to kube-apiserver (--authorization-kubeconfig), cached.
// With none of them saying yes the request is forbidden. --authorization-mode=AlwaysAllow
// replaces the union (and is warned about at startup); AlwaysDeny refuses everything.
import type { UserInfo } from '../../api.js';
import { errors, type StatusError } from '../../errors.js';
import { kubeClientFromFile, type KubeClient } from '../kube-client.js';
import type { AuthorizationConfig } from '../options.js';
import type { RequestAttributes } from './attributes.js';
import { type Authorize, type AuthorizationResult, subjectAccessReviewAuthorizer } from './webhook.js';
import { goQuote } from '../../go-quote.js';

export { requestAttributes, type RequestAttributes, type FieldSelectorRequirement, type LabelSelectorRequirement } from './attributes.js';
export { subjectAccessReviewSpec, type AuthorizationResult, type Decision, type SubjectAccessReviewSpec } from './webhook.js';

export interface BuildAuthorizerOptions {
  readonly config: AuthorizationConfig;
  /** A client for SubjectAccessReview; default: loaded from config.kubeconfig. */
  readonly client?: KubeClient;
  /** Where the startup warnings go (AlwaysAllow). Default: console.warn. */
  readonly log?: { warn(message: string): void };
}

export interface BuiltAuthorizer {
  authorize(attrs: RequestAttributes, user: UserInfo | undefined): Promise<AuthorizationResult>;
  /** What was warned at build time. */
  readonly warnings: readonly string[];
}

export function buildAuthorizer(opts: BuildAuthorizerOptions): BuiltAuthorizer {
  const c = opts.config;
  const log = opts.log ?? { warn: (m: string) => console.warn(m) };
  const warnings: string[] = [];
  if (c.mode === 'AlwaysAllow') {
    const banner =
      '*** WARNING: --authorization-mode=AlwaysAllow: every authenticated request is allowed, without any authorization. ' +
      'For local experiments only; never run this in a cluster. ***';
    warnings.push(banner);
    log.warn(banner);
    return { warnings, authorize: async () => ({ decision: 'allow', reason: '' }) };
  }
  if (c.mode === 'AlwaysDeny') {
    return { warnings, authorize: async () => ({ decision: 'deny', reason: 'Everything is forbidden.' }) };
  }

  const union: Authorize[] = [privilegedGroups(c.alwaysAllowGroups), alwaysAllowPaths(c.alwaysAllowPaths)];
  const client = opts.client ?? (c.kubeconfig ? kubeClientFromFile(c.kubeconfig, '--authorization-kubeconfig') : undefined);
  if (client) {
    union.push(
      subjectAccessReviewAuthorizer(client, {
        authorizedTtlMs: c.authorizedTtlMs,
        unauthorizedTtlMs: c.unauthorizedTtlMs,
        timeoutMs: c.timeoutMs,
      }),
    );
  }
  return {
    warnings,
    async authorize(attrs, user) {
      const reasons: string[] = [];
      const failures: Error[] = [];
      for (const a of union) {
        const r = await a(attrs, user);
        if (r.error) failures.push(r.error);
        if (r.decision === 'allow' || r.decision === 'deny') return r;
        if (r.reason) reasons.push(r.reason);
      }
      return {
        decision: 'noOpinion',
        reason: reasons.join('\n'),
        ...(failures.length ? { error: new Error(failures.map((e) => e.message).join(', ')) } : {}),
      };
    },
  };
}

/** pkg/authorization/authorizerfactory/builtin.go NewPrivilegedGroups. */
function privilegedGroups(groups: readonly string[]): Authorize {
  return async (_attrs, user) =>
    user && user.groups.some((g) => groups.includes(g)) ? { decision: 'allow', reason: '' } : { decision: 'noOpinion', reason: '' };
}

/** pkg/authorization/path/path.go: exact paths, or prefixes ending in `*`; leading `/` optional. */
function alwaysAllowPaths(paths: readonly string[]): Authorize {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of paths) {
    const t = p.replace(/^\//, '');
    if (t.endsWith('*')) prefixes.push(t.slice(0, -1));
    else exact.add(t);
  }
  return async (attrs) => {
    if (attrs.isResourceRequest) return { decision: 'noOpinion', reason: '' };
    const p = attrs.path.replace(/^\//, '');
    return exact.has(p) || prefixes.some((x) => p.startsWith(x)) ? { decision: 'allow', reason: '' } : { decision: 'noOpinion', reason: '' };
  };
}

/**
 * The 403 of a refused request, worded as pkg/endpoints/handlers/responsewriters/errors.go
 * (Forbidden, forbiddenMessage) and apimachinery's NewForbidden word it, `: <reason>` appended
 * when the authorizer gave one.
 */
export function forbiddenError(attrs: RequestAttributes, user: UserInfo | undefined, reason = ''): StatusError {
  const msg = sanitize(forbiddenMessage(attrs, user?.username ?? ''));
  const err = reason ? `${msg}: ${reason}` : msg;
  const group = attrs.apiGroup;
  const resource = attrs.resource;
  const name = attrs.name;
  let message: string;
  if (!group && !resource) message = `forbidden: ${err}`;
  else {
    const qualified = group ? `${resource}.${group}` : resource;
    message = name ? `${qualified} "${name}" is forbidden: ${err}` : `${qualified} is forbidden: ${err}`;
  }
  return errors.forbidden(message, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    ...(resource ? { kind: resource } : {}),
  });
}

function forbiddenMessage(attrs: RequestAttributes, username: string): string {
  if (!attrs.isResourceRequest) return `User ${q(username)} cannot ${attrs.verb} path ${q(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const head = `User ${q(username)} cannot ${attrs.verb} resource ${q(resource)} in API group ${q(attrs.apiGroup)}`;
  return attrs.namespace ? `${head} in the namespace ${q(attrs.namespace)}` : `${head} at the cluster scope`;
}

const q = goQuote;

/** responsewriters' sanitizer: the message may be shown in a browser. */
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
