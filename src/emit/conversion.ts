// Conversions between each version of a kind and its hub (the storage version), like
// conversion-gen: generated code copies every field that matches in name and shape
// (recursively, lists and maps included); for each struct with fields that do not match, it
// calls a hand-written function in the user-owned src/conversion/<kind>.ts, scaffolded once
// with stubs that throw `requires manual conversion: <fields>` until written (the
// autoConvert_* / Convert_* split of k8s.io/code-generator). A new unmatched field later adds
// an import the user file lacks, so the project stops typechecking until it is written.
import type { KindIR, ProjectIR, StructuralSchema } from '../model/ir.js';
import { userOwnedNotice, type Emitter, type GeneratedFile } from './emitter.js';
import { importPath, paths } from './paths.js';
import {
  childKey,
  fieldPathOf,
  isIdentifier,
  isStruct,
  itemKey,
  mapValues,
  valueKey,
  versionIdent,
  versionNames,
} from './ts/naming.js';
import type { KindNames, PathKey } from './ts/naming.js';
import { moduleText, ts } from './ts/print.js';

/** The annotation the runtime keeps lost hub fields in (src/runtime/schema/hub-fields.ts). */
const hubFieldsAnnotation = 'aa-gen.dev/hub-fields';

/** A field of a source struct that generated code cannot convert. */
export interface UnmatchedField {
  /** Kubernetes-style path in the source version: `spec.colour`, `spec.ports[*].name`. */
  readonly field: string;
  readonly reason: string;
}

/** One hand-written function the generated conversion calls. */
export interface ManualConversion {
  /** The user-owned file that must export it. */
  readonly file: string;
  readonly functionName: string;
  readonly from: string;
  readonly to: string;
  /** Declared types, as `<version>.<TypeName>`. */
  readonly srcType: string;
  readonly dstType: string;
  readonly fields: readonly UnmatchedField[];
}

const reserved = new Set(['apiVersion', 'kind', 'metadata']);

function sameSet(a: readonly string[] = [], b: readonly string[] = []): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * True when a value valid under `src` can be stored as is under `dst` (same TypeScript type):
 * names and types agree recursively; validation keywords and descriptions do not matter.
 */
export function sameShape(src: StructuralSchema, dst: StructuralSchema): boolean {
  const ios = (s: StructuralSchema) => s['x-kubernetes-int-or-string'] === true;
  const pres = (s: StructuralSchema) => s['x-kubernetes-preserve-unknown-fields'] === true;
  if (ios(src) || ios(dst)) return ios(src) && ios(dst) && (src.nullable === true) === (dst.nullable === true);
  if (src.type !== dst.type || (src.nullable === true) !== (dst.nullable === true) || pres(src) !== pres(dst)) return false;
  if (dst.enum !== undefined && (src.enum === undefined || !src.enum.every((v) => dst.enum!.includes(v)))) return false;
  if (src.enum !== undefined && dst.enum === undefined && src.type !== 'string' && src.type !== 'integer' && src.type !== 'number') return false;
  if (src.type === 'array') {
    return src.items !== undefined && dst.items !== undefined ? sameShape(src.items, dst.items) : src.items === dst.items;
  }
  if (src.type === 'object') {
    const sa = typeof src.additionalProperties === 'object' ? src.additionalProperties : undefined;
    const da = typeof dst.additionalProperties === 'object' ? dst.additionalProperties : undefined;
    if ((sa === undefined) !== (da === undefined)) return false;
    if (sa !== undefined && da !== undefined && !sameShape(sa, da)) return false;
    if ((src.additionalProperties === true) !== (dst.additionalProperties === true)) return false;
    const sp = Object.keys(src.properties ?? {});
    const dp = Object.keys(dst.properties ?? {});
    if (!sameSet(sp, dp) || !sameSet(src.required, dst.required)) return false;
    return sp.every((p) => sameShape(src.properties![p]!, dst.properties![p]!));
  }
  return true;
}

const access = (obj: string, prop: string) => (isIdentifier(prop) ? `${obj}.${prop}` : `${obj}[${JSON.stringify(prop)}]`);

interface Direction {
  readonly kind: KindIR;
  readonly from: string;
  readonly to: string;
  readonly src: KindNames;
  readonly dst: KindNames;
}

/** Builds the functions of one direction (version -> hub or hub -> version). */
class DirectionBuilder {
  readonly functions: string[] = [];
  readonly manual: ManualConversion[] = [];
  private readonly done = new Set<PathKey>();

  constructor(
    private readonly d: Direction,
    private readonly userFile: string,
  ) {}

  /** Name of the generated function converting the struct at `key`. */
  fnName(key: PathKey): string {
    const base = key === '' ? this.d.kind.kind : this.d.src.nameAt.get(key)!;
    return `convert${base}${versionIdent(this.d.from)}To${versionIdent(this.d.to)}`;
  }

  private srcType(key: PathKey): string {
    return `${this.d.from}.${this.d.src.nameAt.get(key)!}`;
  }

  private dstType(key: PathKey): string {
    return `${this.d.to}.${this.d.dst.nameAt.get(key)!}`;
  }

  /**
   * An expression converting `expr` (valid under `s`) to `t`, or undefined when it needs a
   * hand-written conversion. `key` is the schema position (the same in both versions).
   */
  convertExpr(expr: string, s: StructuralSchema, t: StructuralSchema, key: PathKey): string | undefined {
    if (sameShape(s, t)) {
      const scalar = s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean' || s['x-kubernetes-int-or-string'] === true;
      return scalar ? expr : `deepCopyJson(${expr})`;
    }
    if ((s.nullable === true) !== (t.nullable === true) || s.type !== t.type) return undefined;
    // `expr` is always a plain access (src.x, item, value): repeating it has no side effects.
    let inner: string | undefined;
    if (isStruct(s) && isStruct(t)) {
      this.struct(key, s, t);
      inner = `${this.fnName(key)}(${expr})`;
    } else if (s.type === 'array' && s.items !== undefined && t.items !== undefined) {
      const item = this.convertExpr('item', s.items, t.items, itemKey(key));
      inner = item === undefined ? undefined : `${expr}.map((item) => ${item})`;
    } else {
      const sv = mapValues(s);
      const tv = mapValues(t);
      if (sv !== undefined && tv !== undefined) {
        const value = this.convertExpr('value', sv, tv, valueKey(key));
        inner = value === undefined ? undefined : `Object.fromEntries(Object.entries(${expr}).map(([name, value]) => [name, ${value}]))`;
      }
    }
    if (inner === undefined) return undefined;
    return s.nullable === true ? `(${expr} === null ? null : ${inner})` : inner;
  }

  /** Emits the function converting the struct at `key` (once). */
  struct(key: PathKey, s: StructuralSchema, t: StructuralSchema): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    const lines: string[] = [];
    const unmatched: UnmatchedField[] = [];
    for (const [prop, sp] of Object.entries(s.properties ?? {})) {
      if (key === '' && reserved.has(prop)) continue;
      const field = fieldPathOf(childKey(key, prop));
      const tp = t.properties?.[prop];
      if (tp === undefined) {
        unmatched.push({ field, reason: `${this.d.to} has no field ${prop} here` });
        continue;
      }
      const expr = this.convertExpr(access('src', prop), sp, tp, childKey(key, prop));
      if (expr === undefined) {
        unmatched.push({ field, reason: `its type differs in ${this.d.to}` });
        continue;
      }
      lines.push(`if (${access('src', prop)} !== undefined) ${access('dst', prop)} = ${expr};`);
    }
    const srcT = key === '' ? `${this.d.from}.${this.d.kind.kind}` : this.srcType(key);
    const dstT = key === '' ? `${this.d.to}.${this.d.kind.kind}` : this.dstType(key);
    const name = this.fnName(key);
    if (unmatched.length > 0) {
      this.manual.push({ file: this.userFile, functionName: name, from: this.d.from, to: this.d.to, srcType: srcT, dstType: dstT, fields: unmatched });
      lines.push(`manual.${name}(src, dst);`);
    }
    const init =
      key === ''
        ? `{ apiVersion: ${JSON.stringify(`${this.groupOf()}/${this.d.to}`)}, kind: ${JSON.stringify(this.d.kind.kind)}, metadata: deepCopyJson(src.metadata) } as ${dstT}`
        : `{} as ${dstT}`;
    const doc = key === '' ? `/** Converts a ${this.d.kind.kind} from ${this.d.from} to ${this.d.to}; \`src\` is not modified. */` : `/** ${fieldPathOf(key)}: ${this.d.from} -> ${this.d.to}. */`;
    this.functions.push(
      [doc, `${key === '' ? 'export ' : ''}function ${name}(src: ${srcT}): ${dstT} {`, `  const dst = ${init};`, ...lines.map((l) => `  ${l}`), '  return dst;', '}'].join('\n'),
    );
  }

  private group = '';
  setGroup(g: string): this {
    this.group = g;
    return this;
  }
  private groupOf(): string {
    return this.group;
  }
}

interface KindConversionPlan {
  readonly kind: KindIR;
  readonly hub: string;
  readonly others: readonly string[];
  readonly functions: readonly string[];
  readonly manual: readonly ManualConversion[];
}

function plan(ir: ProjectIR, kind: KindIR): KindConversionPlan {
  const hub = kind.storageVersion;
  const names = (version: string) => versionNames(ir, version).find((n) => n.kind.kind === kind.kind)!;
  const others = kind.versions.map((v) => v.version).filter((v) => v !== hub);
  const functions: string[] = [];
  const manual: ManualConversion[] = [];
  for (const version of others) {
    for (const [from, to] of [
      [version, hub],
      [hub, version],
    ] as const) {
      const d: Direction = { kind, from, to, src: names(from), dst: names(to) };
      const b = new DirectionBuilder(d, paths.userConversion(kind)).setGroup(ir.group);
      b.struct('', d.src.schema, d.dst.schema);
      // Nested struct functions were pushed before their callers finished; print callers first.
      functions.push(...[...b.functions].reverse());
      manual.push(...b.manual);
    }
  }
  return { kind, hub, others, functions, manual };
}

/** Every hand-written conversion function the generated code of the project calls. */
export function manualConversions(ir: ProjectIR): ManualConversion[] {
  return ir.kinds.flatMap((k) => plan(ir, k).manual);
}

export const conversionName = (kind: KindIR) => `${kind.kind[0]!.toLowerCase()}${kind.kind.slice(1)}Conversion`;

const typesImports = (ir: ProjectIR, from: string, versions: readonly string[]) =>
  versions.map((v) => `import type * as ${v} from '${importPath(from, paths.types(ir, v))}';`);

function generatedModule(ir: ProjectIR, p: KindConversionPlan): string {
  const file = paths.conversion(p.kind);
  const versions = [p.hub, ...p.others];
  const usesDeepCopy = p.functions.some((fn) => fn.includes('deepCopyJson('));
  const imports = [
    `import type { KindConversion } from 'aa-gen/runtime';`,
    `import { ${usesDeepCopy ? 'deepCopyJson, ' : ''}defineConversion } from 'aa-gen/runtime';`,
    ...(p.others.length > 0 ? typesImports(ir, file, versions) : []),
    ...(p.manual.length > 0 ? [`import * as manual from '${importPath(file, paths.userConversion(p.kind))}';`] : []),
  ];
  const table = p.others
    .map((v) => {
      const to = `convert${p.kind.kind}${versionIdent(v)}To${versionIdent(p.hub)}`;
      const fromHub = `convert${p.kind.kind}${versionIdent(p.hub)}To${versionIdent(v)}`;
      return `    ${v}: { toHub: ${to}, fromHub: ${fromHub} },`;
    })
    .join('\n');
  const lossless =
    p.others.length === 0
      ? []
      : [
          ` *`,
          ` * Fields a version cannot hold survive a round trip through it. Converting from the hub to a`,
          ` * version converts the result back; every hub field that did not survive is saved, as JSON, in`,
          ` * the ${hubFieldsAnnotation} annotation of the result (JSON pointer -> hub value). Converting`,
          ` * to the hub removes the annotation and puts the saved fields back: all of them when the object`,
          ` * is as it was read, otherwise each one that leaves the object as seen in its version unchanged,`,
          ` * so an edit made through a version wins over a saved value. The hub never keeps the annotation.`,
        ];
  const exported = [
    `/**`,
    ` * Conversions of ${p.kind.kind} through its hub, ${p.hub} (the storage version)${p.others.length === 0 ? ': the kind has one version, so this is the identity (a deep copy)' : ''}.`,
    ...lossless,
    ` */`,
    `export const ${conversionName(p.kind)}: KindConversion = defineConversion({`,
    `  group: ${JSON.stringify(ir.group)},`,
    `  kind: ${JSON.stringify(p.kind.kind)},`,
    `  hubVersion: ${JSON.stringify(p.hub)},`,
    p.others.length > 0 ? `  versions: {\n${table}\n  },` : '  versions: {},',
    `});`,
  ].join('\n');
  return moduleText([imports.join('\n'), ...p.functions, exported]);
}

function userModule(ir: ProjectIR, p: KindConversionPlan): string {
  const file = paths.userConversion(p.kind);
  const head = [
    `// ${userOwnedNotice}`,
    `//`,
    `// Hand-written conversions of ${p.kind.kind} for the fields that differ between versions, like`,
    `// conversion-gen's hand-written Convert_* functions. ${paths.conversion(p.kind)} calls each`,
    `// function after it has copied every field that matches into \`dst\`; fill in the rest of \`dst\``,
    `// from \`src\` (never modify \`src\`). Until a stub is written it throws, naming its fields.`,
    `// A field the target version has no place for may be left out: the generated conversion keeps`,
    `// every hub field a version cannot hold in the ${hubFieldsAnnotation} annotation for the way back.`,
    `// When a later spec adds unmatched fields, \`aa-gen generate\` names the function to add here.`,
  ].join('\n');
  const imports = [`import { manualConversionRequired } from 'aa-gen/runtime';`, ...typesImports(ir, file, [p.hub, ...p.others])].join('\n');
  return moduleText([head, imports, ...p.manual.map(stubOf)]);
}

/** The scaffolded stub of one hand-written function: it throws until written. */
function stubOf(m: ManualConversion): string {
  return [
    `/**`,
    ` * ${m.from} -> ${m.to}. Requires manual conversion:`,
    ...m.fields.map((u) => ` * - ${u.field}: ${u.reason}`),
    ` */`,
    `export function ${m.functionName}(src: ${m.srcType}, dst: ${m.dstType}): void {`,
    `  throw manualConversionRequired(${JSON.stringify(m.fields.map((u) => u.field))}, src, dst);`,
    `}`,
  ].join('\n');
}

export const conversionEmitter: Emitter = {
  name: 'conversion',
  emit(ir: ProjectIR): GeneratedFile[] {
    const files: GeneratedFile[] = [];
    for (const kind of ir.kinds) {
      const p = plan(ir, kind);
      files.push({ path: paths.conversion(kind), content: generatedModule(ir, p), owner: 'generated' });
      if (p.manual.length > 0) files.push({ path: paths.userConversion(kind), content: userModule(ir, p), owner: 'user' });
    }
    return files;
  },
};

/** A hand-written function the generated code calls that its existing user file lacks. */
export interface MissingManualConversion extends ManualConversion {
  /** The whole declaration to add, as the scaffold would write it. */
  readonly stub: string;
}

/**
 * Names exported by a module's source text (declarations and `export { a as b }`); undefined
 * when it re-exports everything from another module (`export * from`), which text cannot tell.
 */
export function exportedNames(sourceText: string): Set<string> | undefined {
  const file = ts.createSourceFile('user.ts', sourceText, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of file.statements) {
    if (ts.isExportDeclaration(st)) {
      if (st.exportClause === undefined) return undefined;
      if (ts.isNamedExports(st.exportClause)) for (const el of st.exportClause.elements) names.add(el.name.text);
      else names.add(st.exportClause.name.text);
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name !== undefined && exported(st)) {
      names.add(st.name.text);
    } else if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    }
  }
  return names;
}

/**
 * The hand-written conversion functions the generated code calls that are missing from user
 * files that already exist (a new file gets every stub from the scaffold). `readUserFile`
 * returns a file's text, or undefined when the file does not exist; nothing is read here
 * beyond what it returns, and user files are never changed.
 */
export function missingManualConversions(ir: ProjectIR, readUserFile: (path: string) => string | undefined): MissingManualConversion[] {
  const missing: MissingManualConversion[] = [];
  for (const kind of ir.kinds) {
    const p = plan(ir, kind);
    if (p.manual.length === 0) continue;
    const text = readUserFile(paths.userConversion(kind));
    if (text === undefined) continue;
    const names = exportedNames(text);
    if (names === undefined) continue;
    for (const m of p.manual) if (!names.has(m.functionName)) missing.push({ ...m, stub: stubOf(m) });
  }
  return missing;
}

/** A report of missing functions for the terminal: which function to add in which file, and why. */
export function formatMissingManualConversions(missing: readonly MissingManualConversion[]): string {
  if (missing.length === 0) return '';
  const byFile = new Map<string, MissingManualConversion[]>();
  for (const m of missing) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
  const lines: string[] = [];
  for (const [file, ms] of byFile) {
    const n = ms.length;
    lines.push(`aa-gen: ${file} lacks ${n} conversion function${n === 1 ? '' : 's'} the generated code calls; the project does not typecheck until ${n === 1 ? 'it is' : 'they are'} added:`);
    for (const m of ms) {
      lines.push(`  export function ${m.functionName}(src: ${m.srcType}, dst: ${m.dstType}): void  (${m.from} -> ${m.to})`);
      for (const u of m.fields) lines.push(`    requires manual conversion: ${u.field} (${u.reason})`);
    }
    lines.push(`  (aa-gen never changes ${file}; a stub to start from:)`);
    for (const m of ms) lines.push(...m.stub.split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n') + '\n';
}
