// What the TypeScript emitters produce, file by file: paths, owners, and the declarations that
// matter (golden-ish: assertions on content rather than whole-file snapshots), plus determinism.
import { describe, expect, test } from 'vitest';
import type { GeneratedFile } from '../../src/emit/emitter.js';
import { manualConversions } from '../../src/emit/conversion.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { emitTypeScript } from './project.js';

const byPath = (files: readonly GeneratedFile[]) => new Map(files.map((f) => [f.path, f]));
const wardle = byPath(emitTypeScript(wardleIR));
const widgets = byPath(emitTypeScript(widgetsIR));
const content = (m: Map<string, GeneratedFile>, p: string) => {
  const f = m.get(p);
  if (f === undefined) throw new Error(`not emitted: ${p}; have ${[...m.keys()].join(', ')}`);
  return f.content.replace(/\s+/g, ' ');
};

test('file layout and ownership', () => {
  const owners = (m: Map<string, GeneratedFile>) => Object.fromEntries([...m.values()].map((f) => [f.path, f.owner]));
  expect(owners(wardle)).toEqual({
    'src/generated/apis/wardle.example.com/v1beta1/types.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1alpha1/types.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1beta1/register.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1alpha1/register.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1beta1/validation.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1beta1/validation.ajv.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1alpha1/validation.ts': 'generated',
    'src/generated/apis/wardle.example.com/v1alpha1/validation.ajv.ts': 'generated',
    'src/generated/conversion/fischer.ts': 'generated',
    'src/generated/conversion/flunder.ts': 'generated',
    'src/conversion/flunder.ts': 'user',
    'src/generated/registry.ts': 'generated',
    'src/strategy/fischer.ts': 'user',
    'src/strategy/flunder.ts': 'user',
    'src/generated/admission.ts': 'generated',
    'src/admission/banflunder.ts': 'user',
  });
  for (const f of [...wardle.values(), ...widgets.values()]) {
    if (f.owner === 'user') expect(f.content, f.path).toMatch(/^\/\/ This file is yours: aa-gen created it once and never overwrites it\./);
    else expect(f.content, f.path).not.toMatch(/Code generated/);
    expect(f.content.endsWith('\n') && !f.content.endsWith('\n\n'), f.path).toBe(true);
  }
});

describe('types', () => {
  const v1 = content(widgets, 'src/generated/apis/demo.example.com/v1/types.ts');
  test.each([
    ['imports meta types from the runtime only', `import type { ListMeta, ObjectMeta } from "aa-gen/runtime";`],
    ['apiVersion and kind literals', `export type Widget = { apiVersion: "demo.example.com/v1"; kind: "Widget"; metadata: ObjectMeta;`],
    ['list type', `export type WidgetList = { apiVersion: "demo.example.com/v1"; kind: "WidgetList"; metadata: ListMeta; items: Widget[]; };`],
    ['type guard', `export function isWidget(value: unknown): value is Widget {`],
    ['required field', `size: number;`],
    ['enum union with default documented', `@default "red" */ color?: "red" | "green" | "blue";`],
    ['int-or-string', `port?: number | string;`],
    ['map', `labels?: { [key: string]: string; };`],
    ['list-map of item structs', `ports?: WidgetSpecPortsItem[];`],
    ['nested struct', `export interface WidgetSpecPortsItem { name: string; port?: number; }`],
    ['nullable', `note?: string | null;`],
    ['preserve-unknown-fields', `config?: { [key: string]: unknown; };`],
    ['description as JSDoc', `/** * Size of the widget. * Format: int32. */ size: number;`],
  ])('%s', (_name, want) => {
    expect(v1).toContain(want);
  });

  test('an object schema without fields is an empty record', () => {
    expect(content(wardle, 'src/generated/apis/wardle.example.com/v1alpha1/types.ts')).toContain(
      'export type FlunderStatus = Record<string, never>;',
    );
  });
});

test('register: names, scope, verbs, subresources, columns, flags and schema', () => {
  const r = content(widgets, 'src/generated/apis/demo.example.com/v1beta1/register.ts');
  expect(r).toContain('export const widgetRegistration: KindVersionRegistration = {');
  expect(r).toContain('version: "v1beta1", kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget", shortNames: ["wd"], categories: ["all"], scope: "Namespaced"');
  expect(r).toContain('scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" }');
  expect(r).toContain('selectableFields: [".spec.color"], served: true, storage: false, storageVersion: "v1"');
  expect(r).toContain('colour: { type: "string" }');
  expect(r).toContain('port: { "x-kubernetes-int-or-string": true }');
  expect(r).toContain('export const gadgetRegistration: KindVersionRegistration = {');
  expect(r).toContain('scope: "Cluster"');
});

test('validation: typed surface over ajv code that imports only aa-gen/runtime', () => {
  const typed = content(widgets, 'src/generated/apis/demo.example.com/v1/validation.ts');
  expect(typed).toContain('export const validateWidget: SchemaValidate =');
  expect(typed).toContain('export const applyDefaultsWidget: ApplyDefaults =');
  expect(typed).not.toContain('@ts-nocheck');
  for (const m of [wardle, widgets]) {
    for (const f of m.values()) {
      const specifiers = [...f.content.matchAll(/(?:from|import)\s+["']([^"']+)["']/g)].map((x) => x[1]!);
      for (const s of specifiers) expect(s === 'aa-gen/runtime' || (s.startsWith('.') && s.endsWith('.js')), `${f.path}: ${s}`).toBe(true);
      expect(f.content, f.path).not.toMatch(/\brequire\(/);
    }
  }
});

test('conversion: manual stubs only where fields differ, named by field', () => {
  expect(manualConversions(widgetsIR).map((m) => [m.file, m.functionName, m.fields.map((f) => f.field)])).toEqual([
    ['src/conversion/widget.ts', 'convertWidgetSpecV1beta1ToV1', ['spec.colour']],
    [
      'src/conversion/widget.ts',
      'convertWidgetSpecV1ToV1beta1',
      ['spec.color', 'spec.labels', 'spec.ports', 'spec.tags', 'spec.note', 'spec.config', 'spec.createdBy'],
    ],
  ]);
  const stub = content(widgets, 'src/conversion/widget.ts');
  expect(stub).toContain('export function convertWidgetSpecV1beta1ToV1(src: v1beta1.WidgetSpec, dst: v1.WidgetSpec): void {');
  expect(stub).toContain('throw manualConversionRequired(["spec.colour"], src, dst);');
  const gen = content(widgets, 'src/generated/conversion/widget.ts');
  expect(gen).toContain('if (src.size !== undefined) dst.size = src.size;');
  expect(gen).toContain('manual.convertWidgetSpecV1beta1ToV1(src, dst);');
  expect(gen).toContain('export const widgetConversion: KindConversion = defineConversion({');
  expect(widgets.has('src/conversion/gadget.ts')).toBe(false);
  expect(content(widgets, 'src/generated/conversion/gadget.ts')).toContain('versions: {}');
});

test('registry: one ApiGroupDefinition wiring every kind, OpenAPI and strategies', () => {
  const reg = content(wardle, 'src/generated/registry.ts');
  expect(reg).toContain(`import { openapiV2 } from './openapi/v2.js';`);
  expect(reg).toContain(`import { openapiV3 } from './openapi/v3.js';`);
  expect(reg).toContain(`import { flunderStrategy } from '../strategy/flunder.js';`);
  expect(reg).toContain('export const apiGroup: ApiGroupDefinition = defineApiGroup({');
  expect(reg).toContain(
    '{ registration: v1beta1Register.flunderRegistration, validate: v1beta1Validation.validateFlunder, applyDefaults: v1beta1Validation.applyDefaultsFlunder },',
  );
  expect(reg).toContain('preferredVersion: "v1beta1", storageVersion: "v1alpha1"');
  const strategy = content(wardle, 'src/strategy/flunder.ts');
  expect(strategy).toContain('export const flunderStrategy: Strategy<Flunder> = {');
  for (const hook of ['prepareForCreate', 'prepareForUpdate', 'validate', 'validateUpdate', 'canonicalize', 'warningsOnCreate', 'warningsOnUpdate']) {
    expect(strategy).toContain(`// ${hook}(`);
  }
});

test('deterministic: the same IR (or a copy of it) gives the same bytes', () => {
  for (const ir of [wardleIR, widgetsIR]) {
    const a = emitTypeScript(ir);
    const b = emitTypeScript(JSON.parse(JSON.stringify(ir)));
    expect(b).toEqual(a);
  }
});
