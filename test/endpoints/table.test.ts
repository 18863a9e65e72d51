// Table conversion (API-CONTRACT 6.2-6.4), after apiextensions-apiserver tableconvertor.go.
import { describe, expect, it } from 'vitest';
import type { KindDefinition, KubeObject } from '../../src/runtime/api.js';
import { toTable } from '../../src/runtime/endpoints/table.js';

const kind = {
  group: 'demo.example.com',
  kind: 'Widget',
  listKind: 'WidgetList',
  plural: 'widgets',
  printerColumns: [
    { name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 0, description: 'Size of the widget.', format: '' },
    { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1, description: '', format: '' },
    { name: 'Ready', type: 'boolean', jsonPath: '.status.ready', priority: 0, description: '', format: '' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0, description: '', format: '' },
  ],
} as unknown as KindDefinition;

const now = Date.parse('2025-01-02T03:04:05Z');
const w = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'demo.example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'default', labels: { a: 'b' }, creationTimestamp: '2025-01-02T02:59:35Z' },
  spec: { size: 3.0, color: 'red' },
  ...extra,
});

describe('toTable', () => {
  it('a Name column first, then printer columns', () => {
    const t = toTable(kind, [w('w1')], { resourceVersion: '12' }, { version: 'v1', includeObject: 'Metadata', now });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '12' });
    expect(t.columnDefinitions!.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Size', 'integer', '', 0],
      ['Color', 'string', '', 1],
      ['Ready', 'boolean', '', 0],
      ['Age', 'date', '', 0],
    ]);
    // missing -> null (kubectl prints <none>); Age is a human duration
    expect(t.rows[0].cells).toEqual(['w1', 3, 'red', null, '4m30s']);
    expect(t.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: w('w1').metadata,
    });
  });

  it('includeObject Object and None', () => {
    expect(toTable(kind, [w('w1')], {}, { version: 'v1', includeObject: 'Object', now }).rows[0].object).toEqual(w('w1'));
    expect('object' in toTable(kind, [w('w1')], {}, { version: 'v1', includeObject: 'None', now }).rows[0]).toBe(false);
  });

  it('cells follow the column type: wrong types are null, bad dates <invalid>, empty dates <unknown>', () => {
    const odd = w('w2', { spec: { size: 'big', color: { x: 1 } }, status: { ready: true } });
    odd.metadata.creationTimestamp = 'yesterday';
    expect(toTable(kind, [odd], {}, { version: 'v1', includeObject: 'None', now }).rows[0].cells).toEqual(['w2', null, '{"x":1}', true, '<invalid>']);
    odd.metadata.creationTimestamp = '';
    expect(toTable(kind, [odd], {}, { version: 'v1', includeObject: 'None', now }).rows[0].cells[4]).toBe('<unknown>');
  });

  it('omitColumns leaves columnDefinitions out (watch events after the first)', () => {
    const t = toTable(kind, [w('w1')], {}, { version: 'v1beta1', includeObject: 'None', omitColumns: true, now });
    expect(t.columnDefinitions).toBeUndefined();
    expect(t.apiVersion).toBe('meta.k8s.io/v1beta1');
  });
});
