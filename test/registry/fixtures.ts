// Hand-built KindDefinitions for the registry tests: what generated code would hand the runtime.
// Widget: namespaced, /status and /scale, selectable spec.color, v1 (hub) and v1beta1 where
// spec.color is spelled spec.colour. Gadget: cluster-scoped, one version, no subresources.
import type {
  FieldError,
  KindDefinition,
  KindVersionDefinition,
  KubeObject,
  StructuralSchemaData,
} from '../../src/runtime/api.js';
import type { RequestContext } from '../../src/runtime/registry/interface.js';

export const group = 'demo.example.com';

type Json = Record<string, unknown>;

const statusSchema: StructuralSchemaData = {
  type: 'object',
  properties: {
    replicas: { type: 'integer' },
    selector: { type: 'string' },
    phase: { type: 'string' },
  },
};

const widgetV1Schema: StructuralSchemaData = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { type: 'integer' },
        replicas: { type: 'integer', default: 1 },
        color: { type: 'string', enum: ['red', 'green', 'blue'], default: 'red' },
        port: { 'x-kubernetes-int-or-string': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        ports: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
      },
    },
    status: statusSchema,
  },
};

const widgetV1beta1Schema: StructuralSchemaData = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { type: 'integer' },
        replicas: { type: 'integer', default: 1 },
        colour: { type: 'string' },
      },
    },
    status: statusSchema,
  },
};

function obj(x: unknown): Json | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Json) : undefined;
}

/** A hand-written stand-in for a generated validator: spec.size required, integer, >= 0; color enum. */
function validateWidget(version: string) {
  return (o: unknown): FieldError[] => {
    const errs: FieldError[] = [];
    const spec = obj((o as Json).spec);
    if (!spec) return [{ type: 'FieldValueRequired', field: 'spec', detail: '' }];
    if (spec.size === undefined) errs.push({ type: 'FieldValueRequired', field: 'spec.size', detail: '' });
    else if (typeof spec.size !== 'number' || !Number.isInteger(spec.size)) {
      errs.push({ type: 'FieldValueTypeInvalid', field: 'spec.size', value: spec.size, detail: 'must be of type integer' });
    } else if (spec.size < 0) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.size', value: spec.size, detail: 'should be greater than or equal to 0' });
    }
    const color = version === 'v1' ? spec.color : undefined;
    if (color !== undefined && !['red', 'green', 'blue'].includes(color as string)) {
      errs.push({ type: 'FieldValueNotSupported', field: 'spec.color', value: color, detail: 'supported values: "red", "green", "blue"' });
    }
    return errs;
  };
}

function defaultWidget(version: string) {
  return (o: Json): void => {
    const spec = obj(o.spec);
    if (!spec) return;
    if (spec.replicas === undefined) spec.replicas = 1;
    if (version === 'v1' && spec.color === undefined) spec.color = 'red';
  };
}

function widgetVersion(version: string, storage: boolean, schema: StructuralSchemaData): KindVersionDefinition {
  return { version, served: true, storage, schema, validate: validateWidget(version), applyDefaults: defaultWidget(version) };
}

function renameSpecField(o: KubeObject, from: string, to: string, apiVersion: string): KubeObject {
  const out = structuredClone(o);
  out.apiVersion = apiVersion;
  const spec = obj(out.spec);
  if (spec && from in spec) {
    spec[to] = spec[from];
    delete spec[from];
  }
  return out;
}

export const widgetKind: KindDefinition = {
  group,
  kind: 'Widget',
  listKind: 'WidgetList',
  plural: 'widgets',
  singular: 'widget',
  shortNames: ['wd'],
  categories: ['all'],
  scope: 'Namespaced',
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  },
  printerColumns: [],
  selectableFields: ['.spec.color'],
  storageVersion: 'v1',
  versions: [widgetVersion('v1', true, widgetV1Schema), widgetVersion('v1beta1', false, widgetV1beta1Schema)],
  conversion: {
    toHub: (o) => (o.apiVersion === `${group}/v1` ? structuredClone(o) : renameSpecField(o, 'colour', 'color', `${group}/v1`)),
    fromHub: (hub, version) =>
      version === 'v1' ? structuredClone(hub) : renameSpecField(hub, 'color', 'colour', `${group}/${version}`),
  },
  strategy: {
    validate(o) {
      const size = obj(o.spec)?.size;
      return typeof size === 'number' && size > 100
        ? [{ type: 'FieldValueInvalid', field: 'spec.size', value: size, detail: 'must be less than or equal to 100' }]
        : [];
    },
    validateUpdate(o, old) {
      const errs = widgetKind.strategy.validate!(o, { dryRun: false });
      const oldPort = obj(old.spec)?.port;
      if (oldPort !== undefined && obj(o.spec)?.port !== oldPort) {
        errs.push({ type: 'FieldValueInvalid', field: 'spec.port', value: obj(o.spec)?.port, detail: 'field is immutable' });
      }
      return errs;
    },
    warningsOnCreate(o) {
      return obj(o.spec)?.color === 'blue' ? ['blue widgets are deprecated'] : [];
    },
    canonicalize(o) {
      const labels = obj(obj(o.spec)?.labels);
      if (labels) for (const k of Object.keys(labels)) labels[k] = String(labels[k]).trim();
    },
  },
};

export const gadgetKind: KindDefinition = {
  group,
  kind: 'Gadget',
  listKind: 'GadgetList',
  plural: 'gadgets',
  singular: 'gadget',
  shortNames: [],
  categories: [],
  scope: 'Cluster',
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: false },
  printerColumns: [],
  selectableFields: [],
  storageVersion: 'v1',
  versions: [
    {
      version: 'v1',
      served: true,
      storage: true,
      schema: { type: 'object', properties: { spec: { type: 'object', properties: { enabled: { type: 'boolean' } } }, status: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
      validate: () => [],
      applyDefaults: (o) => {
        const spec = obj(o.spec);
        if (spec && spec.enabled === undefined) spec.enabled = false;
      },
    },
  ],
  conversion: { toHub: (o) => structuredClone(o), fromHub: (h) => structuredClone(h) },
  strategy: {},
};

export function ctx(over: Partial<RequestContext> = {}): RequestContext {
  return { dryRun: false, fieldValidation: 'Strict', warnings: [], ...over };
}

export function widget(name: string, spec: Json = { size: 1 }, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: `${group}/v1`,
    kind: 'Widget',
    ...extra,
    metadata: { name, ...(extra.metadata ?? {}) },
    spec,
  };
}

/** Expect a promise to reject with a StatusError; returns it for further checks. */
export async function rejection(p: Promise<unknown>): Promise<{ reason: string; code: number; message: string; details?: { causes?: readonly { reason?: string; message?: string; field?: string }[] } & Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected a rejection');
}
