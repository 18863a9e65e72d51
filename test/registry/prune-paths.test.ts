// The paths pruning reports, in the shapes pruning/algorithm.go walks (k8s.io/apiextensions-apiserver
// @v0.32.4): a base path, nested arrays, items without a schema, preserved arrays, a resource
// without a schema. Pins the text of every path, which is built only for unknown fields.
import { describe, expect, it } from 'vitest';
import { pruneResource, pruneValue } from '../../src/runtime/registry/prune.js';
import type { StructuralSchemaData } from '../../src/runtime/api.js';

describe('pruned field paths', () => {
  it('under a base path, through arrays of arrays and schema-less items', () => {
    const schema: StructuralSchemaData = {
      type: 'object',
      properties: {
        grid: { type: 'array', items: { type: 'array', items: { type: 'object', properties: { v: { type: 'integer' } } } } },
        untyped: { type: 'array' },
      },
    };
    const value = { grid: [[{ v: 1, w: 2 }], [], [{ x: 3 }, { v: 4 }]], untyped: [{ a: 1 }, 'x'], extra: { deep: 1 }, apiVersion: 'x' };
    expect(pruneValue(value, schema, 'spec')).toEqual(['spec.apiVersion', 'spec.extra', 'spec.grid[0][0].w', 'spec.grid[2][0].x', 'spec.untyped[0].a']);
    expect(value).toEqual({ grid: [[{ v: 1 }], [], [{}, { v: 4 }]], untyped: [{}, 'x'] });
  });

  it('keys named like Object.prototype members are fields like any other: unknown unless declared', () => {
    const value = JSON.parse('{"spec":{"__proto__":{"s":1},"toString":"x","constructor":{"a":1},"known":1}}');
    const schema: StructuralSchemaData = { type: 'object', properties: { spec: { type: 'object', properties: { known: { type: 'integer' } } } } };
    expect(pruneValue(value, schema)).toEqual(['spec.__proto__', 'spec.constructor', 'spec.toString']);
    expect(JSON.stringify(value)).toBe('{"spec":{"known":1}}');
  });

  it('a top-level value drops apiVersion, kind and metadata without reporting them', () => {
    const value = { a: 1, apiVersion: 'x', kind: 'k', metadata: { y: 1 } };
    expect(pruneValue(value, { type: 'object', properties: { a: { type: 'integer' } } })).toEqual([]);
    expect(value).toEqual({ a: 1 });
  });

  it('an array at the top: paths start with the index', () => {
    const value = [{ a: 1, b: 2 }, [{ c: 1 }]];
    expect(pruneValue(value, { type: 'array', items: { type: 'object', properties: { a: {} } } })).toEqual(['[0].b', '[1][0].c']);
    expect(value).toEqual([{ a: 1 }, [{}]]);
  });

  it('preserved arrays keep unknown fields of their items but prune inside declared ones', () => {
    const schema: StructuralSchemaData = {
      type: 'object',
      properties: {
        list: {
          type: 'array',
          'x-kubernetes-preserve-unknown-fields': true,
          items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { t: { type: 'object', properties: { k: {} } } } },
        },
        emb: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true, properties: { metadata: { type: 'object', properties: {} } } },
      },
    };
    const value = { list: [{ free: 1, t: { k: 1, drop: 2 } }, 5, [{ t: { drop: 1 } }]], emb: { apiVersion: 'v', kind: 'K', metadata: { name: 'x' }, z: 1 } };
    expect(pruneValue(value, schema)).toEqual(['list[0].t.drop']);
    expect(value).toEqual({ list: [{ free: 1, t: { k: 1 } }, 5, [{ t: { drop: 1 } }]], emb: { apiVersion: 'v', kind: 'K', metadata: { name: 'x' }, z: 1 } });
  });

  it('a resource without a schema keeps only apiVersion, kind and known metadata', () => {
    const obj = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n', zz: 1 }, spec: { a: [1, 2], b: { c: 1 } }, status: { s: 1 } };
    expect(pruneResource(obj, undefined)).toEqual(['metadata.zz', 'spec', 'status']);
    expect(obj).toEqual({ apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' } });
  });

  it('additionalProperties schemas apply below every key; unknown top-level fields are reported', () => {
    const schema: StructuralSchemaData = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'object', properties: { v: {} } } } } } },
    };
    const obj = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' }, spec: { m: { k: { v: 1, q: 2 } } }, other: null };
    expect(pruneResource(obj, schema)).toEqual(['other', 'spec.m.k.q']);
    expect(obj).toEqual({ apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' }, spec: { m: { k: { v: 1 } } } });
  });
});
