// OpenAPI serving (API-CONTRACT section 2), after kube-openapi pkg/handler3/handler.go and
// pkg/handler/handler.go. Documents come ready-made in `group.openapi`; they are serialized and
// hashed once here, never per request.
//
// /openapi/v2 decision (2.4): JSON is served when the Accept header admits JSON (the
// aggregator asks for application/json and merges it into the cluster's document); any other
// Accept (client-go asks only for the gnostic protobuf, which we do not build) gets 406.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiGroupDefinition } from '../api.js';
import { StatusError, errors } from '../errors.js';
import { acceptsJson } from '../server/accept.js';
import { contentHash, etagMatches } from './discovery.js';
import { notFoundMessage, sendStatus } from './status.js';

interface HashedDocument {
  /** Encoded once; a Buffer so fastify sends the Content-Type as set. */
  readonly body: Buffer;
  /** Upper-case hex SHA-512 of `body`. */
  readonly hash: string;
}

export interface OpenAPIServing {
  /** The /openapi/v3 index. */
  readonly index: HashedDocument;
  /** Per group-version documents keyed `apis/<group>/<version>`. */
  readonly v3: ReadonlyMap<string, HashedDocument>;
  readonly v2: HashedDocument;
}

function hashed(doc: unknown): HashedDocument {
  const json = JSON.stringify(doc);
  return { body: Buffer.from(json), hash: contentHash(json) };
}

/** The URL clients fetch a document at: its content hash makes it cacheable forever. */
export function openAPIV3URL(key: string, hash: string): string {
  return `/openapi/v3/${key}?hash=${hash}`;
}

export function buildOpenAPI(group: ApiGroupDefinition): OpenAPIServing {
  const v3 = new Map<string, HashedDocument>();
  // Only our own `apis/G/V` keys (2.1): the aggregator merges every server's keys, last wins.
  for (const key of Object.keys(group.openapi.v3).sort()) {
    if (!key.startsWith(`apis/${group.group}/`)) continue;
    v3.set(key, hashed(group.openapi.v3[key]));
  }
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, doc] of v3) paths[key] = { serverRelativeURL: openAPIV3URL(key, doc.hash) };
  return { index: hashed({ paths }), v3, v2: hashed(group.openapi.v2) };
}

const jsonOnly = ['application/json'];


/** Sends a document with its ETag, answering 304 to a matching If-None-Match. */
function sendDocument(request: FastifyRequest, reply: FastifyReply, doc: HashedDocument): FastifyReply {
  const etag = `"${doc.hash}"`;
  reply.header('ETag', etag).header('Vary', 'Accept');
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type('application/json').send(doc.body);
}

export function openapiRoutes(app: FastifyInstance, docs: OpenAPIServing): void {
  app.get('/openapi/v3', async (request, reply) => {
    if (!acceptsJson(request.headers.accept)) return sendStatus(reply, errors.notAcceptable(jsonOnly).toStatus());
    return sendDocument(request, reply, docs.index);
  });

  app.get('/openapi/v3/*', async (request, reply) => {
    const key = (request.params as { '*': string })['*'];
    const doc = docs.v3.get(key);
    if (!doc) return sendStatus(reply, new StatusError('NotFound', notFoundMessage, {}).toStatus());
    if (!acceptsJson(request.headers.accept)) return sendStatus(reply, errors.notAcceptable(jsonOnly).toStatus());
    const hash = (request.query as Record<string, unknown>).hash;
    if (typeof hash === 'string' && hash !== '') {
      // A stale hash: send the client to the current content (clients cache by URL).
      if (hash !== doc.hash) return reply.redirect(openAPIV3URL(key, doc.hash), 301);
      reply
        .header('Cache-Control', 'public, immutable')
        .header('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
    }
    return sendDocument(request, reply, doc);
  });

  app.get('/openapi/v2', async (request, reply) => {
    if (!acceptsJson(request.headers.accept)) return sendStatus(reply, errors.notAcceptable(jsonOnly).toStatus());
    return sendDocument(request, reply, docs.v2);
  });
}
