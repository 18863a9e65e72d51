// REST handlers of every kind and served version (k8s.io/apiserver pkg/endpoints/installer.go
// and handlers/{get,create,update,patch,delete,watch}.go). Handlers decode, negotiate and encode;
// every read and write goes through the kind's ResourceStore. They never touch storage.
//
// Routes, per served version V of group G (R a plural, N a name, S status|scale):
//   /apis/G/V/namespaces/:namespace/R[/N[/S]]   namespaced kinds
//   /apis/G/V/R[/N[/S]]                         cluster-scoped kinds
//   /apis/G/V/R                                 list/watch across namespaces (namespaced kinds)
// Unknown resources, wrong scopes and unknown subresources are 404 NotFound; a known path with
// a method it does not serve is 405 MethodNotAllowed. Every error is a thrown StatusError; the
// server's error handler turns it into a metav1.Status.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiGroupDefinition, KindDefinition, KindVersionDefinition, KubeObject, UserInfo } from '../api.js';
import { StatusError, errors, isStatusError, type GroupResource } from '../errors.js';
import { exactMatch } from '../registry/fields.js';
import type { RequestContext, ResourceStore } from '../registry/interface.js';
import { applyPatch, decodePatch, patchedObjectInvalid, patchTypeOf, type PatchType } from '../patch/index.js';
import { deleteOptionsDecodeError, objectMetaDecodeError, summarizeData, typeMetaDecodeError } from '../registry/go-decode.js';
import { applyScale, scaleDecodeError, toScale } from '../registry/scale.js';
import { listSetAndMapErrors } from '../schema/list-type.js';
import { bodyText, decodeBody, decodesToPlainJson } from './body.js';
import { encodeList, encodeObject, encodeValue, type Encoded } from './encode.js';
import { mediaTypeOf, negotiateOutput, patchMediaTypes, type OutputFormat } from './negotiation.js';
import { warningHeaders } from './warnings.js';
import {
  parseDeleteOptions,
  parseGetOptions,
  parseReadOptions,
  parseWriteOptions,
  type RawQuery,
  type WriteOptions,
} from './query.js';
import { defaultWatchTimeoutSeconds, serveWatch, watchEncoder } from './watch.js';

export interface ResourceRoutesOptions {
  readonly group: ApiGroupDefinition;
  /** The store of each kind, by plural resource name. */
  readonly stores: ReadonlyMap<string, ResourceStore>;
  /** Watches without timeoutSeconds end after 1x-2x this many seconds (default 1800). */
  readonly minRequestTimeoutSeconds?: number;
}

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** What a matched URL addresses, before the method is looked at. */
interface Target {
  readonly store: ResourceStore;
  readonly kind: KindDefinition;
  readonly version: KindVersionDefinition;
  /** `group/version` of the endpoint. */
  readonly apiVersion: string;
  readonly gr: GroupResource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: 'status' | 'scale';
  /** A namespaced kind listed across all namespaces. */
  readonly allNamespaces: boolean;
}

interface RouteParams {
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
}

function notFoundResource(): StatusError {
  return new StatusError('NotFound', 'the server could not find the requested resource');
}

/** Registers the resource routes of one API group. Not wrapped in fastify-plugin: its body parsers stay inside it. */
export const resourceRoutes: FastifyPluginAsync<ResourceRoutesOptions> = async (app, opts) => {
  const { group, stores } = opts;
  const watches: WatchSettings = { live: new Set(), minRequestTimeoutSeconds: opts.minRequestTimeoutSeconds };

  // Bodies are read raw and decoded by the handlers, which know which media types each verb
  // takes (415 lists them), that an empty JSON body is fine, and that apply patches are YAML.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // End watches (and wait for their last bytes) before the server waits for connections to drain.
  app.addHook('preClose', async () => {
    await Promise.all([...watches.live].map((shutdown) => shutdown()));
  });

  for (const gv of group.versions) {
    if (!gv.served) continue;
    const apiVersion = `${group.group}/${gv.version}`;
    const base = `/apis/${apiVersion}`;

    const resolve = (params: RouteParams, namespaced: boolean): Target => {
      const store = stores.get(params.plural);
      if (!store) throw notFoundResource();
      const kind = store.kind;
      const version = kind.versions.find((v) => v.version === gv.version && v.served);
      if (!version) throw notFoundResource();
      const isNamespaced = kind.scope === 'Namespaced';
      if (namespaced && !isNamespaced) throw notFoundResource();
      const allNamespaces = !namespaced && isNamespaced;
      if (allNamespaces && params.name !== undefined) throw notFoundResource();
      let subresource: Target['subresource'];
      if (params.subresource !== undefined) {
        if (params.subresource === 'status' && kind.subresources.status) subresource = 'status';
        else if (params.subresource === 'scale' && kind.subresources.scale) subresource = 'scale';
        else throw notFoundResource();
      }
      return {
        store,
        kind,
        version,
        apiVersion,
        gr: { group: kind.group, resource: kind.plural },
        namespace: namespaced ? params.namespace : undefined,
        name: params.name,
        subresource,
        allNamespaces,
      };
    };

    const handle = (namespaced: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const route = routeOf(request, { params: request.params as RouteParams, namespaced });
      const target = resolve(route.params, route.namespaced);
      return dispatch(target, request, reply, watches);
    };

    for (const namespaced of [true, false]) {
      const prefix = namespaced ? `${base}/namespaces/:namespace` : base;
      for (const suffix of ['/:plural', '/:plural/:name', '/:plural/:name/:subresource']) {
        app.route({ method: [...methods], url: prefix + suffix, handler: handle(namespaced) });
      }
    }
  }
};

interface Route {
  readonly params: RouteParams;
  readonly namespaced: boolean;
}

/**
 * The route as kube routes it: by the decoded path (go-restful matches Go's URL.Path, decoded
 * before it is split), which is also what authorization read (the chain's parse). fastify's
 * router splits first and decodes each segment, so an escaped `/` inside a segment
 * (`flunders/a%2Fstatus`) would be one name to it, where authorization read a name and a
 * subresource; then the decoded path decides. (Without the chain, as in handler tests, the
 * router's route stands.)
 */
function routeOf(request: FastifyRequest, routed: Route): Route {
  const path = request.target?.path;
  if (path === undefined || !/%2f/i.test(request.url.split('?', 1)[0])) return routed;
  // /apis/<group>/<version>/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]
  let rest = path.split('/').slice(4);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3 || rest.some((seg) => seg === '') || namespace === '') throw notFoundResource();
  const [plural, name, subresource] = rest;
  return { params: { plural, ...(namespace !== undefined ? { namespace } : {}), name, subresource }, namespaced: namespace !== undefined };
}

function verbAllowed(t: Target, verb: string): boolean {
  return t.kind.verbs.length === 0 || t.kind.verbs.includes(verb);
}

/** Open watches (ended first on shutdown) and the default watch lifetime. */
interface WatchSettings {
  readonly live: Set<() => Promise<void>>;
  readonly minRequestTimeoutSeconds?: number;
}

async function dispatch(t: Target, request: FastifyRequest, reply: FastifyReply, watches: WatchSettings): Promise<unknown> {
  const method = request.method;
  const notAllowed = (): never => {
    throw errors.methodNotAllowed(method, t.gr);
  };
  if (t.name === undefined) {
    if (method === 'GET') {
      const q = parseReadOptions(request.query as RawQuery);
      if (q.watch) return verbAllowed(t, 'watch') ? watchCollection(t, request, reply, watches) : notAllowed();
      return verbAllowed(t, 'list') ? listCollection(t, request, reply) : notAllowed();
    }
    if (t.allNamespaces) return notAllowed();
    if (method === 'POST' && verbAllowed(t, 'create')) return create(t, request, reply);
    if (method === 'DELETE' && verbAllowed(t, 'deletecollection')) return deleteCollection(t, request, reply);
    return notAllowed();
  }
  if (t.subresource === 'scale') {
    if (method === 'GET') return getScale(t, request, reply);
    if (method === 'PUT') return updateScale(t, request, reply);
    if (method === 'PATCH') return patchScale(t, request, reply);
    return notAllowed();
  }
  if (t.subresource === 'status') {
    if (method === 'GET') return getObject(t, request, reply);
    if (method === 'PUT') return update(t, request, reply);
    if (method === 'PATCH') return patch(t, request, reply);
    return notAllowed();
  }
  if (method === 'GET' && verbAllowed(t, 'get')) return getObject(t, request, reply);
  if (method === 'PUT' && verbAllowed(t, 'update')) return update(t, request, reply);
  if (method === 'PATCH' && verbAllowed(t, 'patch')) return patch(t, request, reply);
  if (method === 'DELETE' && verbAllowed(t, 'delete')) return deleteObject(t, request, reply);
  return notAllowed();
}

// ---------------------------------------------------------------------------------------------
// Request context, warnings, sending

function userOf(request: FastifyRequest): UserInfo | undefined {
  return (request as unknown as { user?: UserInfo }).user;
}

function readContext(request: FastifyRequest): RequestContext {
  return { user: userOf(request), dryRun: false, fieldValidation: 'Ignore', warnings: [] };
}

function writeContext(request: FastifyRequest, w: WriteOptions): RequestContext {
  return { user: userOf(request), dryRun: w.dryRun, fieldManager: w.fieldManager, fieldValidation: w.fieldValidation, warnings: [] };
}

/** `Warning: 299 - "<text>"` values (k8s.io/apimachinery pkg/util/net/http.go NewWarningHeader). */
/** The reply serializer of send(): the body is already encoded. */
const asEncoded = (payload: string): string => payload;

function send(reply: FastifyReply, ctx: RequestContext, status: number, encoded: Encoded): FastifyReply {
  if (ctx.warnings.length > 0) reply.header('warning', warningHeaders(ctx.warnings));
  // A string through a pass-through serializer: fastify then keeps our Content-Type as is (a
  // plain string body would get `; charset=utf-8` added to JSON types), and node writes headers
  // and body as one string (a Buffer body cost an encoding copy and a second chunk per response).
  return reply.code(status).header('content-type', encoded.contentType).serializer(asEncoded).send(encoded.body);
}

function query(request: FastifyRequest): RawQuery {
  return request.query as RawQuery;
}

/**
 * Negotiated formats by (kind of request, Accept header): clients send the same few headers
 * again and again, so each is parsed once. Formats are immutable; 406s are not kept.
 */
const negotiated = new Map<string, OutputFormat>();
const maxNegotiated = 256;
const maxNegotiatedKey = 1024;

/** Output format for writes and plain reads: JSON or YAML (Table only on reads). */
function outputFor(request: FastifyRequest, read: { list: boolean } | undefined): OutputFormat {
  const accept = request.headers.accept;
  const key = `${read === undefined ? 'w' : read.list ? 'l' : 'r'}${accept === undefined ? '\u0000' : `:${accept}`}`;
  let format = negotiated.get(key);
  if (format === undefined) {
    format = negotiateOutput(accept, { transforms: read !== undefined, list: read?.list ?? false });
    if (negotiated.size >= maxNegotiated) negotiated.clear();
    // Accept headers may be up to 1 MiB (MaxHeaderBytes): only the usual short ones are kept.
    if (key.length <= maxNegotiatedKey) negotiated.set(key, format);
  }
  return format;
}

// ---------------------------------------------------------------------------------------------
// Reads

async function getObject(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, { list: false });
  const { includeObject } = parseReadOptions({ includeObject: query(request)['includeObject'] });
  const ctx = readContext(request);
  const obj = await t.store.get(ctx, t.namespace, t.name!, t.version.version, parseGetOptions(query(request)));
  return send(reply, ctx, 200, encodeObject({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject }, obj));
}

/**
 * handlers/get.go listOpts: a list or watch that authorization read as one name (requestinfo.go
 * takes it from a `metadata.name=` field selector) serves that name only, or is 400.
 */
function checkAuthorizedName(request: FastifyRequest, fieldSelector: string | undefined): void {
  const name = request.requestInfo?.name;
  if (!name) return;
  if (fieldSelector === undefined || exactMatch(fieldSelector, 'metadata.name') !== name) {
    throw errors.badRequest("fieldSelector metadata.name doesn't match requested name");
  }
}

async function listCollection(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const q = parseReadOptions(query(request));
  checkAuthorizedName(request, q.list.fieldSelector);
  const format = outputFor(request, { list: true });
  const ctx = readContext(request);
  const list = await t.store.list(ctx, t.namespace, t.version.version, q.list);
  return send(reply, ctx, 200, encodeList({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject: q.includeObject }, list));
}

async function watchCollection(t: Target, request: FastifyRequest, reply: FastifyReply, watches: WatchSettings) {
  const q = parseReadOptions(query(request));
  checkAuthorizedName(request, q.watchQuery.fieldSelector);
  const format = negotiateOutput(request.headers.accept, { transforms: true, list: false, watch: true });
  const ctx = readContext(request);
  // Errors before the stream starts (bad selector, 410 for a compacted RV) are plain Status replies.
  const stream = await t.store.watch(ctx, t.namespace, t.version.version, q.watchQuery);
  await serveWatch({
    reply,
    stream,
    encoder: watchEncoder(t.kind, format, q.includeObject),
    format,
    timeoutSeconds: q.timeoutSeconds ?? defaultWatchTimeoutSeconds(watches.minRequestTimeoutSeconds),
    headers: ctx.warnings.length > 0 ? { warning: warningHeaders(ctx.warnings) } : undefined,
    live: watches.live,
  });
  return reply;
}

// ---------------------------------------------------------------------------------------------
// Writes

/**
 * Checks and completes an object's apiVersion and kind against the endpoint (a missing one is
 * filled in, a different one is 400), and that it is an object at all.
 */
function typedObject(t: Target, body: unknown, typeMeta?: { kind: string; apiVersion: string }): KubeObject {
  const expected = typeMeta ?? { kind: t.kind.kind, apiVersion: t.apiVersion };
  if (body === undefined) throw errors.badRequest('the body of the request was empty: an object is required');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(`the body of the request must be a ${expected.kind} object`);
  }
  // Decoding into the Go types first (handlers/rest.go transformDecodeError words the failures).
  const typeErr = typeMetaDecodeError(body as Record<string, unknown>);
  if (typeErr) {
    throw errors.badRequest(`the object provided is unrecognized (must be of type ${expected.kind}): ${typeErr} (${summarizeData(JSON.stringify(body))})`);
  }
  const metaErr = objectMetaDecodeError(body as Record<string, unknown>, expected.kind);
  if (metaErr) {
    const version = expected.apiVersion.slice(expected.apiVersion.indexOf('/') + 1);
    throw errors.badRequest(`${expected.kind} in version "${version}" cannot be handled as a ${expected.kind}: ${metaErr}`);
  }
  const obj = shallowCopy(body as Record<string, unknown>);
  const apiVersion = obj['apiVersion'];
  const kind = obj['kind'];
  if (apiVersion !== undefined && apiVersion !== null && apiVersion !== '' && apiVersion !== expected.apiVersion) {
    throw errors.badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expected.apiVersion})`);
  }
  if (kind !== undefined && kind !== null && kind !== '' && kind !== expected.kind) {
    throw errors.badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${expected.kind})`);
  }
  obj['apiVersion'] = expected.apiVersion;
  obj['kind'] = expected.kind;
  obj['metadata'] = shallowCopy((obj['metadata'] as Record<string, unknown> | null | undefined) ?? {});
  return obj as KubeObject;
}

/**
 * typedObject for the result of a patch: what does not decode is a 422 naming the patched
 * object (handlers/patch.go applyPatchToCurrentObject), not a 400.
 */
function patchedTypedObject(t: Target, patched: unknown, typeMeta?: { kind: string; apiVersion: string }): KubeObject {
  if (patched !== null && typeof patched === 'object' && !Array.isArray(patched)) {
    const why = typeMetaDecodeError(patched as Record<string, unknown>) ?? objectMetaDecodeError(patched as Record<string, unknown>, (typeMeta ?? t.kind).kind);
    if (why) throw patchedObjectInvalid(patched, why);
  }
  return typedObject(t, patched, typeMeta);
}

/**
 * `{ ...src }` for JSON data, built key by key. (On Node 20, every property later added to an
 * object cloned by spread syntax takes a slow path, about 0.7 µs each; a create adds uid,
 * creationTimestamp, generation and resourceVersion to the metadata this copies.)
 */
function shallowCopy(src: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    // Assigning `__proto__` would set the prototype; spread syntax defines an own property.
    if (k === '__proto__') Object.defineProperty(out, k, { value: src[k], enumerable: true, writable: true, configurable: true });
    else out[k] = src[k];
  }
  return out;
}

/** The namespace in the body must match the URL's; an absent one is filled in. */
function checkNamespace(t: Target, obj: KubeObject): void {
  if (t.namespace === undefined) return;
  const ns = obj.metadata.namespace;
  if (ns !== undefined && ns !== '' && ns !== t.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = t.namespace;
}

/** handlers/rest.go checkName: the body's name must be the URL's. */
function checkName(t: Target, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  if (name !== t.name) throw errors.badRequest(`the name of the object (${name}) does not match the name on the URL (${t.name})`);
}

async function create(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const w = parseWriteOptions(query(request), 'CreateOptions');
  const obj = typedObject(t, decodeBody(request.headers['content-type'], request.body));
  checkNamespace(t, obj);
  const ctx = writeContext(request, w);
  // The decoded body is ours alone: the store may work on it instead of copying it first.
  const handOver = decodesToPlainJson(request.headers['content-type']);
  const created = await retryWithoutManagedFields((drop) => {
    if (!drop) return t.store.create(ctx, t.namespace, t.version.version, obj, { handOver });
    // The first attempt may have worked on `obj` in place: decode the body again.
    const again = withoutManagedFields(typedObject(t, decodeBody(request.headers['content-type'], request.body)));
    checkNamespace(t, again);
    return t.store.create(ctx, t.namespace, t.version.version, again, { handOver });
  });
  return send(reply, ctx, 201, encodeObject({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject: 'Metadata' }, created));
}

/**
 * handlers/create.go, update.go and patch.go: a write the storage refuses as too large is tried
 * once more without managedFields, which can be large (never for apply, whose managedFields are
 * the point). `write(true)` is that second attempt.
 */
async function retryWithoutManagedFields<T>(write: (dropManagedFields: boolean) => Promise<T>): Promise<T> {
  try {
    return await write(false);
  } catch (e) {
    if (!isStatusError(e, 'RequestEntityTooLarge')) throw e;
    return write(true);
  }
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Non-apply writes keep the live managedFields when the new object leaves them out. */
function keepManagedFields(obj: KubeObject, current: KubeObject | undefined): KubeObject {
  if (!current || obj.metadata.managedFields !== undefined || current.metadata.managedFields === undefined) return obj;
  return { ...obj, metadata: { ...obj.metadata, managedFields: current.metadata.managedFields } };
}

async function update(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const w = parseWriteOptions(query(request), 'UpdateOptions');
  const obj = typedObject(t, decodeBody(request.headers['content-type'], request.body));
  checkNamespace(t, obj);
  checkName(t, obj);
  const ctx = writeContext(request, w);
  const result = await retryWithoutManagedFields((drop) =>
    t.store.update(ctx, t.namespace, t.name!, t.version.version, (current) => (drop ? withoutManagedFields(obj) : keepManagedFields(obj, current)), {
      ...(t.subresource ? { subresource: t.subresource } : {}),
    }),
  );
  return send(reply, ctx, result.created ? 201 : 200, encodeObject({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject: 'Metadata' }, result.object));
}

function patchTypeFor(request: FastifyRequest): PatchType {
  const media = mediaTypeOf(request.headers['content-type']);
  const type = patchTypeOf(media);
  if (!type) throw errors.unsupportedMediaType(media, patchMediaTypes);
  return type;
}

function decodedPatch(request: FastifyRequest, type: PatchType): unknown {
  const text = bodyText(request.body);
  if (text === undefined) throw errors.badRequest('the body of a patch request must not be empty');
  return decodePatch(type, text);
}

/**
 * An apply that creates needs the create right too (handlers/patch.go withAuthorization:
 * createAuthorizerAttributes), asked once; undefined when the chain has no authorizer.
 */
function createAuthorization(t: Target, request: FastifyRequest): (() => Promise<void>) | undefined {
  const authorize = request.authorizeAlso;
  if (!authorize) return undefined;
  let decided: Promise<void> | undefined;
  return () =>
    (decided ??= authorize.call(request, {
      isResourceRequest: true,
      path: request.target?.path ?? request.url.split('?')[0],
      verb: 'create',
      apiPrefix: 'apis',
      apiGroup: t.kind.group,
      apiVersion: t.version.version,
      namespace: t.namespace ?? '',
      resource: t.kind.plural,
      subresource: t.subresource ?? '',
      name: t.name ?? '',
    }));
}

/**
 * An applied configuration must itself keep list-map keys and set elements unique: applying
 * merges elements by key, so duplicates would otherwise vanish silently instead of being the
 * 422 every other write path answers (schema/list-type.ts).
 */
function checkAppliedLists(t: Target, doc: unknown): void {
  const errs = listSetAndMapErrors(doc, t.version.schema);
  if (errs.length) throw errors.invalid(t.kind.group, t.kind.kind, t.name ?? '', errs);
}

async function patch(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const type = patchTypeFor(request);
  const w = parseWriteOptions(query(request), 'PatchOptions', type === 'apply');
  const doc = decodedPatch(request, type);
  if (type === 'apply') checkAppliedLists(t, doc);
  const ctx: RequestContext = { ...writeContext(request, w), authorizeCreate: createAuthorization(t, request) };
  const pctx = { versionSchema: t.version.schema, fieldManager: w.fieldManager, apiVersion: t.apiVersion, subresource: t.subresource };

  const write = (drop: boolean) =>
    t.store.update(ctx, t.namespace, t.name!, t.version.version, (current) => {
      if (!current) {
        // Only an apply patch creates (handlers/patch.go forceAllowCreate); others are 404.
        if (type !== 'apply') throw errors.notFound(t.gr, t.name!);
        const obj = typedObject(t, applyPatch('apply', undefined, typedObject(t, doc), pctx));
        checkNamespace(t, obj);
        checkName(t, obj);
        return obj;
      }
      const patched = applyPatch(type, current, type === 'apply' ? typedObject(t, doc) : doc, pctx);
      const obj = patchedTypedObject(t, patched);
      checkNamespace(t, obj);
      checkName(t, obj);
      // A patch that sets a different resourceVersion is a failed precondition (API-CONTRACT 3.8).
      const rv = obj.metadata.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw errors.modified(t.gr, t.name!);
      if (!rv) obj.metadata.resourceVersion = current.metadata.resourceVersion;
      if (type === 'apply') return obj;
      return drop ? withoutManagedFields(obj) : keepManagedFields(obj, current);
    }, { ...(t.subresource ? { subresource: t.subresource } : {}), ...(type === 'apply' && !t.subresource ? { allowCreate: true } : {}) });
  const result = await (type === 'apply' ? write(false) : retryWithoutManagedFields(write));
  return send(reply, ctx, result.created ? 201 : 200, encodeObject({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject: 'Metadata' }, result.object));
}

/** A DELETE body decoded, and checked as decoding into metav1.DeleteOptions checks it (400). */
function deleteOptionsBody(request: FastifyRequest): unknown {
  const body = decodeBody(request.headers['content-type'], request.body);
  const why = body === undefined ? undefined : deleteOptionsDecodeError(body);
  if (why) throw errors.badRequest(why);
  return body;
}

async function deleteObject(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const d = parseDeleteOptions(query(request), deleteOptionsBody(request), t.apiVersion);
  const ctx: RequestContext = { user: userOf(request), dryRun: d.dryRun, fieldValidation: 'Ignore', warnings: [] };
  const result = await t.store.delete(ctx, t.namespace, t.name!, t.version.version, d.options);
  if (!result.deleted) {
    return send(reply, ctx, 200, encodeObject({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject: 'Metadata' }, result.object));
  }
  const uid = result.object.metadata?.uid;
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: t.name, group: t.kind.group, kind: t.kind.plural, ...(uid ? { uid } : {}) },
  };
  return send(reply, ctx, 200, encodeValue(format, status));
}

async function deleteCollection(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const q = parseReadOptions(query(request));
  const d = parseDeleteOptions(query(request), deleteOptionsBody(request), t.apiVersion);
  const ctx: RequestContext = { user: userOf(request), dryRun: d.dryRun, fieldValidation: 'Ignore', warnings: [] };
  const list = await t.store.deleteCollection(ctx, t.namespace, t.version.version, q.list, d.options);
  return send(reply, ctx, 200, encodeList({ kind: t.kind, apiVersion: t.apiVersion, format, includeObject: 'Metadata' }, list));
}

// ---------------------------------------------------------------------------------------------
// /scale

const scaleTypeMeta = { kind: 'Scale', apiVersion: 'autoscaling/v1' };

async function getScale(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const ctx = readContext(request);
  const obj = await t.store.get(ctx, t.namespace, t.name!, t.version.version, parseGetOptions(query(request)));
  return send(reply, ctx, 200, encodeValue(format, toScale(t.kind, obj)));
}

async function updateScale(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const w = parseWriteOptions(query(request), 'UpdateOptions');
  const scale = typedObject(t, decodeBody(request.headers['content-type'], request.body), scaleTypeMeta);
  if (scale.metadata.name !== undefined && scale.metadata.name !== t.name) checkName(t, scale);
  const ctx = writeContext(request, w);
  const result = await t.store.update(ctx, t.namespace, t.name!, t.version.version, (current) => {
    if (!current) throw errors.notFound(t.gr, t.name!);
    return applyScale(t.kind, current, scale);
  }, { subresource: 'scale' });
  return send(reply, ctx, 200, encodeValue(format, toScale(t.kind, result.object)));
}

async function patchScale(t: Target, request: FastifyRequest, reply: FastifyReply) {
  const format = outputFor(request, undefined);
  const type = patchTypeFor(request);
  const w = parseWriteOptions(query(request), 'PatchOptions', type === 'apply');
  const doc = decodedPatch(request, type);
  const ctx = writeContext(request, w);
  const result = await t.store.update(ctx, t.namespace, t.name!, t.version.version, (current) => {
    if (!current) throw errors.notFound(t.gr, t.name!);
    const before = toScale(t.kind, current);
    // A Scale has no list fields: every patch type is a plain merge of its small document.
    const patched = applyPatch(type === 'apply' ? 'merge' : type, before, doc, {
      versionSchema: undefined,
      apiVersion: 'autoscaling/v1',
    });
    // A resourceVersion the patch sets is the precondition; applyScale carries it to the store.
    const scale = patchedTypedObject(t, patched, scaleTypeMeta);
    const why = scaleDecodeError(scale);
    if (why) throw patchedObjectInvalid(patched, why);
    return applyScale(t.kind, current, scale);
  }, { subresource: 'scale' });
  return send(reply, ctx, 200, encodeValue(format, toScale(t.kind, result.object)));
}
