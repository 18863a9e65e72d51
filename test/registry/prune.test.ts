// Pruning and unknown field paths: k8s.io/apiextensions-apiserver@v0.32.4
// pkg/apiserver/schema/pruning/algorithm.go.
import { describe, expect, it } from 'vitest';
import { pruneResource } from '../../src/runtime/registry/prune.js';
import type { StructuralSchemaData } from '../../src/runtime/api.js';

const schema: StructuralSchemaData = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        a: { type: 'string' },
        port: { 'x-kubernetes-int-or-string': true },
        map: { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'string' } } } },
        anyMap: { type: 'object', additionalProperties: true },
        list: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { k: { type: 'string' } } } } },
        embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
  },
};

describe('pruning (apiextensions pruning/algorithm.go)', () => {
  it('removes and reports unknown fields at every depth, sorted', () => {
    const obj = {
      apiVersion: 'g/v1',
      kind: 'K',
      metadata: { name: 'n', bogus: 1 },
      spec: {
        a: 'x',
        zz: 1,
        port: 'http',
        map: { k1: { x: 'y', extra: 1 } },
        anyMap: { whatever: { deep: true } },
        list: [{ n: 'a', m: 1 }, { n: 'b' }],
        free: { anything: { goes: 1 }, typed: { k: 'v', drop: 1 } },
        embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, other: 1 },
      },
      top: true,
    };
    const paths = pruneResource(obj, schema);
    expect(paths).toEqual([
      'metadata.bogus',
      'spec.embedded.other',
      'spec.free.typed.drop',
      'spec.list[0].m',
      'spec.map.k1.extra',
      'spec.zz',
      'top',
    ]);
    expect(obj).toEqual({
      apiVersion: 'g/v1',
      kind: 'K',
      metadata: { name: 'n' },
      spec: {
        a: 'x',
        port: 'http',
        map: { k1: { x: 'y' } },
        anyMap: { whatever: { deep: true } },
        list: [{ n: 'a' }, { n: 'b' }],
        free: { anything: { goes: 1 }, typed: { k: 'v' } },
        embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
      },
    });
  });

  it('a root preserve-unknown-fields schema keeps everything', () => {
    const obj = { apiVersion: 'g/v1', kind: 'K', metadata: {}, anything: { x: 1 } };
    expect(pruneResource(obj, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true })).toEqual([]);
    expect(obj.anything).toEqual({ x: 1 });
  });
});
