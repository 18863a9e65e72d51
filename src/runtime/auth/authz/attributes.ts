// Request attributes for authorization: k8s.io/apiserver pkg/endpoints/request/requestinfo.go
// (NewRequestInfo) and pkg/endpoints/filters/authorization.go (GetAuthorizerAttributes, which
// parses selectors into requirements under the AuthorizeWithSelectors gate, on by default since
// Kubernetes 1.32; KEP-4601). Attributes come from the request target and method alone: the
// one parse of the target (server/request-target.ts) that the handlers read too.
import type { ApiGroupDefinition } from '../../api.js';
import { exactMatch, parseFieldSelectorOrThrow } from '../../registry/fields.js';
import { parseLabelSelectorOrThrow } from '../../registry/labels.js';
import { lenientRequestTarget, type Query, type RequestTarget } from '../../server/request-target.js';

/** A field selector requirement as a SubjectAccessReview carries it. */
export interface FieldSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn';
  readonly values: readonly string[];
}

/** A label selector requirement as a SubjectAccessReview carries it. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** authorizer.Attributes without the user. Strings are '' when absent, as upstream. */
export interface RequestAttributes {
  readonly isResourceRequest: boolean;
  /** The URL path (no query). */
  readonly path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection, proxy; or the lower-case method for non-resource requests. */
  readonly verb: string;
  /** `api` or `apis` for resource requests. */
  readonly apiPrefix: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** Parsed selectors of list/watch/deletecollection; undefined when absent or unparsable. */
  readonly fieldSelector?: readonly FieldSelectorRequirement[];
  readonly labelSelector?: readonly LabelSelectorRequirement[];
}

const apiPrefixes = new Set(['api', 'apis']);
const grouplessApiPrefixes = new Set(['api']);
const specialVerbs = new Set(['proxy', 'watch']);
const specialVerbsNoSubresources = new Set(['proxy']);
const namespaceSubresources = new Set(['status', 'finalize']);

/**
 * The attributes of a request. `target` is the parsed request target (the chain's), or a URL
 * (path and query, as `request.url`) read the same way, minus what does not decode. `_group`
 * is accepted for call-site convenience and not read: kube derives attributes from the URL
 * alone, so a path outside the served group is described the same way.
 */
export function requestAttributes(method: string, target: string | RequestTarget, _group?: ApiGroupDefinition): RequestAttributes {
  const t = typeof target === 'string' ? lenientRequestTarget(target) : target;
  // Go's req.URL.Path: percent-decoded, and split after decoding.
  const path = t.path;
  const query = t.query;
  const nonResource: RequestAttributes = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };

  let parts = splitPath(path);
  if (parts.length < 3 || !apiPrefixes.has(parts[0])) return nonResource;
  const apiPrefix = parts[0];
  parts = parts.slice(1);
  let apiGroup = '';
  if (!grouplessApiPrefixes.has(apiPrefix)) {
    if (parts.length < 3) return nonResource;
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);

  let verb: string;
  let verbFromPath = false;
  if (specialVerbs.has(parts[0])) {
    // `/watch/<resource>` with nothing after it cannot name a resource: upstream errors, and
    // the request is then treated as non-resource.
    if (parts.length < 2) return nonResource;
    verb = parts[0];
    verbFromPath = true;
    parts = parts.slice(1);
  } else {
    verb = methodVerbs[method.toUpperCase()] ?? '';
  }

  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1];
      // `/namespaces/<ns>/<resource>...`; `/namespaces/<ns>/status|finalize` is the namespace's own subresource.
      if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
    }
  }

  let resource = '';
  let name = '';
  let subresource = '';
  if (parts.length >= 3 && !specialVerbsNoSubresources.has(verb)) subresource = parts[2];
  if (parts.length >= 2) name = parts[1];
  if (parts.length >= 1) resource = parts[0];

  let fieldSelector: FieldSelectorRequirement[] | undefined;
  let labelSelector: LabelSelectorRequirement[] | undefined;
  let parseSelectors = false;
  if (!name && verb === 'get') {
    // Any watch value but 0/false means watch (runtime/conversion.go Convert_Slice_string_To_bool).
    const watch = first(query, 'watch');
    verb = watch !== undefined && !['false', '0'].includes(watch.toLowerCase()) ? 'watch' : 'list';
    parseSelectors = true;
  }
  if (!name && verb === 'delete') {
    verb = 'deletecollection';
    parseSelectors = true;
  }
  // Selectors are read for list/watch/deletecollection, not for the legacy /watch/ paths.
  if (parseSelectors && !verbFromPath) {
    const fs = first(query, 'fieldSelector');
    if (fs) {
      fieldSelector = fieldRequirements(fs);
      // A list/watch pinned to one name is authorized as that name (a single-object informer),
      // when the whole of ListOptions decodes (requestinfo.go drops the name otherwise). The
      // handler holds the selector to that name (resources.ts, as handlers/get.go listOpts).
      if (verb !== 'deletecollection' && listOptionsDecode(query)) {
        const pinned = exactMatch(fs, 'metadata.name');
        if (pinned !== undefined && isValidPathSegmentName(pinned)) name = pinned;
      }
    }
    const ls = first(query, 'labelSelector');
    if (ls) labelSelector = labelRequirements(ls);
  }

  return {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
    ...(fieldSelector?.length ? { fieldSelector } : {}),
    ...(labelSelector?.length ? { labelSelector } : {}),
  };
}

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function splitPath(p: string): string[] {
  const t = p.replace(/^\/+|\/+$/g, '');
  return t === '' ? [] : t.split('/');
}

/** The first value, as url.Values.Get does. */
function first(q: Query, key: string): string | undefined {
  const v = q[key];
  return typeof v === 'string' ? v : v?.[0];
}

/**
 * Whether ListOptions decodes from `q` (ParameterCodec.DecodeParameters): both selectors
 * parse and the integer options are integers (Convert_Slice_string_To_int64, strconv.ParseInt).
 */
function listOptionsDecode(q: Query): boolean {
  for (const key of ['limit', 'timeoutSeconds']) {
    const v = first(q, key);
    if (v !== undefined && !isInt64(v)) return false;
  }
  const ls = first(q, 'labelSelector');
  if (ls) {
    try {
      parseLabelSelectorOrThrow(ls);
    } catch {
      return false;
    }
  }
  const fs = first(q, 'fieldSelector');
  if (fs) {
    try {
      parseFieldSelectorOrThrow(fs);
    } catch {
      return false;
    }
  }
  return true;
}

function isInt64(v: string): boolean {
  if (!/^[-+]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** apimachinery pkg/api/validation/path IsValidPathSegmentName. */
function isValidPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/** `=`/`==` as In, `!=` as NotIn, one value each (webhook.go fieldSelectorToAuthorizationAPI). */
function fieldRequirements(selector: string): FieldSelectorRequirement[] | undefined {
  try {
    return parseFieldSelectorOrThrow(selector).map((r) => ({
      key: r.field,
      operator: r.operator === '!=' ? 'NotIn' : 'In',
      values: [r.value],
    }));
  } catch {
    return undefined; // a parse error leaves the request unlimited (selectors only narrow)
  }
}

/** Equality and set operators map to In/NotIn, existence to Exists/DoesNotExist; gt/lt are dropped. */
function labelRequirements(selector: string): LabelSelectorRequirement[] | undefined {
  let reqs;
  try {
    reqs = parseLabelSelectorOrThrow(selector).requirements;
  } catch {
    return undefined;
  }
  const out: LabelSelectorRequirement[] = [];
  for (const r of reqs) {
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        out.push({ key: r.key, operator: 'In', values: [...r.values] });
        break;
      case '!=':
      case 'notin':
        out.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'exists':
        out.push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        out.push({ key: r.key, operator: 'DoesNotExist' });
        break;
      default:
        break; // gt, lt: "unhandled operator for labelselector"
    }
  }
  return out;
}
