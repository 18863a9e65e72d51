// Every TypeScript file the types/register/validation/conversion/registry emitters produce
// typechecks under strict settings in a project that depends only on aa-gen (resolved through
// node_modules/aa-gen -> this checkout's built package), as a generated project would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { cleanup, emitTypeScript, handWrittenFlunder, repoRoot, typecheck, writeProject } from './project.js';
import { paths } from '../../src/emit/paths.js';
import type { TempProject } from './project.js';

const made: TempProject[] = [];
afterAll(() => cleanup(made));

beforeAll(() => {
  // The project resolves aa-gen/runtime to dist/: build it. Other areas may be mid-edit, so the
  // exit code is not checked here; missing or wrong runtime exports show up as errors below.
  spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json')], {
    stdio: 'ignore',
  });
});


describe.each([
  ['wardle', wardleIR],
  ['widgets', widgetsIR],
])('emitted TypeScript of %s', (name, ir) => {
  const files = emitTypeScript(ir);

  test('is valid TypeScript that prettier can format', async () => {
    for (const f of files) {
      await expect(prettier.format(f.content, { parser: 'typescript', filepath: f.path }), f.path).resolves.toBeTypeOf('string');
    }
  });

  test('typechecks with tsc --strict (0 errors)', () => {
    const project = writeProject(name, files);
    made.push(project);
    expect(typecheck(project.dir)).toEqual([]);
  });
});

test('wardle with its Flunder conversion written by hand typechecks', () => {
  const flunder = wardleIR.kinds.find((k) => k.kind === 'Flunder')!;
  const project = writeProject('wardle-written', emitTypeScript(wardleIR), { [paths.userConversion(flunder)]: handWrittenFlunder });
  made.push(project);
  expect(typecheck(project.dir)).toEqual([]);
});
