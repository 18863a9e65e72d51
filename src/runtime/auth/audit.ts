// Audit logging: one audit.k8s.io/v1 Event JSON line per request at stage ResponseComplete
// (k8s.io/apiserver pkg/apis/audit/v1/types.go; pkg/audit/request.go fills it; the log backend
// plugin/pkg/audit/log writes one JSON object per line). `--audit-policy-file` is an
// audit.k8s.io/v1 Policy whose first matching rule decides the level (pkg/audit/policy/
// checker.go); without one every request is logged at Metadata.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../api.js';
import type { RequestAttributes } from './authz/attributes.js';
import { copyUserExtra } from './user-extra.js';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
const levels: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

export interface GroupResources {
  readonly group?: string;
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface PolicyRule {
  readonly level: AuditLevel;
  readonly users?: readonly string[];
  readonly userGroups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resources?: readonly GroupResources[];
  readonly namespaces?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface AuditPolicy {
  readonly rules: readonly PolicyRule[];
}

/** Everything at Metadata: the policy used without --audit-policy-file. */
export const defaultAuditPolicy: AuditPolicy = { rules: [{ level: 'Metadata' }] };

/** What the handler chain knows about a finished request. */
export interface AuditRecord {
  /** The request target as received (path and query). */
  readonly requestURI: string;
  readonly attributes: RequestAttributes;
  /** Undefined when authentication failed. */
  readonly user?: UserInfo;
  readonly sourceIPs: readonly string[];
  readonly userAgent?: string;
  readonly responseCode: number;
  readonly requestReceived: Date;
  /** Default: now. */
  readonly completed?: Date;
  /** A UUID carried over from an `Audit-ID` request header, else one is made. */
  readonly auditID?: string;
  /** e.g. `authorization.k8s.io/decision: allow`. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Logged at level Request and RequestResponse. */
  readonly requestObject?: unknown;
  /** Logged at level RequestResponse. */
  readonly responseObject?: unknown;
}

export interface AuditLogger {
  /** The level the policy gives a request (callers skip capturing bodies below Request). */
  levelFor(attributes: RequestAttributes, user: UserInfo | undefined): AuditLevel;
  /** Writes the event line (nothing at level None); returns the event written. */
  logRequest(record: AuditRecord): Record<string, unknown> | undefined;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export interface AuditLoggerOptions {
  /** A file to append to, or '-' for standard out. */
  readonly logPath: string;
  readonly policyFile?: string;
}

/** A policy file that cannot be used; the message names the file and the problem. */
export class AuditPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditPolicyError';
  }
}

export async function createAuditLogger(opts: AuditLoggerOptions): Promise<AuditLogger> {
  const policy = opts.policyFile ? await loadAuditPolicy(opts.policyFile) : defaultAuditPolicy;
  const toStdout = opts.logPath === '-';
  const stream: WriteStream | NodeJS.WriteStream = toStdout ? process.stdout : createWriteStream(opts.logPath, { flags: 'a', mode: 0o600 });
  if (!toStdout) {
    await new Promise<void>((resolve, reject) => {
      (stream as WriteStream).once('open', () => resolve());
      stream.once('error', reject);
    });
  }
  const levelFor = (attributes: RequestAttributes, user: UserInfo | undefined) => policyLevel(policy, attributes, user);
  // After close (shutdown), late events (a watch cut last) are dropped rather than written to an
  // ended stream, which would throw.
  let closed: Promise<void> | undefined;
  return {
    levelFor,
    logRequest(record) {
      if (closed) return undefined;
      const level = levelFor(record.attributes, record.user);
      if (level === 'None') return undefined;
      const event = auditEvent(record, level);
      stream.write(JSON.stringify(event) + '\n');
      return event;
    },
    close() {
      if (toStdout) return (closed ??= Promise.resolve());
      return (closed ??= new Promise((resolve) => (stream as WriteStream).end(() => resolve())));
    },
  };
}

/** The Event for `record` at `level`, fields in the order of audit/v1 Event. */
export function auditEvent(record: AuditRecord, level: Exclude<AuditLevel, 'None'>): Record<string, unknown> {
  const a = record.attributes;
  const event: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level,
    auditID: record.auditID ?? randomUUID(),
    stage: 'ResponseComplete',
    requestURI: record.requestURI,
    verb: a.verb,
    user: record.user ? userInfoJson(record.user) : {},
    sourceIPs: [...record.sourceIPs],
  };
  if (record.userAgent) event.userAgent = record.userAgent;
  if (a.isResourceRequest) {
    const ref: Record<string, string> = {};
    const put = (k: string, v: string) => {
      if (v) ref[k] = v;
    };
    put('resource', a.resource);
    put('namespace', a.namespace);
    put('name', a.name);
    put('apiGroup', a.apiGroup);
    put('apiVersion', a.apiVersion);
    put('subresource', a.subresource);
    event.objectRef = ref;
  }
  event.responseStatus = { metadata: {}, code: record.responseCode };
  if ((level === 'Request' || level === 'RequestResponse') && record.requestObject !== undefined) event.requestObject = record.requestObject;
  if (level === 'RequestResponse' && record.responseObject !== undefined) event.responseObject = record.responseObject;
  event.requestReceivedTimestamp = microTime(record.requestReceived);
  event.stageTimestamp = microTime(record.completed ?? new Date());
  if (record.annotations && Object.keys(record.annotations).length) event.annotations = { ...record.annotations };
  return event;
}

function userInfoJson(u: UserInfo): Record<string, unknown> {
  return {
    username: u.username,
    ...(u.uid ? { uid: u.uid } : {}),
    ...(u.groups.length ? { groups: [...u.groups] } : {}),
    ...(u.extra && Object.keys(u.extra).length ? { extra: copyUserExtra(u.extra) } : {}),
  };
}

/** metav1.MicroTime: RFC 3339 with microseconds, UTC. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The level of the first rule that matches; None when no rule does (checker.go). */
export function policyLevel(policy: AuditPolicy, a: RequestAttributes, user: UserInfo | undefined): AuditLevel {
  for (const r of policy.rules) if (ruleMatches(r, a, user)) return r.level;
  return 'None';
}

function ruleMatches(r: PolicyRule, a: RequestAttributes, user: UserInfo | undefined): boolean {
  if (r.users?.length && (!user || !r.users.includes(user.username))) return false;
  if (r.userGroups?.length && (!user || !user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return resourceMatches(r, a);
  if (r.nonResourceURLs?.length) return !a.isResourceRequest && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function resourceMatches(r: PolicyRule, a: RequestAttributes): boolean {
  if (!a.isResourceRequest) return false;
  // Cluster-scoped requests have the namespace "".
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== a.apiGroup) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

/** Reads and checks an audit.k8s.io/v1 Policy (YAML or JSON). */
export async function loadAuditPolicy(path: string): Promise<AuditPolicy> {
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(path, 'utf8'));
  } catch (e) {
    throw new AuditPolicyError(`--audit-policy-file ${path}: ${(e as Error).message}`);
  }
  return validateAuditPolicy(doc, `--audit-policy-file ${path}`);
}

export function validateAuditPolicy(doc: unknown, source: string): AuditPolicy {
  const problems: string[] = [];
  const d = (doc ?? {}) as Record<string, unknown>;
  if (d.kind !== 'Policy') problems.push(`kind must be Policy, not ${JSON.stringify(d.kind)}`);
  if (d.apiVersion !== 'audit.k8s.io/v1') problems.push(`apiVersion must be audit.k8s.io/v1, not ${JSON.stringify(d.apiVersion)}`);
  const rules = d.rules;
  if (!Array.isArray(rules) || rules.length === 0) problems.push('rules: must list at least one rule');
  const out: PolicyRule[] = [];
  (Array.isArray(rules) ? rules : []).forEach((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const at = `rules[${i}]`;
    if (!levels.includes(r.level as AuditLevel)) problems.push(`${at}.level: must be one of ${levels.join(', ')}`);
    const strings = (k: string) => {
      const v = r[k];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
        problems.push(`${at}.${k}: must be a list of strings`);
        return undefined;
      }
      return v as string[];
    };
    const nonResourceURLs = strings('nonResourceURLs');
    const namespaces = strings('namespaces');
    const resources = Array.isArray(r.resources) ? (r.resources as GroupResources[]) : undefined;
    if (r.resources !== undefined && !resources) problems.push(`${at}.resources: must be a list`);
    if (nonResourceURLs?.length && (namespaces?.length || resources?.length)) {
      problems.push(`${at}: rules cannot apply to both regular resources and non-resource URLs`);
    }
    out.push({
      level: r.level as AuditLevel,
      users: strings('users'),
      userGroups: strings('userGroups'),
      verbs: strings('verbs'),
      resources,
      namespaces,
      nonResourceURLs,
    });
  });
  if (problems.length) throw new AuditPolicyError(`${source}: ${problems.join('; ')}`);
  return { rules: out };
}

/** The client addresses kube records: X-Forwarded-For, then X-Real-Ip, then the peer (utilnet.SourceIPs). */
export function sourceIPs(headers: Readonly<Record<string, string | string[] | undefined>>, remoteAddress: string | undefined): string[] {
  const out: string[] = [];
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);
  for (const ip of (first(headers['x-forwarded-for']) ?? '').split(',')) if (ip.trim()) out.push(ip.trim());
  const real = first(headers['x-real-ip'])?.trim();
  if (real && !out.includes(real)) out.push(real);
  const peer = remoteAddress?.replace(/^::ffff:/, '');
  if (peer && !out.includes(peer)) out.push(peer);
  return out;
}
