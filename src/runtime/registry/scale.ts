// The /scale subresource as autoscaling/v1 Scale, after k8s.io/apiextensions-apiserver@v0.32.4
// pkg/registry/customresource/etcd.go (scaleFromCustomResource, scaleUpdatedObjectInfo): the
// kind's specReplicasPath/statusReplicasPath/labelSelectorPath map the object onto a Scale and
// back. Both functions work on an object in any version whose paths the kind declares.
import type { KindDefinition, KubeObject } from '../api.js';
import { errors, StatusError } from '../errors.js';
import { compileJsonPath } from '../util/jsonpath.js';
import type { CompiledPath } from '../util/jsonpath.js';

const pathCache = new Map<string, CompiledPath>();
function compiled(path: string): CompiledPath {
  let p = pathCache.get(path);
  if (!p) {
    p = compileJsonPath(path);
    pathCache.set(path, p);
  }
  return p;
}

function scaleOf(kind: KindDefinition) {
  const scale = kind.subresources.scale;
  if (!scale) throw errors.badRequest(`the server could not find the requested resource (${kind.plural}/scale)`);
  return scale;
}

function asInt(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw errors.internal(new Error(`${path} accessor error: ${JSON.stringify(value)} is of the type ${typeof value}, expected int64`));
  }
  return value;
}

/** The object's Scale (autoscaling/v1). `status.selector` is a label selector string. */
export function toScale(kind: KindDefinition, obj: KubeObject): KubeObject {
  const s = scaleOf(kind);
  const specReplicas = asInt(compiled(s.specReplicasPath)(obj)[0], s.specReplicasPath);
  const statusReplicas = asInt(compiled(s.statusReplicasPath)(obj)[0], s.statusReplicasPath);
  let selector: string | undefined;
  if (s.labelSelectorPath) {
    const v = compiled(s.labelSelectorPath)(obj)[0];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw errors.internal(new Error(`${s.labelSelectorPath} accessor error: ${JSON.stringify(v)} is of the type ${typeof v}, expected string`));
    }
    selector = v || undefined;
  }
  const m = obj.metadata ?? {};
  const metadata: KubeObject['metadata'] = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.namespace) metadata.namespace = m.namespace;
  if (m.uid) metadata.uid = m.uid;
  if (m.resourceVersion) metadata.resourceVersion = m.resourceVersion;
  // metav1.Time serializes a zero time as null.
  metadata.creationTimestamp = m.creationTimestamp ?? (null as unknown as string);
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata,
    // ScaleSpec.replicas is omitempty; ScaleStatus.replicas is not.
    spec: specReplicas ? { replicas: specReplicas } : {},
    status: selector ? { replicas: statusReplicas, selector } : { replicas: statusReplicas },
  };
}

/**
 * Sets a value at a dotted JSONPath (`.spec.replicas`), creating intermediate objects. Scale
 * paths are simple field paths (apiextensions validation forbids array steps there).
 */
export function setJsonPathValue(obj: Record<string, unknown>, path: string, value: unknown): void {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  if (!/^(\.[^.[\]]+)+$/.test(p)) throw new Error(`invalid JSONPath ${JSON.stringify(path)}: only dotted field paths can be set`);
  const fields = p.slice(1).split('.');
  let cur: Record<string, unknown> = obj;
  for (const f of fields.slice(0, -1)) {
    const next = cur[f];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      cur[f] = created;
      cur = created;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      cur = next as Record<string, unknown>;
    } else {
      throw new Error(`value at ${f} of ${path} is not an object`);
    }
  }
  cur[fields[fields.length - 1]] = value;
}

/**
 * What decoding a Scale into autoscaling/v1 would refuse: ScaleSpec.Replicas is an int32
 * (Go's decoder refuses other types, fractions and out-of-range numbers alike).
 */
export function scaleDecodeError(scale: KubeObject): string | undefined {
  const spec = scale.spec as unknown;
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    return `json: cannot unmarshal ${Array.isArray(spec) ? 'array' : typeof spec === 'boolean' ? 'bool' : typeof spec} into Go struct field Scale.spec of type v1.ScaleSpec`;
  }
  const replicas = (spec as { replicas?: unknown }).replicas;
  if (replicas === undefined || replicas === null) return undefined;
  if (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= -(2 ** 31) && replicas < 2 ** 31) return undefined;
  const value = typeof replicas === 'number' ? `number ${String(replicas)}` : Array.isArray(replicas) ? 'array' : typeof replicas === 'boolean' ? 'bool' : typeof replicas;
  return `json: cannot unmarshal ${value} into Go struct field ScaleSpec.spec.replicas of type int32`;
}

/**
 * Returns a copy of `obj` with the Scale's spec.replicas written to the spec replicas path, and
 * the Scale's resourceVersion (when given) as the object's, so the store checks it as the
 * update precondition. A negative replica count is 422 (autoscaling validation); a Scale uid
 * that differs from the object's is a 409 precondition failure.
 */
export function applyScale(kind: KindDefinition, obj: KubeObject, scale: KubeObject): KubeObject {
  const s = scaleOf(kind);
  const spec = (scale.spec ?? {}) as { replicas?: number };
  const name = scale.metadata?.name ?? '';
  const decodeError = scaleDecodeError(scale);
  if (decodeError) throw errors.badRequest(`Scale in version "v1" cannot be handled as a Scale: ${decodeError}`);
  const replicas = spec.replicas ?? 0;
  if (replicas < 0) {
    throw errors.invalid('autoscaling', 'Scale', name, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  const uid = scale.metadata?.uid;
  if (uid && uid !== obj.metadata?.uid) {
    throw new StatusError(
      'Conflict',
      `Operation cannot be fulfilled on scale.autoscaling "${obj.metadata?.name ?? name}": Precondition failed: UID in precondition: ${uid}, UID in object meta: ${obj.metadata?.uid ?? ''}`,
      { name: obj.metadata?.name ?? name, group: 'autoscaling', kind: 'scale' },
    );
  }
  const out = structuredClone(obj);
  setJsonPathValue(out, s.specReplicasPath, replicas);
  if (scale.metadata?.resourceVersion) out.metadata.resourceVersion = scale.metadata.resourceVersion;
  return out;
}
