// Round-trip property tests of conversions, generated into the project for every kind with
// more than one version: `roundTrip<Kind>()` checks, with random objects from each version's
// schema, that hub -> version -> hub is the identity and that version -> hub -> version loses
// nothing the hub can hold (the runtime's checkRoundTrip states the properties), and a tiny
// node:test file runs it, so `node --test dist/generated/roundtrip/*.test.js` after a build
// checks the project's hand-written conversions as kube's fuzzing round-trip tests do.
import type { KindIR, ProjectIR } from '../model/ir.js';
import { manualConversions, conversionName } from './conversion.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { generatedDir, importPath, paths, fileStem } from './paths.js';
import { registrationName } from './register.js';
import { versionIdent } from './ts/naming.js';
import { moduleText } from './ts/print.js';
import { applyDefaultsName, validateName } from './validation.js';
import { strategyName } from './registry.js';

/** The module exporting `roundTrip<Kind>()`. */
export const roundTripPath = (kind: KindIR) => `${generatedDir}/roundtrip/${fileStem(kind)}.ts`;
/** The node:test file that runs it (built to dist/ with the rest of src/). */
export const roundTripTestPath = (kind: KindIR) => `${generatedDir}/roundtrip/${fileStem(kind)}.test.ts`;
/** Name of the generated check: `roundTripFlunder`. */
export const roundTripName = (kind: KindIR) => `roundTrip${kind.kind}`;

function checkModule(ir: ProjectIR, kind: KindIR, hasUserFile: boolean): string {
  const file = roundTripPath(kind);
  const versions = kind.versions.map((v) => v.version);
  const others = versions.filter((v) => v !== kind.storageVersion);
  const imports = [
    `import { checkRoundTrip } from 'aa-gen/runtime';`,
    `import type { RoundTripOptions, RoundTripSubject } from 'aa-gen/runtime';`,
    `import { ${conversionName(kind)} } from '${importPath(file, paths.conversion(kind))}';`,
    `import { ${strategyName(kind)} } from '${importPath(file, paths.userStrategy(kind))}';`,
    ...versions.flatMap((v) => [
      `import { ${registrationName(kind)} as ${registrationName(kind)}${versionIdent(v)} } from '${importPath(file, paths.register(ir, v))}';`,
      `import { ${applyDefaultsName(kind)} as ${applyDefaultsName(kind)}${versionIdent(v)}, ${validateName(kind)} as ${validateName(kind)}${versionIdent(v)} } from '${importPath(file, paths.validation(ir, v))}';`,
    ]),
  ];
  const versionEntries = versions.map(
    (v) =>
      `    ${v}: { schema: ${registrationName(kind)}${versionIdent(v)}.schema, validate: ${validateName(kind)}${versionIdent(v)}, applyDefaults: ${applyDefaultsName(kind)}${versionIdent(v)} },`,
  );
  const subject = [
    `const subject: RoundTripSubject = {`,
    `  group: ${JSON.stringify(ir.group)},`,
    `  kind: ${JSON.stringify(kind.kind)},`,
    `  namespaced: ${kind.scope === 'Namespaced'},`,
    `  hubVersion: ${JSON.stringify(kind.storageVersion)},`,
    `  conversion: ${conversionName(kind)},`,
    `  strategy: ${strategyName(kind)} as RoundTripSubject['strategy'],`,
    `  versions: {`,
    ...versionEntries,
    `  },`,
    ...(hasUserFile ? [`  userConversionFile: ${JSON.stringify(paths.userConversion(kind))},`] : []),
    `};`,
  ].join('\n');
  const fn = [
    `/**`,
    ` * Checks the conversions of ${kind.kind} with random objects from each version's schema, as the`,
    ` * server would accept them (defaulted, prepared and validated by the strategy): for`,
    ` * ${others.join(', ')}, hub (${kind.storageVersion}) -> version -> hub is the identity (fields the version`,
    ` * cannot hold travel in an annotation), objects converted into the version are valid there,`,
    ` * and version -> hub -> version loses nothing the hub can hold. Throws a RoundTripError naming`,
    ` * the direction, the counterexample and the seed that reproduces it (pass it in \`options\`).`,
    ` */`,
    `export async function ${roundTripName(kind)}(options: RoundTripOptions = {}): Promise<void> {`,
    `  for (const version of ${JSON.stringify(others)}) await checkRoundTrip(subject, version, options);`,
    `}`,
  ].join('\n');
  return moduleText([imports.join('\n'), subject, fn]);
}

function testModule(kind: KindIR): string {
  const file = roundTripTestPath(kind);
  return moduleText([
    [`import { test } from 'node:test';`, `import { ${roundTripName(kind)} } from '${importPath(file, roundTripPath(kind))}';`].join('\n'),
    [
      `// Run after a build: node --test dist/generated/roundtrip/*.test.js`,
      `test(${JSON.stringify(`${kind.kind} conversions round-trip through ${kind.storageVersion}`)}, async () => {`,
      `  await ${roundTripName(kind)}();`,
      `});`,
    ].join('\n'),
  ]);
}

export const roundtripEmitter: Emitter = {
  name: 'roundtrip',
  emit(ir: ProjectIR): GeneratedFile[] {
    const userFiles = new Set(manualConversions(ir).map((m) => m.file));
    return ir.kinds
      .filter((k) => k.versions.length > 1)
      .flatMap((kind) => [
        { path: roundTripPath(kind), content: checkModule(ir, kind, userFiles.has(paths.userConversion(kind))), owner: 'generated' as const },
        { path: roundTripTestPath(kind), content: testModule(kind), owner: 'generated' as const },
      ]);
  },
};
