// The REST storage wiring: src/generated/registry.ts imports every generated piece (per-version
// registration, validation, conversion, OpenAPI) and the user's strategies, and exports the one
// `apiGroup: ApiGroupDefinition` the runtime serves. Each kind's strategy lives in a user-owned
// src/strategy/<kind>.ts, scaffolded once with every hook documented.
import type { AdmissionPluginIR, KindIR, ProjectIR } from '../model/ir.js';
import { admissionPaths, pluginValueName } from './admission.js';
import { conversionName } from './conversion.js';
import { userOwnedNotice, type Emitter, type GeneratedFile } from './emitter.js';
import { importPath, paths } from './paths.js';
import { registrationName } from './register.js';
import { camel, versionNames, versionsWithKinds } from './ts/naming.js';
import { moduleText } from './ts/print.js';
import { applyDefaultsName, validateName } from './validation.js';

export const strategyName = (kind: KindIR) => `${camel(kind.kind)}Strategy`;

const q = (s: string) => JSON.stringify(s);

export function registryModule(ir: ProjectIR): string {
  const file = paths.registry();
  const versions = versionsWithKinds(ir);
  const imports = [
    `import type { ApiGroupDefinition } from 'aa-gen/runtime';`,
    ir.admissionPlugins.length
      ? `import { defineAdmissionPlugin, defineApiGroup, defineKind } from 'aa-gen/runtime';`
      : `import { defineApiGroup, defineKind } from 'aa-gen/runtime';`,
    `import { openapiV2 } from '${importPath(file, paths.openapiV2())}';`,
    `import { openapiV3 } from '${importPath(file, paths.openapiV3())}';`,
    ...versions.flatMap((v) => [
      `import * as ${camel(v)}Register from '${importPath(file, paths.register(ir, v))}';`,
      `import * as ${camel(v)}Validation from '${importPath(file, paths.validation(ir, v))}';`,
    ]),
    ...ir.kinds.map((k) => `import { ${conversionName(k)} } from '${importPath(file, paths.conversion(k))}';`),
    ...ir.kinds.map((k) => `import { ${strategyName(k)} } from '${importPath(file, paths.userStrategy(k))}';`),
    ...ir.admissionPlugins.map((p) => `import { ${pluginValueName(p)} } from '${importPath(file, admissionPaths.user(p))}';`),
  ];
  // The spec's declaration of each plugin, joined with the user's hooks (src/admission/<name>.ts).
  const plugin = (p: AdmissionPluginIR) =>
    `    defineAdmissionPlugin({ name: ${q(p.name)}, type: ${q(p.type)}, operations: [${p.operations.map(q).join(', ')}], kinds: [${p.kinds.map(q).join(', ')}], enabledByDefault: ${p.enabledByDefault} }, ${pluginValueName(p)}),`;
  const kind = (k: KindIR) =>
    [
      `    defineKind({`,
      `      versions: [`,
      ...k.versions.map(
        (kv) =>
          `        { registration: ${camel(kv.version)}Register.${registrationName(k)}, validate: ${camel(kv.version)}Validation.${validateName(k)}, applyDefaults: ${camel(kv.version)}Validation.${applyDefaultsName(k)} },`,
      ),
      `      ],`,
      `      conversion: ${conversionName(k)},`,
      `      strategy: ${strategyName(k)},`,
      `    }),`,
    ].join('\n');
  const body = [
    `/** The ${ir.group} API group: every kind, version, schema, conversion and strategy the server serves. */`,
    `export const apiGroup: ApiGroupDefinition = defineApiGroup({`,
    `  group: ${q(ir.group)},`,
    `  versions: [`,
    ...ir.versions.map((v) => `    { version: ${q(v.name)}, served: ${v.served}, storage: ${v.storage} },`),
    `  ],`,
    `  preferredVersion: ${q(ir.preferredVersion)},`,
    `  storageVersion: ${q(ir.storageVersion)},`,
    `  kinds: [`,
    ...ir.kinds.map(kind),
    `  ],`,
    `  openapi: { v2: openapiV2, v3: openapiV3 },`,
    ...(ir.admissionPlugins.length ? [`  admissionPlugins: [`, ...ir.admissionPlugins.map(plugin), `  ],`] : []),
    `});`,
  ].join('\n');
  return moduleText([imports.join('\n'), body]);
}

/** The user-owned strategy scaffold of a kind: every hook present as documented comments. */
export function strategyModule(ir: ProjectIR, kind: KindIR): string {
  const file = paths.userStrategy(kind);
  const hub = kind.storageVersion;
  const typeName = versionNames(ir, hub).find((n) => n.kind.kind === kind.kind)!.kind.kind;
  const status = kind.subresources.status;
  return moduleText([
    [
      `// ${userOwnedNotice}`,
      `//`,
      `// Strategy hooks of ${kind.kind}, the equivalent of a Go REST strategy (k8s.io/apiserver`,
      `// pkg/registry/rest/create.go, update.go). Every hook is optional and receives objects in the`,
      `// storage version, ${ir.group}/${hub}, after schema defaulting and validation.`,
    ].join('\n'),
    [
      `import type { Strategy } from 'aa-gen/runtime';`,
      `import type { ${typeName} } from '${importPath(file, paths.types(ir, hub))}';`,
    ].join('\n'),
    [
      `export const ${strategyName(kind)}: Strategy<${typeName}> = {`,
      `  // prepareForCreate(obj, ctx) {`,
      `  //   Runs on create before validation; may modify obj. Clear what callers may not set${status ? ',' : '.'}`,
      ...(status ? [`  //   e.g. \`delete obj.status;\` (${kind.kind} has a status subresource).`] : []),
      `  // },`,
      `  // prepareForUpdate(obj, old, ctx) {`,
      `  //   Runs on update before validation; may modify obj (not old). Carry over what callers may`,
      `  //   not change${status ? ', e.g. `obj.status = old.status;` on the main resource.' : '.'}`,
      `  // },`,
      `  // validate(obj, ctx) {`,
      `  //   Checks beyond the schema on create; must not modify obj. Return field errors, e.g.`,
      `  //   [{ type: 'FieldValueInvalid', field: 'spec.x', value: obj.spec?.x, detail: 'must be ...' }].`,
      `  //   return [];`,
      `  // },`,
      `  // validateUpdate(obj, old, ctx) {`,
      `  //   Checks beyond the schema on update (e.g. immutable fields); must not modify either object.`,
      `  //   return [];`,
      `  // },`,
      `  // canonicalize(obj) {`,
      `  //   Normalises obj just before it is stored (sort lists, lower-case names...); may modify obj.`,
      `  // },`,
      `  // warningsOnCreate(obj, ctx) {`,
      `  //   Warnings returned to the client in \`Warning\` headers on create; must not modify obj.`,
      `  //   return [];`,
      `  // },`,
      `  // warningsOnUpdate(obj, old, ctx) {`,
      `  //   Warnings returned to the client on update; must not modify either object.`,
      `  //   return [];`,
      `  // },`,
      `};`,
    ].join('\n'),
  ]);
}

export const registryEmitter: Emitter = {
  name: 'registry',
  emit(ir: ProjectIR): GeneratedFile[] {
    return [
      { path: paths.registry(), content: registryModule(ir), owner: 'generated' },
      ...ir.kinds.map((k): GeneratedFile => ({ path: paths.userStrategy(k), content: strategyModule(ir, k), owner: 'user' })),
    ];
  },
};
