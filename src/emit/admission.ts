// Admission plugins: for each plugin of the spec a user-owned src/admission/<name>.ts (created
// once, a typed stub with its hook documented), and src/generated/admission.ts with the types
// the stubs are written against: the group's resources by plural (what listers return) and one
// hooks type per plugin, typed on the kinds it names. src/generated/registry.ts registers the
// plugins (src/emit/registry.ts). A spec without plugins produces nothing here.
import type { AdmissionPluginIR, KindIR, ProjectIR } from '../model/ir.js';
import { userOwnedNotice, type Emitter, type GeneratedFile } from './emitter.js';
import { generatedDir, importPath, paths } from './paths.js';
import { camel } from './ts/naming.js';
import { moduleText } from './ts/print.js';

export const admissionPaths = {
  /** Generated: the resource map and the hooks types. */
  types: () => `${generatedDir}/admission.ts`,
  /** User-owned: the plugin's hook. */
  user: (p: AdmissionPluginIR) => `src/admission/${p.name.toLowerCase()}.ts`,
} as const;

/** The value the user file exports: `banFlunderPlugin` (a suffix keeps names like Delete legal). */
export const pluginValueName = (p: AdmissionPluginIR) => `${camel(p.name)}Plugin`;

/** The hooks type of a plugin: `BanFlunderHooks`. */
export const hooksTypeName = (p: AdmissionPluginIR) => `${p.name}Hooks`;

/** A single-quoted string for comments (the style of the code around them). */
const sq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Words of `text` as `// ` comment lines of at most `width` characters. */
function commentLines(text: string, width = 100): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '//';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line.length > 2 && line.length + 1 + word.length > width) {
        lines.push(line);
        line = '//';
      }
      line += ` ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/** The type of a kind in its hub version: the kind's own name (src/emit/ts/naming.ts reserves it). */
function hubTypeName(kind: KindIR): string {
  return kind.kind;
}

function kindsOf(ir: ProjectIR, p: AdmissionPluginIR): KindIR[] {
  return p.kinds.map((name) => ir.kinds.find((k) => k.kind === name)!);
}

export function admissionTypesModule(ir: ProjectIR): string {
  const file = admissionPaths.types();
  const byVersion = new Map<string, string[]>();
  for (const k of ir.kinds) byVersion.set(k.storageVersion, [...(byVersion.get(k.storageVersion) ?? []), hubTypeName(k)]);
  const versions = [...byVersion.keys()].sort();
  const stages = [...new Set(ir.admissionPlugins.map((p) => (p.type === 'mutating' ? 'MutatingHooks' : 'ValidatingHooks')))].sort();
  const imports = [
    `import type { ${stages.join(', ')} } from 'aa-gen/runtime';`,
    ...versions.map((v) => `import type { ${byVersion.get(v)!.sort().join(', ')} } from '${importPath(file, paths.types(ir, v))}';`),
  ];
  const plurals = [...ir.kinds].sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
  const resources = [
    `/** Every resource of ${ir.group} by plural, in its storage version: what \`ctx.listers.get(plural)\` reads. */`,
    `export type Resources = {`,
    ...plurals.map((k) => `  ${k.plural}: ${hubTypeName(k)};`),
    `};`,
  ].join('\n');
  const hooks = ir.admissionPlugins.map((p) => {
    const objectType = kindsOf(ir, p).map(hubTypeName).join(' | ');
    const stage = p.type === 'mutating' ? 'MutatingHooks' : 'ValidatingHooks';
    return [
      `/** ${p.name}: ${p.type}, on ${p.operations.join(', ')} of ${p.kinds.join(', ')}. */`,
      `export type ${hooksTypeName(p)} = ${stage}<${objectType}, Resources>;`,
    ].join('\n');
  });
  return moduleText([imports.join('\n'), resources, ...hooks]);
}

/** The user-owned scaffold of a plugin: its one hook, documented, allowing everything. */
export function admissionPluginModule(ir: ProjectIR, p: AdmissionPluginIR): string {
  const file = admissionPaths.user(p);
  const kinds = kindsOf(ir, p);
  const mutating = p.type === 'mutating';
  const kindList = p.kinds.join(' or ');
  const resource = kinds[0]!;
  const other = ir.kinds.find((k) => !p.kinds.includes(k.kind)) ?? resource;
  const description = p.description ? ['//', ...commentLines(p.description)] : [];
  const header = [
    `// ${userOwnedNotice}`,
    `//`,
    `// Admission plugin ${p.name} (${p.type}), the equivalent of a k8s.io/apiserver admission plugin`,
    `// (pkg/admission/interfaces.go ${mutating ? 'MutationInterface' : 'ValidationInterface'}). It is called on ${p.operations.join(', ')} of ${kindList},`,
    mutating
      ? `// before the strategy and schema validation, and may change the object in place.`
      : `// after the strategy and schema validation, and may only accept or refuse.`,
    `// Objects are in the storage version. Turn it off with --disable-admission-plugins=${p.name}.`,
    ...description,
  ].join('\n');
  const hook = mutating ? 'admit' : 'validate';
  const body = [
    `export const ${pluginValueName(p)}: ${hooksTypeName(p)} = {`,
    `  // Allows everything until you write it. Declare the parameters you use, \`async ${hook}(a, ctx)\`:`,
    `  // both are typed from ${hooksTypeName(p)} (src/generated/admission.ts).`,
    `  ${hook}() {`,
    `    // a.operation    ${p.operations.map(sq).join(' | ')}`,
    `    // a.object       the incoming ${kindList}${mutating ? ', yours to change (undefined on DELETE)' : ' (read-only; undefined on DELETE)'}`,
    `    // a.oldObject    the stored object (UPDATE and DELETE)`,
    `    // a.name, a.namespace, a.subresource, a.user (username, groups), a.dryRun, a.options`,
    `    // Other objects come from the watch cache, without a storage round trip:`,
    `    //   const ${camel(other.plural)} = await ctx.listers.get(${sq(other.plural)}).list();`,
    `    // Refuse by throwing: an Error answers 403 Forbidden, e.g.`,
    `    //   ${resource.plural}.${ir.group} "<name>" is forbidden: <your message>`,
    `    //   throw new Error('<your message>');`,
    `  },`,
    `};`,
  ].join('\n');
  return moduleText([header, `import type { ${hooksTypeName(p)} } from '${importPath(file, admissionPaths.types())}';`, body]);
}

export const admissionEmitter: Emitter = {
  name: 'admission',
  emit(ir: ProjectIR): GeneratedFile[] {
    if (ir.admissionPlugins.length === 0) return [];
    return [
      { path: admissionPaths.types(), content: admissionTypesModule(ir), owner: 'generated' },
      ...ir.admissionPlugins.map((p): GeneratedFile => ({ path: admissionPaths.user(p), content: admissionPluginModule(ir, p), owner: 'user' })),
    ];
  },
};
