// Generated conversions, loaded and run: fields that match are copied (deeply), unmatched fields
// go through the user's functions, the hub is the storage version, and a stub that is not
// written yet fails loudly naming its fields. Wardle's Flunder conversion is written here the
// way sample-apiserver's hand-written one is (pkg/apis/wardle/v1alpha1/conversion.go).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { KindConversion, KubeObject } from '../../src/runtime/api.js';
import { paths } from '../../src/emit/paths.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { cleanup, emitTypeScript, handWrittenFlunder, writeProject } from './project.js';
import type { TempProject } from './project.js';

const flunder = wardleIR.kinds.find((k) => k.kind === 'Flunder')!;
const widget = widgetsIR.kinds.find((k) => k.kind === 'Widget')!;


const made: TempProject[] = [];
let flunderConversion: KindConversion;
let fischerConversion: KindConversion;
let widgetConversion: KindConversion;

beforeAll(async () => {
  const wardle = writeProject('conversion-wardle', emitTypeScript(wardleIR), { [paths.userConversion(flunder)]: handWrittenFlunder });
  const widgets = writeProject('conversion-widgets', emitTypeScript(widgetsIR));
  made.push(wardle, widgets);
  ({ flunderConversion } = await import(join(wardle.dir, paths.conversion(flunder))));
  ({ fischerConversion } = await import(join(wardle.dir, 'src/generated/conversion/fischer.ts')));
  ({ widgetConversion } = await import(join(widgets.dir, paths.conversion(widget))));
});
afterAll(() => cleanup(made));

const meta = { name: 'f', namespace: 'default', labels: { a: 'b' } };

test('v1beta1 -> hub (v1alpha1) -> v1beta1 keeps the object (wardle Flunder)', () => {
  const beta: KubeObject = {
    apiVersion: 'wardle.example.com/v1beta1',
    kind: 'Flunder',
    metadata: meta,
    spec: { fischerReference: 'fish', referenceType: 'Fischer' },
    status: {},
  };
  const hub = flunderConversion.toHub(beta);
  expect(hub).toEqual({
    apiVersion: 'wardle.example.com/v1alpha1',
    kind: 'Flunder',
    metadata: meta,
    spec: { reference: 'fish', referenceType: 'Fischer' },
    status: {},
  });
  expect(hub.metadata).not.toBe(beta.metadata);
  expect(flunderConversion.fromHub(hub, 'v1beta1')).toEqual(beta);
});

test('the hub version converts to itself as a deep copy; input is never mutated', () => {
  const hub: KubeObject = { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: meta, spec: { reference: 'x' } };
  const frozen = JSON.stringify(hub);
  const copy = flunderConversion.toHub(hub);
  expect(copy).toEqual(hub);
  expect(copy).not.toBe(hub);
  expect(flunderConversion.fromHub(hub, 'v1beta1')).toMatchObject({ spec: { flunderReference: 'x' } });
  expect(JSON.stringify(hub)).toBe(frozen);
});

test('a kind with one version has the identity conversion', () => {
  const f: KubeObject = { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Fischer', metadata: { name: 'x' }, disallowedFlunders: ['a'] };
  expect(fischerConversion.toHub(f)).toEqual(f);
  expect(() => fischerConversion.fromHub(f, 'v1beta1')).toThrow(/Fischer has no version v1beta1/);
});

test('an unwritten stub throws `requires manual conversion` naming the field; matching fields need no stub', () => {
  const beta: KubeObject = {
    apiVersion: 'demo.example.com/v1beta1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: { size: 1, colour: 'red' },
  };
  expect(() => widgetConversion.toHub(beta)).toThrow('requires manual conversion: spec.colour');
  // status matches in both versions: copied deeply without any user code.
  const noSpec: KubeObject = {
    apiVersion: 'demo.example.com/v1beta1',
    kind: 'Widget',
    metadata: { name: 'w' },
    status: { replicas: 2, conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const hub = widgetConversion.toHub(noSpec);
  expect(hub).toEqual({ ...noSpec, apiVersion: 'demo.example.com/v1' });
  expect((hub.status as { conditions: unknown[] }).conditions).not.toBe((noSpec.status as { conditions: unknown[] }).conditions);
});

test('an object of another group is refused', () => {
  expect(() => widgetConversion.toHub({ apiVersion: 'other.io/v1', kind: 'Widget', metadata: {} })).toThrow(/not in group demo.example.com/);
});
