// The emitted validation modules, loaded and run: Kubernetes field paths and messages as
// kube-apiserver gives them for CRD schemas (k8s.io/apiextensions-apiserver
// pkg/apiserver/validation/validation.go + k8s.io/kube-openapi pkg/validation/errors/schema.go),
// and defaulting by kube's rules (pkg/apiserver/schema/defaulting/algorithm.go).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApplyDefaults, FieldError, SchemaValidate } from '../../src/runtime/api.js';
import { fieldErrorBody } from '../../src/runtime/errors.js';
import type { KindIR, ProjectIR } from '../../src/model/ir.js';
import { paths } from '../../src/emit/paths.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { cleanup, emitTypeScript, writeProject } from './project.js';
import type { TempProject } from './project.js';

type ValidationModule = Record<string, SchemaValidate | ApplyDefaults>;

const thing: KindIR = {
  ...widgetsIR.kinds.find((k) => k.kind === 'Gadget')!,
  kind: 'Thing',
  listKind: 'ThingList',
  plural: 'things',
  singular: 'thing',
  shortNames: [],
  storageVersion: 'v1',
  versions: [
    {
      version: 'v1',
      served: true,
      storage: true,
      schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            default: {},
            properties: {
              mode: { type: 'string', default: 'auto' },
              weights: { type: 'array', items: { type: 'object', properties: { weight: { type: 'integer', default: 5 } } } },
              byName: { type: 'object', additionalProperties: { type: 'object', properties: { on: { type: 'boolean', default: true } } } },
              limits: { type: 'object', properties: { max: { type: 'number', default: 1.5, exclusiveMinimum: true, minimum: 0 } } },
            },
          },
          status: { type: 'object', properties: { phase: { type: 'string', default: 'Pending' } } },
        },
      },
    },
  ],
};
const ir: ProjectIR = { ...widgetsIR, kinds: [...widgetsIR.kinds, thing] };

const made: TempProject[] = [];
let v1: ValidationModule;
let v1beta1: ValidationModule;

beforeAll(async () => {
  const project = writeProject('validation', emitTypeScript(ir));
  made.push(project);
  v1 = (await import(join(project.dir, paths.validation(ir, 'v1')))) as ValidationModule;
  v1beta1 = (await import(join(project.dir, paths.validation(ir, 'v1beta1')))) as ValidationModule;
});
afterAll(() => cleanup(made));

const validate = (m: () => ValidationModule, kind: string) => (obj: unknown) => (m()[`validate${kind}`] as SchemaValidate)(obj);
const defaults = (m: () => ValidationModule, kind: string) => (obj: Record<string, unknown>) => {
  (m()[`applyDefaults${kind}`] as ApplyDefaults)(obj);
  return obj;
};
const validateWidget = validate(() => v1, 'Widget');
const widget = (spec: Record<string, unknown>) => ({
  apiVersion: 'demo.example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'default' },
  spec,
});
const messages = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

describe('validate<Kind>', () => {
  test('a valid object has no errors', () => {
    const good = widget({
      size: 3,
      color: 'blue',
      port: 'http',
      labels: { a: 'b' },
      ports: [{ name: 'http', port: 80 }],
      tags: ['x', 'y'],
      note: null,
      config: { anything: [1, { deep: true }] },
      createdBy: 'ann@example.com',
    });
    expect(validateWidget(good)).toEqual([]);
  });

  test.each([
    ['minimum', { size: -1 }, ['spec.size: Invalid value: -1: spec.size in body should be greater than or equal to 0']],
    ['maximum', { size: 101 }, ['spec.size: Invalid value: 101: spec.size in body should be less than or equal to 100']],
    ['required', {}, ['spec.size: Required value']],
    ['enum', { size: 1, color: 'purple' }, ['spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"']],
    ['type', { size: 'big' }, ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']],
    ['int-or-string', { size: 1, port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']],
    ['nullable', { size: 1, note: 5 }, ['spec.note: Invalid value: "integer": spec.note in body must be of type string: "integer"']],
    ['map values', { size: 1, labels: { app: 1 } }, ['spec.labels.app: Invalid value: "integer": spec.labels.app in body must be of type string: "integer"']],
    ['list item required', { size: 1, ports: [{ name: 'a' }, { port: 2 }] }, ['spec.ports[1].name: Required value']],
    ['maxLength', { size: 1, ports: [{ name: 'abcdefghijklmnop' }] }, ['spec.ports[0].name: Too long: may not be longer than 15']],
    [
      'pattern',
      { size: 1, ports: [{ name: 'Bad' }] },
      ["spec.ports[0].name: Invalid value: \"Bad\": spec.ports[0].name in body should match '^[a-z]([-a-z0-9]*[a-z0-9])?$'"],
    ],
    ['list-type set', { size: 1, tags: ['a', 'b', 'a'] }, ['spec.tags[2]: Duplicate value: "a"']],
    ['format', { size: 1, createdBy: 'nobody' }, ['spec.createdBy: Invalid value: "nobody": spec.createdBy in body must be of type email: "nobody"']],
  ])('%s', (_name, spec, want) => {
    expect(messages(validateWidget(widget(spec)))).toEqual(want);
  });

  test('reports every error at once, with structured fields', () => {
    const errs = validateWidget(widget({ size: -1, color: 'purple' }));
    expect(errs).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.size', value: -1, detail: 'spec.size in body should be greater than or equal to 0' },
      { type: 'FieldValueNotSupported', field: 'spec.color', value: 'purple', detail: 'supported values: "red", "green", "blue"' },
    ]);
  });

  test('unknown formats (int32) are ignored and unknown fields are not errors (pruning drops them)', () => {
    expect(validateWidget(widget({ size: 2, replicas: 2, extra: 'x' }))).toEqual([]);
  });

  test('exclusiveMinimum: true is kube\'s boolean form', () => {
    const errs = validate(() => v1, 'Thing')({ spec: { limits: { max: 0 } } });
    expect(messages(errs)).toEqual(['spec.limits.max: Invalid value: 0: spec.limits.max in body should be greater than 0']);
  });

  test('does not modify its argument', () => {
    const obj = widget({ size: 1 });
    validateWidget(obj);
    expect(obj.spec).toEqual({ size: 1 });
  });

  test('each version validates with its own schema', () => {
    expect(validate(() => v1beta1, 'Widget')(widget({ size: 1, colour: 'anything' }))).toEqual([]);
  });
});

describe('applyDefaults<Kind>', () => {
  test('defaults fields of an existing object, not absent parents', () => {
    const w = defaults(() => v1, 'Widget')(widget({ size: 1 }));
    expect(w.spec).toEqual({ size: 1, replicas: 1, color: 'red' });
    expect(w).not.toHaveProperty('status');
    expect(defaults(() => v1, 'Widget')({ metadata: {} })).toEqual({ metadata: {} });
  });

  test('keeps values that are set', () => {
    expect(defaults(() => v1, 'Widget')(widget({ size: 1, replicas: 0, color: 'blue' })).spec).toEqual({ size: 1, replicas: 0, color: 'blue' });
  });

  test('a defaulted object gets its nested defaults; list items and map values are defaulted', () => {
    const d = defaults(() => v1, 'Thing');
    expect(d({})).toEqual({ spec: { mode: 'auto' } });
    expect(d({ spec: { weights: [{}, { weight: 2 }], byName: { a: {}, b: { on: false } }, limits: {} } })).toEqual({
      spec: { mode: 'auto', weights: [{ weight: 5 }, { weight: 2 }], byName: { a: { on: true }, b: { on: false } }, limits: { max: 1.5 } },
    });
  });

  test('defaults are fresh copies', () => {
    const d = defaults(() => v1, 'Thing');
    const a = d({}) as { spec: Record<string, unknown> };
    const b = d({}) as { spec: Record<string, unknown> };
    a.spec.mode = 'changed';
    expect(b.spec.mode).toBe('auto');
  });

  test('a kind without defaults in a version gets a no-op', () => {
    const obj = { spec: { enabled: true } };
    expect(defaults(() => v1beta1, 'Gadget')(obj)).toEqual({ spec: { enabled: true } });
    expect(defaults(() => v1beta1, 'Gadget')({ spec: {} })).toEqual({ spec: { enabled: false } });
  });
});
