// The hub-fields rule of defineConversion with hand-written version functions, for what the
// widgets fixture cannot show: a conversion that adds a field the hub did not have (restored as
// absent), and keys that need JSON-pointer escaping or are `__proto__`.
import { expect, test } from 'vitest';
import type { KubeObject } from '../../src/runtime/api.js';
import { defineConversion, deepCopyJson } from '../../src/runtime/schema/conversion.js';
import { hubFieldsAnnotation } from '../../src/runtime/schema/hub-fields.js';

type Obj = KubeObject & { spec?: Record<string, unknown> };

// v2 (hub) has `mode` and a free-form `extra` map; v1 has neither and defaults mode on the way in.
const conversion = defineConversion({
  group: 'g.example.com',
  kind: 'Thing',
  hubVersion: 'v2',
  versions: {
    v1: {
      toHub: ((o: Obj) => ({ ...deepCopyJson(o), apiVersion: 'g.example.com/v2', spec: { ...deepCopyJson(o.spec ?? {}), mode: 'auto' } })) as (o: never) => KubeObject,
      fromHub: ((h: Obj) => {
        const { mode: _m, extra: _e, ...rest } = h.spec ?? {};
        return { ...deepCopyJson(h), apiVersion: 'g.example.com/v1', spec: deepCopyJson(rest) };
      }) as (o: never) => KubeObject,
    },
  },
});

test('a field the round trip adds is saved as absent and removed again', () => {
  const hub: Obj = { apiVersion: 'g.example.com/v2', kind: 'Thing', metadata: { name: 't' }, spec: { size: 1 } };
  const v1 = conversion.fromHub(hub, 'v1');
  expect(JSON.parse(v1.metadata.annotations![hubFieldsAnnotation]!)).toEqual({ apiVersion: 'g.example.com/v2', absent: ['/spec/mode'] });
  expect(conversion.toHub(v1)).toEqual(hub);
  // Without the annotation (a client that dropped it), the conversion's default stands.
  expect(conversion.toHub({ ...v1, metadata: { name: 't' } })).toEqual({ ...hub, spec: { size: 1, mode: 'auto' } });
});

test('keys with "/" and "~", and __proto__ keys, survive as data', () => {
  const extra = JSON.parse('{"a/b":{"~c":1},"__proto__":{"polluted":true}}') as Record<string, unknown>;
  const hub: Obj = { apiVersion: 'g.example.com/v2', kind: 'Thing', metadata: { name: 't' }, spec: { size: 1, mode: 'manual', extra } };
  const v1 = conversion.fromHub(hub, 'v1');
  const saved = JSON.parse(v1.metadata.annotations![hubFieldsAnnotation]!) as { fields: Record<string, unknown> };
  expect(Object.keys(saved.fields)).toEqual(['/spec/mode', '/spec/extra']);
  const back = conversion.toHub(v1) as Obj;
  expect(JSON.stringify(back)).toBe(JSON.stringify(hub));
  expect(Object.prototype.hasOwnProperty.call(back.spec!.extra, '__proto__')).toBe(true);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('the hub version converts to itself without any annotation logic', () => {
  const hub: Obj = { apiVersion: 'g.example.com/v2', kind: 'Thing', metadata: { name: 't' }, spec: { mode: 'x' } };
  expect(conversion.fromHub(hub, 'v2')).toEqual(hub);
  expect(conversion.toHub(hub)).toEqual(hub);
});
