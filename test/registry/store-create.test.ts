// Create through the registry store: k8s.io/apiserver@v0.32.4 pkg/registry/rest/create.go,
// pkg/registry/generic/registry/store.go, pkg/endpoints/handlers/create.go; custom-resource
// strategy from apiextensions-apiserver pkg/registry/customresource/strategy.go.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/runtime/storage/memory.js';
import type { Storage } from '../../src/runtime/storage/interface.js';
import { createResourceStore } from '../../src/runtime/registry/store.js';
import type { ResourceStore } from '../../src/runtime/registry/interface.js';
import { ctx, gadgetKind, group, rejection, widget, widgetKind } from './fixtures.js';

let storage: Storage;
let store: ResourceStore;
const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 600));

beforeEach(() => {
  storage = createMemoryStorage({ compactInterval: 0 });
  store = createResourceStore(widgetKind, storage, { clock: () => now });
});
afterEach(() => storage.close());

describe('create (rest/create.go BeforeCreate, store.go create)', () => {
  it('fills uid, creationTimestamp, generation 1, resourceVersion; defaults; drops status (status subresource)', async () => {
    const out = await store.create(ctx(), 'ns', 'v1', { ...widget('w1'), status: { replicas: 9 } });
    expect(out.apiVersion).toBe(`${group}/v1`);
    expect(out.kind).toBe('Widget');
    expect(out.metadata.namespace).toBe('ns');
    expect(out.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.metadata.creationTimestamp).toBe('2025-01-02T03:04:05Z');
    expect(out.metadata.generation).toBe(1);
    expect(out.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(out.spec).toEqual({ size: 1, replicas: 1, color: 'red' });
    expect(out.status).toBeUndefined();
    const kv = await storage.get('/registry/demo.example.com/widgets/ns/w1');
    expect(kv!.modRevision).toBe(Number(out.metadata.resourceVersion));
    const stored = JSON.parse(kv!.value);
    expect(stored.metadata.resourceVersion).toBeUndefined();
    expect(stored.apiVersion).toBe(`${group}/v1`);
  });

  it('stores the hub version and answers in the request version (v1beta1 colour <-> v1 color)', async () => {
    const out = await store.create(ctx(), 'ns', 'v1beta1', {
      apiVersion: `${group}/v1beta1`,
      kind: 'Widget',
      metadata: { name: 'old' },
      spec: { size: 2, colour: 'green' },
    });
    expect(out.apiVersion).toBe(`${group}/v1beta1`);
    expect(out.spec).toEqual({ size: 2, colour: 'green', replicas: 1 });
    const stored = JSON.parse((await storage.get('/registry/demo.example.com/widgets/ns/old'))!.value);
    expect(stored.spec).toEqual({ size: 2, color: 'green', replicas: 1 });
    const asV1 = await store.get(ctx(), 'ns', 'old', 'v1');
    expect(asV1.spec).toEqual({ size: 2, color: 'green', replicas: 1 });
  });

  it('fills apiVersion/kind when absent; a different apiVersion or kind is a 400 (handlers/create.go)', async () => {
    const filled = await store.create(ctx(), 'ns', 'v1', { metadata: { name: 'a' }, spec: { size: 1 } } as never);
    expect(filled.apiVersion).toBe(`${group}/v1`);
    const e = await rejection(store.create(ctx(), 'ns', 'v1', { ...widget('b'), apiVersion: `${group}/v1beta1` }));
    expect(e.code).toBe(400);
    expect(e.message).toBe(`the API version in the data (${group}/v1beta1) does not match the expected API version (${group}/v1)`);
    expect((await rejection(store.create(ctx(), 'ns', 'v1', { ...widget('c'), kind: 'Gadget' }))).code).toBe(400);
  });

  it('namespace: filled from the URL, mismatch is 400 (rest.EnsureObjectNamespaceMatchesRequestNamespace)', async () => {
    const e = await rejection(store.create(ctx(), 'ns', 'v1', widget('w', { size: 1 }, { metadata: { namespace: 'other' } })));
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  it('cluster-scoped kinds drop a namespace and use keys without one', async () => {
    const gadgets = createResourceStore(gadgetKind, storage);
    const g = await gadgets.create(ctx(), undefined, 'v1', {
      apiVersion: `${group}/v1`,
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: 'x' },
      spec: {},
    });
    expect(g.metadata.namespace).toBeUndefined();
    expect(g.spec).toEqual({ enabled: false });
    expect(await storage.get('/registry/demo.example.com/gadgets/g1')).toBeDefined();
  });

  it('existing name is 409 AlreadyExists (storage/errors.go)', async () => {
    await store.create(ctx(), 'ns', 'v1', widget('dup'));
    const e = await rejection(store.create(ctx(), 'ns', 'v1', widget('dup')));
    expect(e.code).toBe(409);
    expect(e.reason).toBe('AlreadyExists');
    expect(e.message).toBe('widgets.demo.example.com "dup" already exists');
    expect(e.details).toMatchObject({ name: 'dup', group, kind: 'widgets' });
  });

  it('generateName: prefix + 5 chars from kube\'s alphabet (pkg/storage/names/generate.go)', async () => {
    const out = await store.create(ctx(), 'ns', 'v1', { ...widget(''), metadata: { generateName: 'gen-' } });
    expect(out.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(out.metadata.generateName).toBe('gen-');
  });

  it('missing name is 422 "name or generateName is required" (objectmeta.go)', async () => {
    const e = await rejection(store.create(ctx(), 'ns', 'v1', { ...widget(''), metadata: {} }));
    expect(e.code).toBe(422);
    expect(e.message).toBe('Widget.demo.example.com "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  it('collects metadata, schema and strategy errors into one 422 with causes', async () => {
    const e = await rejection(
      store.create(ctx(), 'ns', 'v1', widget('Bad_Name', { size: -1, color: 'pink' }, { metadata: { labels: { ok: 'bad value' } } })),
    );
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.details!.causes!.map((c) => c.field)).toEqual(['metadata.name', 'metadata.labels', 'spec.size', 'spec.color']);
    expect(e.details!.causes![3]).toEqual({ reason: 'FieldValueNotSupported', message: 'Unsupported value: "pink": supported values: "red", "green", "blue"', field: 'spec.color' });
    const strat = await rejection(store.create(ctx(), 'ns', 'v1', widget('big', { size: 101 })));
    expect(strat.message).toBe('Widget.demo.example.com "big" is invalid: spec.size: Invalid value: 101: must be less than or equal to 100');
  });

  it('resourceVersion set on create is refused (etcd3 store.Create)', async () => {
    const e = await rejection(store.create(ctx(), 'ns', 'v1', widget('rv', { size: 1 }, { metadata: { resourceVersion: '3' } })));
    expect(e.code).toBe(500);
    expect(e.message).toBe('Internal error occurred: resourceVersion should not be set on objects to be created');
  });

  it('clears deletionTimestamp and deletionGracePeriodSeconds; replaces uid; keeps managedFields', async () => {
    const managedFields = [{ manager: 'kubectl', operation: 'Update' as const, fieldsType: 'FieldsV1' as const, fieldsV1: {} }];
    const out = await store.create(
      ctx(),
      'ns',
      'v1',
      widget('clr', { size: 1 }, { metadata: { uid: 'mine', deletionTimestamp: '2020-01-01T00:00:00Z', deletionGracePeriodSeconds: 5, managedFields } }),
    );
    expect(out.metadata.deletionTimestamp).toBeUndefined();
    expect(out.metadata.deletionGracePeriodSeconds).toBeUndefined();
    expect(out.metadata.uid).not.toBe('mine');
    expect(out.metadata.managedFields).toEqual(managedFields);
  });

  describe('fieldValidation (KEP-2885; handlers/rest.go transformDecodeError)', () => {
    const body = () => widget('f', { size: 1, foo: 1, bar: { x: 1 } }, { metadata: { bogus: true } as never });
    it('Strict: 400 listing every unknown field', async () => {
      const e = await rejection(store.create(ctx({ fieldValidation: 'Strict' }), 'ns', 'v1', body()));
      expect(e.code).toBe(400);
      expect(e.message).toBe(
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "metadata.bogus", unknown field "spec.bar", unknown field "spec.foo"',
      );
    });
    it('Warn: one warning per field, fields dropped', async () => {
      const c = ctx({ fieldValidation: 'Warn' });
      const out = await store.create(c, 'ns', 'v1', body());
      expect(c.warnings).toEqual(['unknown field "metadata.bogus"', 'unknown field "spec.bar"', 'unknown field "spec.foo"']);
      expect(out.spec).toEqual({ size: 1, replicas: 1, color: 'red' });
    });
    it('Ignore: silent', async () => {
      const c = ctx({ fieldValidation: 'Ignore' });
      await store.create(c, 'ns', 'v1', body());
      expect(c.warnings).toEqual([]);
    });
  });

  it('strategy warnings go to ctx.warnings; canonicalize runs before storage', async () => {
    const c = ctx();
    const out = await store.create(c, 'ns', 'v1', widget('blue', { size: 1, color: 'blue', labels: { a: ' x ' } }));
    expect(c.warnings).toEqual(['blue widgets are deprecated']);
    expect((out.spec as { labels: unknown }).labels).toEqual({ a: 'x' });
  });

  it('does not mutate the caller\'s object', async () => {
    const input = widget('pure', { size: 1 });
    const copy = structuredClone(input);
    await store.create(ctx(), 'ns', 'v1', input);
    expect(input).toEqual(copy);
  });

  it('a handed-over object (CreateOptions.handOver) gives the same result and stored value as a copied one', async () => {
    const body = () => JSON.parse(JSON.stringify({ ...widget('x', { size: 1, extra: 1 }), metadata: { name: 'x', labels: { a: 'b' }, bogus: 1 } }));
    const warnedCopy = ctx({ fieldValidation: 'Warn' });
    const copied = await store.create(warnedCopy, 'ns', 'v1', body());
    const other = createMemoryStorage({ compactInterval: 0 });
    try {
      const handedStore = createResourceStore(widgetKind, other, { clock: () => now });
      const warnedHanded = ctx({ fieldValidation: 'Warn' });
      const handed = await handedStore.create(warnedHanded, 'ns', 'v1', body(), { handOver: true });
      const strip = (o: Record<string, unknown>) => ({ ...o, metadata: { ...(o.metadata as object), uid: '' } });
      expect(strip(handed)).toEqual(strip(copied));
      expect(warnedHanded.warnings).toEqual(warnedCopy.warnings);
      const [a, b] = [await storage.get('/registry/demo.example.com/widgets/ns/x'), await other.get('/registry/demo.example.com/widgets/ns/x')];
      expect(strip(JSON.parse(b!.value))).toEqual(strip(JSON.parse(a!.value)));
    } finally {
      other.close();
    }
  });

  it('reads stay right once the converted-object cache evicts (objectCacheSize)', async () => {
    const small = createResourceStore(widgetKind, storage, { clock: () => now, objectCacheSize: 3 });
    for (let i = 0; i < 8; i++) await small.create(ctx(), 'ns', 'v1', widget(`c${i}`, { size: i }));
    for (let i = 0; i < 8; i++) {
      const got = await small.get(ctx(), 'ns', `c${i}`, 'v1');
      expect(got.metadata.name).toBe(`c${i}`);
      expect((got.spec as { size: number }).size).toBe(i);
    }
  });
});
