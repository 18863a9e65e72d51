// Where every emitted file goes, in one place, so emitters agree on imports between files.
// Paths are relative to the project root, POSIX separators.
import type { KindIR, ProjectIR } from '../model/ir.js';

export const generatedDir = 'src/generated';

export const paths = {
  types: (ir: ProjectIR, version: string) => `${generatedDir}/apis/${ir.group}/${version}/types.ts`,
  register: (ir: ProjectIR, version: string) => `${generatedDir}/apis/${ir.group}/${version}/register.ts`,
  validation: (ir: ProjectIR, version: string) => `${generatedDir}/apis/${ir.group}/${version}/validation.ts`,
  conversion: (kind: KindIR) => `${generatedDir}/conversion/${fileStem(kind)}.ts`,
  openapiV2: () => `${generatedDir}/openapi/v2.ts`,
  openapiV3: () => `${generatedDir}/openapi/v3.ts`,
  registry: () => `${generatedDir}/registry.ts`,
  clientDir: () => `${generatedDir}/client`,
  /** User-owned: hand-written conversions for fields that differ between versions. */
  userConversion: (kind: KindIR) => `src/conversion/${fileStem(kind)}.ts`,
  /** User-owned: strategy hooks (validate, prepare for create/update, ...). */
  userStrategy: (kind: KindIR) => `src/strategy/${fileStem(kind)}.ts`,
  /** User-owned: the server entry point. */
  main: () => 'src/main.ts',
  deployDir: () => 'deploy',
} as const;

/** File stem of a kind: its lower-cased kind name (`Flunder` -> `flunder`). */
export function fileStem(kind: KindIR): string {
  return kind.kind.toLowerCase();
}

/** A relative ESM import specifier from one emitted file to another (`./x.js`, `../y/z.js`). */
export function importPath(fromFile: string, toFile: string): string {
  const from = fromFile.split('/').slice(0, -1);
  const to = toFile.split('/');
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  const up = from.length - i;
  const rest = to.slice(i).join('/').replace(/\.ts$/, '.js');
  return (up === 0 ? './' : '../'.repeat(up)) + rest;
}
