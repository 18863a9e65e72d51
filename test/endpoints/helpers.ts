// A fastify app with only the resource routes and a minimal Status error handler (the real
// server shell adds TLS, authn and the rest), on a real registry store over memory storage.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { resourceRoutes } from '../../src/runtime/endpoints/resources.js';
import { StatusError, errors, isStatusError } from '../../src/runtime/errors.js';
import type { ResourceStore } from '../../src/runtime/registry/interface.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import { group } from './fixture.js';

export { group };

function toStatusError(err: unknown): StatusError {
  if (isStatusError(err)) return err;
  const e = err as { statusCode?: number; message?: string; code?: string };
  if (e.statusCode === 413) return errors.tooLarge();
  if (e.statusCode === 415) return errors.unsupportedMediaType('', ['application/json']);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return errors.badRequest(e.message ?? 'bad request');
  return errors.internal(err);
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly stores: ReadonlyMap<string, ResourceStore>;
  readonly storage: Storage;
  close(): Promise<void>;
}

/** `onRequest`: a hook run before the routes (standing in for the server's handler chain). */
export async function startApp(opts: { onRequest?: (request: FastifyRequest) => void } = {}): Promise<TestApp> {
  const storage = createMemoryStorage();
  const stores = new Map<string, ResourceStore>(group.kinds.map((k) => [k.plural, createResourceStore(k, storage, { prefix: '/registry' })]));
  const app = Fastify({ bodyLimit: 3 * 1024 * 1024 });
  app.setErrorHandler((err, _req, reply) => {
    const s = toStatusError(err);
    void reply.code(s.code).header('content-type', 'application/json').send(JSON.stringify(s.toStatus()));
  });
  app.setNotFoundHandler((_req, reply) => {
    const s = new StatusError('NotFound', 'the server could not find the requested resource');
    void reply.code(404).header('content-type', 'application/json').send(JSON.stringify(s.toStatus()));
  });
  const onRequest = opts.onRequest;
  if (onRequest) app.addHook('onRequest', async (request) => onRequest(request));
  await app.register(resourceRoutes, { group, stores });
  await app.ready();
  return {
    app,
    stores,
    storage,
    async close() {
      await app.close();
      await (storage as { close?: () => Promise<void> | void }).close?.();
    },
  };
}

export const ns = '/apis/demo.example.com/v1/namespaces/default/widgets';
export const nsBeta = '/apis/demo.example.com/v1beta1/namespaces/default/widgets';

export function widget(name: string, spec: Record<string, unknown> = { size: 3 }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name, labels: { a: 'b' }, ...extra }, spec };
}
