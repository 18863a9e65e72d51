// Random objects from a version's schema (arbitraryKubeObject / arbitraryFromSchema) are valid
// under that version's generated validator, for every kind and version of both fixtures, and
// honour what ajv cannot check: unique list-map keys.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FieldError, KubeObject, StructuralSchemaData } from '../../src/runtime/api.js';
import { paths } from '../../src/emit/paths.js';
import { validateName } from '../../src/emit/validation.js';
import { arbitraryFromSchema, arbitraryKubeObject } from '../../src/runtime/schema/arbitrary.js';
import type { ProjectIR } from '../../src/model/ir.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { cleanup, emitTypeScript, writeProject } from '../emit/project.js';
import type { TempProject } from '../emit/project.js';
import { registrationName } from '../../src/emit/register.js';

const made: TempProject[] = [];
afterAll(() => cleanup(made));

interface Case {
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly schema: StructuralSchemaData;
  readonly validate: (obj: unknown) => FieldError[];
}
const cases: Case[] = [];

beforeAll(async () => {
  for (const [label, ir] of [['wardle', wardleIR], ['widgets', widgetsIR]] as [string, ProjectIR][]) {
    const project = writeProject(`arbitrary-${label}`, emitTypeScript(ir));
    made.push(project);
    for (const kind of ir.kinds) {
      for (const kv of kind.versions) {
        const register = (await import(join(project.dir, paths.register(ir, kv.version)))) as Record<string, { schema: StructuralSchemaData }>;
        const validation = (await import(join(project.dir, paths.validation(ir, kv.version)))) as Record<string, Case['validate']>;
        cases.push({
          name: `${kind.kind} ${kv.version}`,
          apiVersion: `${ir.group}/${kv.version}`,
          kind: kind.kind,
          namespaced: kind.scope === 'Namespaced',
          schema: register[registrationName(kind)]!.schema,
          validate: validation[validateName(kind)]!,
        });
      }
    }
  }
});

test('every generated object is valid under its version (all kinds, all versions)', () => {
  expect(cases.map((c) => c.name)).toEqual(['Fischer v1alpha1', 'Flunder v1beta1', 'Flunder v1alpha1', 'Gadget v1beta1', 'Widget v1', 'Widget v1beta1']);
  for (const c of cases) {
    fc.assert(
      fc.property(arbitraryKubeObject(c.schema, c), (obj: KubeObject) => {
        expect(c.validate(obj), `${c.name}: ${JSON.stringify(obj)}`).toEqual([]);
        expect(obj.apiVersion).toBe(c.apiVersion);
        expect(obj.metadata.namespace === undefined).toBe(!c.namespaced);
      }),
      { numRuns: 200 },
    );
  }
});

test('objects vary: optional fields are sometimes present, sometimes absent; list-map keys are unique', () => {
  const widgetV1 = cases.find((c) => c.name === 'Widget v1')!;
  const samples = fc.sample(arbitraryKubeObject(widgetV1.schema, widgetV1), { numRuns: 300, seed: 7 });
  const specs = samples.map((o) => o.spec as Record<string, unknown> | undefined).filter((s) => s !== undefined);
  for (const field of ['labels', 'ports', 'tags', 'note', 'config', 'createdBy', 'color']) {
    expect(specs.some((s) => field in s), `${field} present`).toBe(true);
    expect(specs.some((s) => !(field in s)), `${field} absent`).toBe(true);
  }
  expect(specs.every((s) => typeof s.size === 'number')).toBe(true);
  for (const s of specs) {
    const names = ((s.ports ?? []) as { name: string }[]).map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  }
  expect(specs.some((s) => s.note === null)).toBe(true);
  expect(specs.some((s) => typeof s.port === 'string') && specs.some((s) => typeof s.port === 'number')).toBe(true);
});

test('arbitraryFromSchema honours bounds, lengths, patterns, formats and multipleOf', () => {
  const schema = {
    type: 'object',
    required: ['n', 's', 'when', 'ip', 'list'],
    properties: {
      n: { type: 'integer', minimum: 10, maximum: 20, exclusiveMaximum: true, multipleOf: 5 },
      s: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-c]+$' },
      when: { type: 'string', format: 'date-time' },
      ip: { type: 'string', format: 'cidr' },
      list: { type: 'array', minItems: 5, maxItems: 5, 'x-kubernetes-list-type': 'set', items: { type: 'integer', minimum: 0, maximum: 9 } },
      x: { type: 'number', minimum: 0, maximum: 1, exclusiveMinimum: true },
    },
  } as const;
  for (const v of fc.sample(arbitraryFromSchema(schema), { numRuns: 200, seed: 3 }) as Record<string, unknown>[]) {
    expect([10, 15]).toContain(v.n);
    expect(v.s).toMatch(/^[a-c]{2,4}$/);
    expect(v.when).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(v.ip).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(new Set(v.list as number[]).size).toBe(5);
    if (v.x !== undefined) expect(v.x as number).toBeGreaterThan(0);
  }
});
