// `aa-gen generate` after a spec change adds an unmatched field: it names the hand-written
// function to add and its file, never touches the user's file, and the project stops
// typechecking until the function exists (the generated conversion imports it).
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { exportedNames } from '../../src/emit/conversion.js';
import { aaGen, repoRoot, wardleProject } from '../cli/helpers.js';
import { typecheck } from './support.js';

const userFile = 'src/conversion/flunder.ts';

// v1beta1's status gains `phase`, which v1alpha1's status has no room for: a new struct with an
// unmatched field, hence a new hand-written function convertFlunderStatusV1beta1ToV1alpha1.
const withPhase = (spec: string) =>
  spec.replace(
    'referenceType: *referenceType\n            status: *flunderStatus',
    'referenceType: *referenceType\n            status:\n              type: object\n              properties:\n                phase: {type: string}',
  );

test('a new unmatched field: the report names the function and file; the user file is untouched', async () => {
  const dir = wardleProject();
  expect((await aaGen(dir, ['generate'])).code).toBe(0);
  const written = readFileSync(join(dir, userFile), 'utf8');

  const specPath = join(dir, 'aa-gen.yaml');
  const changed = withPhase(readFileSync(specPath, 'utf8'));
  expect(changed).toContain('phase: {type: string}');
  writeFileSync(specPath, changed);

  const run = await aaGen(dir, ['generate']);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`aa-gen: ${userFile} lacks 1 conversion function the generated code calls; the project does not typecheck until it is added:`);
  expect(run.stderr).toContain('export function convertFlunderStatusV1beta1ToV1alpha1(src: v1beta1.FlunderStatus, dst: v1alpha1.FlunderStatus): void  (v1beta1 -> v1alpha1)');
  expect(run.stderr).toContain('requires manual conversion: status.phase (v1alpha1 has no field phase here)');
  // Functions the file already has are not reported.
  expect(run.stderr).not.toContain('convertFlunderSpecV1beta1ToV1alpha1');
  expect(readFileSync(join(dir, userFile), 'utf8')).toBe(written);

  // --check and --dry-run report it too.
  expect((await aaGen(dir, ['generate', '--check'])).stderr).toContain('convertFlunderStatusV1beta1ToV1alpha1');
  expect((await aaGen(dir, ['generate', '--dry-run'])).stderr).toContain('convertFlunderStatusV1beta1ToV1alpha1');

  // The generated conversion calls it, so the project fails to typecheck until it is written.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'wardle', type: 'module', private: true }));
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(repoRoot, join(dir, 'node_modules/aa-gen'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
  const errors = typecheck(dir)!;
  expect(errors).toMatch(/src\/generated\/conversion\/flunder\.ts.*convertFlunderStatusV1beta1ToV1alpha1/);
  expect(errors.trim().split('\n')).toHaveLength(1);

  // Once the user adds it, the report is gone and the project typechecks.
  writeFileSync(
    join(dir, userFile),
    `${written}\nexport function convertFlunderStatusV1beta1ToV1alpha1(src: v1beta1.FlunderStatus, dst: v1alpha1.FlunderStatus): void {\n  void src;\n  void dst;\n}\n`,
  );
  const after = await aaGen(dir, ['generate']);
  expect(after).toMatchObject({ code: 0, stderr: '' });
  expect(typecheck(dir)).toBeUndefined();
}, 120_000);

test('exported names are read from declarations and export lists, not from comments', () => {
  const names = exportedNames(
    [
      '// export function inAComment() {}',
      'export function a() {}',
      'export const b = 1, c = 2;',
      'function d() {}',
      'export { d as e };',
      'export class F {}',
    ].join('\n'),
  );
  expect([...names!].sort()).toEqual(['F', 'a', 'b', 'c', 'e']);
  expect(exportedNames("export * from './elsewhere.js';")).toBeUndefined();
});
