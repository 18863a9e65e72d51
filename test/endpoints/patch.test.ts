// Patch mechanisms, black-box through src/runtime/patch: RFC 6902 (examples of its appendix A),
// RFC 7386 (the test cases of its appendix A), strategic merge patch directives after
// k8s.io/apimachinery pkg/util/strategicpatch/patch_test.go, and server-side apply lite.
import { describe, expect, it } from 'vitest';
import type { KubeObject, StructuralSchemaData } from '../../src/runtime/api.js';
import { isStatusError } from '../../src/runtime/errors.js';
import {
  applyConfiguration,
  applyJsonPatch,
  applyPatch,
  decodePatch,
  mergePatch,
  objectSchema,
  strategicMergePatch,
} from '../../src/runtime/patch/index.js';

function statusOf(fn: () => unknown): { reason: string; code: number } | undefined {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return { reason: e.reason, code: e.code };
    throw e;
  }
  return undefined;
}

describe('JSON patch (RFC 6902)', () => {
  const cases: [string, unknown, unknown[], unknown][] = [
    ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { foo: 'bar', baz: 'qux' }],
    ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    [
      'A.6 move a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 test a value: success', { baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
    ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
  ];
  it.each(cases)('%s', (_name, doc, ops, want) => {
    const before = structuredClone(doc);
    expect(applyJsonPatch(doc, decodePatch('json', JSON.stringify(ops)) as never)).toEqual(want);
    expect(doc).toEqual(before); // never mutated
  });

  it('A.9 a failed test is 422 Invalid', () => {
    const r = statusOf(() => applyJsonPatch({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]));
    expect(r).toEqual({ reason: 'Invalid', code: 422 });
  });
  it('A.12 adding to a nonexistent target is 422', () => {
    expect(statusOf(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]))?.code).toBe(422);
  });
  it('removing a missing path is 422', () => {
    expect(statusOf(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'remove', path: '/nope' }]))?.code).toBe(422);
  });
  it('an undecodable body is 400', () => {
    expect(statusOf(() => decodePatch('json', '[{'))).toEqual({ reason: 'BadRequest', code: 400 });
    expect(statusOf(() => decodePatch('json', '{"op":"add"}'))).toEqual({ reason: 'BadRequest', code: 400 });
  });
  it('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 }));
    expect(statusOf(() => decodePatch('json', JSON.stringify(ops)))).toEqual({ reason: 'RequestEntityTooLarge', code: 413 });
    expect(decodePatch('json', JSON.stringify(ops.slice(1)))).toHaveLength(10000);
  });
});

describe('merge patch (RFC 7386 appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j + %j', (target, patch, want) => {
    const before = structuredClone(target);
    expect(mergePatch(target, patch)).toEqual(want);
    expect(target).toEqual(before);
  });
});

const schema: StructuralSchemaData = objectSchema({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
        },
        containers: {
          type: 'array',
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'name',
          items: { type: 'object', properties: { name: { type: 'string' }, image: { type: 'string' } } },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        args: { type: 'array', items: { type: 'string' } },
        strategy: { type: 'object', 'x-kubernetes-patch-strategy': 'retainKeys', properties: { type: { type: 'string' }, rolling: { type: 'object' } } },
        size: { type: 'integer' },
      },
    },
  },
});

describe('strategic merge patch', () => {
  const base = {
    metadata: { name: 'w', labels: { a: 'b' }, finalizers: ['x/one'] },
    spec: {
      size: 1,
      ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }],
      containers: [{ name: 'c1', image: 'i1' }],
      tags: ['a', 'b'],
      args: ['--x', '--y'],
      strategy: { type: 'Rolling', rolling: { max: 1 } },
    },
  };
  const cases: [string, unknown, (r: typeof base) => unknown, unknown][] = [
    ['maps merge, null deletes', { metadata: { labels: { c: 'd', a: null } } }, (r) => r.metadata.labels, { c: 'd' }],
    ['list-map merges by the first key', { spec: { ports: [{ name: 'https', port: 8443 }, { name: 'grpc', port: 9000 }] } }, (r) => r.spec.ports, [
      { name: 'http', port: 80 },
      { name: 'https', port: 8443 },
      { name: 'grpc', port: 9000 },
    ]],
    ['patch-merge-key lists merge', { spec: { containers: [{ name: 'c2', image: 'i2' }] } }, (r) => r.spec.containers, [
      { name: 'c1', image: 'i1' },
      { name: 'c2', image: 'i2' },
    ]],
    ['$patch: delete removes a list-map element', { spec: { ports: [{ name: 'http', $patch: 'delete' }] } }, (r) => r.spec.ports, [{ name: 'https', port: 443 }]],
    ['$patch: replace element replaces the list', { spec: { ports: [{ $patch: 'replace' }, { name: 'only', port: 1 }] } }, (r) => r.spec.ports, [{ name: 'only', port: 1 }]],
    ['$patch: replace on a map', { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } }, (r) => r.spec.strategy, { type: 'Recreate' }],
    ['$patch: delete on a map', { spec: { strategy: { $patch: 'delete' } } }, (r) => 'strategy' in r.spec, false],
    ['sets are unions', { spec: { tags: ['b', 'c'] } }, (r) => r.spec.tags, ['a', 'b', 'c']],
    ['finalizers (metadata, merge strategy) are unions', { metadata: { finalizers: ['x/two'] } }, (r) => r.metadata.finalizers, ['x/one', 'x/two']],
    ['atomic lists are replaced', { spec: { args: ['--z'] } }, (r) => r.spec.args, ['--z']],
    ['$deleteFromPrimitiveList', { spec: { '$deleteFromPrimitiveList/tags': ['a'] } }, (r) => r.spec.tags, ['b']],
    ['$retainKeys clears the other keys', { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, (r) => r.spec.strategy, { type: 'Recreate' }],
    ['$setElementOrder orders a list-map', { spec: { '$setElementOrder/ports': [{ name: 'https' }, { name: 'http' }] } }, (r) => r.spec.ports.map((p) => p.name), ['https', 'http']],
    ['$setElementOrder orders a set', { spec: { '$setElementOrder/tags': ['b', 'a'] } }, (r) => r.spec.tags, ['b', 'a']],
    ['scalars replace', { spec: { size: 9 } }, (r) => r.spec.size, 9],
    ['directives never land in new fields', { spec: { extra: { $patch: 'merge', k: 'v' } } }, (r) => (r.spec as Record<string, unknown>)['extra'], { k: 'v' }],
  ];
  it.each(cases)('%s', (_name, patch, pick, want) => {
    const before = structuredClone(base);
    const result = strategicMergePatch(base, patch, schema) as typeof base;
    expect(pick(result)).toEqual(want);
    expect(base).toEqual(before);
  });

  it('an element without the merge key is 400', () => {
    expect(statusOf(() => strategicMergePatch(base, { spec: { ports: [{ port: 1 }] } }, schema))?.code).toBe(400);
  });
  it('an unknown $patch is 400', () => {
    expect(statusOf(() => strategicMergePatch(base, { spec: { $patch: 'explode' } }, schema))?.code).toBe(400);
  });
  it('without a schema it is merge-patch semantics plus directives', () => {
    expect(strategicMergePatch({ a: [1, 2], b: { c: 1 } }, { a: [3], b: { d: 2 } }, undefined)).toEqual({ a: [3], b: { c: 1, d: 2 } });
  });
});

describe('server-side apply (lite)', () => {
  const opts = { schema, manager: 'kubectl', apiVersion: 'demo.example.com/v1', time: '2025-01-02T03:04:05Z' };
  const live: KubeObject = {
    apiVersion: 'demo.example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default', resourceVersion: '5', uid: 'u1' },
    spec: { size: 1, ports: [{ name: 'http', port: 80 }] },
  };

  it('creates with an Apply managedFields entry', () => {
    const cfg: KubeObject = { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } }, spec: { size: 3, tags: ['x'] } };
    const out = applyConfiguration(undefined, cfg, opts);
    expect(out.spec).toEqual({ size: 3, tags: ['x'] });
    expect(out.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'demo.example.com/v1',
        time: '2025-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } }, 'f:spec': { 'f:size': {}, 'f:tags': { 'v:"x"': {} } } },
      },
    ]);
  });

  it('merges into the live object and removes fields it no longer applies', () => {
    const cfg = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
    const first = applyConfiguration(live, cfg({ size: 2, ports: [{ name: 'grpc', port: 9 }], note: 'n' }), opts);
    expect(first.spec).toEqual({ size: 2, ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9 }], note: 'n' });
    expect(first.metadata.uid).toBe('u1');
    expect(first.metadata.managedFields).toHaveLength(1);
    const fields = first.metadata.managedFields![0].fieldsV1 as Record<string, Record<string, unknown>>;
    expect(fields['f:spec']['f:ports']).toEqual({ 'k:{"name":"grpc"}': { '.': {}, 'f:name': {}, 'f:port': {} } });

    const second = applyConfiguration(first, cfg({ size: 2 }), opts);
    // note and the grpc port were this manager's and are gone; http was never applied by it.
    expect(second.spec).toEqual({ size: 2, ports: [{ name: 'http', port: 80 }] });
    expect(second.metadata.managedFields).toHaveLength(1);
  });

  it('keeps fields another manager also applied', () => {
    const a = applyConfiguration(live, { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { note: 'n' } }, opts);
    const b = applyConfiguration(a, { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { note: 'n' } }, { ...opts, manager: 'other' });
    const c = applyConfiguration(b, { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} }, opts);
    expect(c.spec).toMatchObject({ note: 'n' });
    expect(c.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl', 'other']);
  });

  it('applyPatch("apply") decodes YAML', () => {
    const doc = decodePatch('apply', 'apiVersion: demo.example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 7\n');
    const out = applyPatch('apply', live, doc, { versionSchema: undefined, fieldManager: 'm', apiVersion: 'demo.example.com/v1', now: new Date(0) });
    expect(out.spec).toMatchObject({ size: 7 });
    expect(out.metadata.managedFields![0]).toMatchObject({ manager: 'm', time: '1970-01-01T00:00:00Z' });
  });
});
