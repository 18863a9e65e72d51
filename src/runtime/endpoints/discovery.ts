// Discovery (API-CONTRACT section 1): GET /api (404), /apis (aggregated v2 / v2beta1 or legacy
// APIGroupList, by the client's Accept order), /apis/G (APIGroup), /apis/G/V (APIResourceList).
// Every document is serialized once, when the routes are built, from the ApiGroupDefinition;
// requests only pick bytes. Upstream: k8s.io/apiserver pkg/endpoints/discovery/
// (aggregated/handler.go, aggregated/etag.go, storageversionhash.go, group.go, version.go).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiGroupDefinition, KindDefinition } from '../api.js';
import { StatusError, errors } from '../errors.js';
import { acceptsJson, admitsPlainJson, isJson, parseAccept } from '../server/accept.js';
import { notFoundMessage, sendStatus } from './status.js';

const subresourceVerbs = ['get', 'patch', 'update'] as const;

/** base64 of the first 8 bytes of SHA-256 of `group/version/kind` (storageversionhash.go). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** Upper-case hex SHA-512, the content hash kube uses for ETags and OpenAPI v3 hashes. */
export function contentHash(bytes: string): string {
  return createHash('sha512').update(bytes).digest('hex').toUpperCase();
}

/** Served group versions in preference order, the preferred one first. */
export function servedVersions(group: ApiGroupDefinition): string[] {
  const served = group.versions.filter((v) => v.served).map((v) => v.version);
  const preferred = served.includes(group.preferredVersion) ? group.preferredVersion : served[0];
  return preferred === undefined ? [] : [preferred, ...served.filter((v) => v !== preferred)];
}

/** Kinds served in `version`, sorted by plural (the installer's order). */
export function kindsServedIn(group: ApiGroupDefinition, version: string): KindDefinition[] {
  return group.kinds
    .filter((k) => k.versions.some((kv) => kv.version === version && kv.served))
    .sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
}

function groupVersionEntries(group: ApiGroupDefinition) {
  const versions = servedVersions(group).map((v) => ({ groupVersion: `${group.group}/${v}`, version: v }));
  return { name: group.group, versions, preferredVersion: versions[0] };
}

/** metav1.APIResourceList: each main resource, then its subresources (client-node needs that). */
export function apiResourceList(group: ApiGroupDefinition, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const k of kindsServedIn(group, version)) {
    const namespaced = k.scope === 'Namespaced';
    resources.push({
      name: k.plural,
      singularName: k.singular,
      namespaced,
      kind: k.kind,
      verbs: [...k.verbs],
      ...(k.shortNames.length ? { shortNames: [...k.shortNames] } : {}),
      ...(k.categories.length ? { categories: [...k.categories] } : {}),
      storageVersionHash: storageVersionHash(k.group, k.storageVersion, k.kind),
    });
    if (k.subresources.scale) {
      resources.push({
        name: `${k.plural}/scale`,
        singularName: '',
        namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: [...subresourceVerbs],
      });
    }
    if (k.subresources.status) {
      resources.push({ name: `${k.plural}/status`, singularName: '', namespaced, kind: k.kind, verbs: [...subresourceVerbs] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group.group}/${version}`, resources };
}

/** apidiscovery APIGroupDiscoveryList for `apiVersion` (v2 and v2beta1 share the shape). */
export function aggregatedDiscovery(group: ApiGroupDefinition, apiVersion: 'v2' | 'v2beta1'): Record<string, unknown> {
  const versions = servedVersions(group).map((version) => ({
    version,
    resources: kindsServedIn(group, version).map((k) => {
      const responseKind = { group: k.group, version, kind: k.kind };
      const subresources: Record<string, unknown>[] = [];
      if (k.subresources.scale) {
        subresources.push({
          subresource: 'scale',
          responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
          verbs: [...subresourceVerbs],
        });
      }
      if (k.subresources.status) subresources.push({ subresource: 'status', responseKind, verbs: [...subresourceVerbs] });
      return {
        resource: k.plural,
        responseKind,
        scope: k.scope,
        singularResource: k.singular,
        verbs: [...k.verbs],
        ...(k.shortNames.length ? { shortNames: [...k.shortNames] } : {}),
        ...(k.categories.length ? { categories: [...k.categories] } : {}),
        ...(subresources.length ? { subresources } : {}),
      };
    }),
    freshness: 'Current',
  }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: [{ metadata: { name: group.group }, versions }],
  };
}

// Bodies are Buffers: encoded once, and sent with their Content-Type untouched (fastify
// rewrites the parameters of a JSON media type when the payload is a string).
interface CachedDocument {
  readonly body: Buffer;
  readonly etag: string;
  readonly contentType: string;
}

export interface DiscoveryDocuments {
  readonly group: string;
  readonly apiGroupList: Buffer;
  readonly apiGroup: Buffer;
  /** APIResourceList JSON by version. */
  readonly resourceLists: ReadonlyMap<string, Buffer>;
  readonly aggregated: { readonly v2: CachedDocument; readonly v2beta1: CachedDocument };
}

function cached(doc: unknown, contentType: string): CachedDocument {
  const json = JSON.stringify(doc);
  return { body: Buffer.from(json), etag: `"${contentHash(json)}"`, contentType };
}

const encode = (doc: unknown) => Buffer.from(JSON.stringify(doc));

const aggregatedType = (v: string) => `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;

/** Serializes every discovery document of `group` once. */
export function buildDiscovery(group: ApiGroupDefinition): DiscoveryDocuments {
  const entry = groupVersionEntries(group);
  const groups = entry.versions.length ? [entry] : [];
  return {
    group: group.group,
    apiGroupList: encode({ kind: 'APIGroupList', apiVersion: 'v1', groups }),
    apiGroup: encode({ kind: 'APIGroup', apiVersion: 'v1', ...entry }),
    resourceLists: new Map(servedVersions(group).map((v) => [v, encode(apiResourceList(group, v))])),
    aggregated: {
      v2: cached(aggregatedDiscovery(group, 'v2'), aggregatedType('v2')),
      v2beta1: cached(aggregatedDiscovery(group, 'v2beta1'), aggregatedType('v2beta1')),
    },
  };
}

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

/** The first form in the client's Accept order that we serve; undefined: 406. */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat | undefined {
  for (const r of parseAccept(accept)) {
    if (isJson(r) && r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList') {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
      continue;
    }
    if (admitsPlainJson(r)) return 'legacy';
  }
  return undefined;
}

/** True when If-None-Match names `etag` (weak or strong, in a list, or `*`). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

const onlyJson = ['application/json'];

function sendJson(request: FastifyRequest, reply: FastifyReply, body: Buffer): FastifyReply {
  if (!acceptsJson(request.headers.accept)) {
    return sendStatus(reply, errors.notAcceptable(onlyJson).toStatus());
  }
  return reply.type('application/json').send(body);
}

export function discoveryRoutes(app: FastifyInstance, docs: DiscoveryDocuments): void {
  // Extension servers do not serve the core group: 404 keeps client-go on aggregated discovery.
  app.get('/api', async (_request, reply) => sendStatus(reply, new StatusError('NotFound', notFoundMessage, {}).toStatus()));

  app.get('/apis', async (request, reply) => {
    reply.header('Vary', 'Accept');
    const format = negotiateDiscovery(request.headers.accept);
    if (format === undefined) {
      return sendStatus(reply, errors.notAcceptable([aggregatedType('v2'), aggregatedType('v2beta1'), 'application/json']).toStatus());
    }
    if (format === 'legacy') return reply.type('application/json').send(docs.apiGroupList);
    const doc = docs.aggregated[format];
    reply.header('ETag', doc.etag).header('Cache-Control', 'public');
    if (etagMatches(request.headers['if-none-match'], doc.etag)) return reply.code(304).send();
    return reply.type(doc.contentType).send(doc.body);
  });

  app.get(`/apis/${docs.group}`, async (request, reply) => sendJson(request, reply, docs.apiGroup));

  for (const [version, body] of docs.resourceLists) {
    app.get(`/apis/${docs.group}/${version}`, async (request, reply) => sendJson(request, reply, body));
  }
}
