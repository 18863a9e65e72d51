// Names of the TypeScript declarations emitted for a version's kinds, in one place, so the
// types emitter (which declares them) and the conversion emitter (which refers to them) agree.
// Names are derived from field paths, never from schema object identity: YAML anchors make one
// schema object appear at several paths.
import type { KindIR, ProjectIR, StructuralSchema } from '../../model/ir.js';

/** `reference-type` -> `ReferenceType`, `spec` -> `Spec`; always a valid identifier part. */
export function pascal(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
  const joined = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  if (joined === '') return 'Field';
  return /^[0-9]/.test(joined) ? `N${joined}` : joined;
}

/** `v1beta1` -> `V1beta1`: the version as it appears inside identifiers. */
export function versionIdent(version: string): string {
  return pascal(version);
}

/** `Flunder` -> `flunder`: the kind as it appears in camelCase identifiers. */
export function camel(name: string): string {
  const p = pascal(name);
  return p[0]!.toLowerCase() + p.slice(1);
}

/** True when `name` can be written as a bare property name. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/**
 * A schema position inside a kind: `spec`, `spec.ports[]` (list items), `spec.labels{}` (map
 * values). The root (the kind itself) is ``.
 */
export type PathKey = string;

export const childKey = (parent: PathKey, prop: string): PathKey => (parent === '' ? prop : `${parent}.${prop}`);
export const itemKey = (parent: PathKey): PathKey => `${parent}[]`;
export const valueKey = (parent: PathKey): PathKey => `${parent}{}`;

/** True when a schema is an object type with a declared set of fields (a named declaration). */
export function isStruct(s: StructuralSchema): boolean {
  return (
    s.type === 'object' &&
    s['x-kubernetes-int-or-string'] !== true &&
    (s.properties !== undefined || (s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true))
  );
}

/** The schema of a map's values, when the object is a map (`additionalProperties`). */
export function mapValues(s: StructuralSchema): StructuralSchema | undefined {
  return s.type === 'object' && s.properties === undefined && typeof s.additionalProperties === 'object'
    ? s.additionalProperties
    : undefined;
}

export interface NamedStruct {
  readonly name: string;
  readonly key: PathKey;
  readonly schema: StructuralSchema;
}

export interface KindNames {
  readonly kind: KindIR;
  /** The kind's root schema in this version. */
  readonly schema: StructuralSchema;
  /** Struct declarations of the kind below the root, in declaration (depth-first) order. */
  readonly structs: readonly NamedStruct[];
  /** Name of the struct declared for a path key (the root maps to the kind name). */
  readonly nameAt: ReadonlyMap<PathKey, string>;
}

/** Kinds that exist in `version`, in IR order (sorted by kind name). */
export function kindsIn(ir: ProjectIR, version: string): KindIR[] {
  return ir.kinds.filter((k) => k.versions.some((v) => v.version === version));
}

/** Group versions that hold at least one kind, in the group's order. */
export function versionsWithKinds(ir: ProjectIR): string[] {
  return ir.versions.map((v) => v.name).filter((v) => kindsIn(ir, v).length > 0);
}

export function kindSchema(kind: KindIR, version: string): StructuralSchema {
  const kv = kind.versions.find((v) => v.version === version);
  if (kv === undefined) throw new Error(`internal: kind ${kind.kind} has no version ${version}`);
  return kv.schema;
}

/**
 * Declaration names for every kind of one version file. Names are unique within the file;
 * a clash (two paths giving one name) is resolved by a numeric suffix in walk order.
 */
export function versionNames(ir: ProjectIR, version: string): KindNames[] {
  const kinds = kindsIn(ir, version);
  const used = new Set<string>();
  // Kind-level names are reserved first so a nested struct never takes them.
  for (const k of kinds) {
    used.add(k.kind);
    used.add(k.listKind);
    used.add(`is${k.kind}`);
    used.add(`is${k.listKind}`);
  }
  used.add('ObjectMeta');
  used.add('ListMeta');
  const unique = (wanted: string): string => {
    let name = wanted;
    for (let i = 2; used.has(name); i++) name = `${wanted}${i}`;
    used.add(name);
    return name;
  };
  return kinds.map((kind) => {
    const schema = kindSchema(kind, version);
    const structs: NamedStruct[] = [];
    const nameAt = new Map<PathKey, string>([['', kind.kind]]);
    const visit = (s: StructuralSchema, key: PathKey, base: string): void => {
      if (s.type === 'array' && s.items !== undefined) {
        visitChild(s.items, itemKey(key), `${base}Item`);
        return;
      }
      const values = mapValues(s);
      if (values !== undefined) {
        visitChild(values, valueKey(key), `${base}Value`);
        return;
      }
      for (const [prop, child] of Object.entries(s.properties ?? {})) {
        visitChild(child, childKey(key, prop), `${base}${pascal(prop)}`);
      }
    };
    const visitChild = (s: StructuralSchema, key: PathKey, wanted: string): void => {
      if (isStruct(s)) {
        const name = unique(wanted);
        nameAt.set(key, name);
        structs.push({ name, key, schema: s });
        visit(s, key, name);
      } else {
        visit(s, key, wanted);
      }
    };
    visit(schema, '', kind.kind);
    return { kind, schema, structs, nameAt };
  });
}

/** A path key as a Kubernetes field path for messages: `spec.ports[*].name`. */
export function fieldPathOf(key: PathKey): string {
  return key.replace(/\[\]/g, '[*]').replace(/\{\}/g, '[*]');
}
