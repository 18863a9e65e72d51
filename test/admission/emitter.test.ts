// The admission emitter: src/generated/admission.ts (types), one user-owned scaffold per plugin
// created once and never overwritten, and the registration in src/generated/registry.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { admissionEmitter } from '../../src/emit/admission.js';
import { emitAll } from '../../src/emit/index.js';
import { registryModule } from '../../src/emit/registry.js';
import { wardleIR } from '../fixtures/ir/wardle.js';
import { widgetsIR } from '../fixtures/ir/widgets.js';
import { aaGen, HEADER, wardleProject } from '../cli/helpers.js';

describe('admission emitter', () => {
  test('wardle: the types module (generated) and the BanFlunder scaffold (user)', () => {
    const files = admissionEmitter.emit(wardleIR);
    expect(files.map((f) => [f.path, f.owner])).toEqual([
      ['src/generated/admission.ts', 'generated'],
      ['src/admission/banflunder.ts', 'user'],
    ]);
    const types = files[0]!.content;
    expect(types).toContain(`import type { Fischer, Flunder } from './apis/wardle.example.com/v1alpha1/types.js';`);
    expect(types).toContain('export type Resources = {\n  fischers: Fischer;\n  flunders: Flunder;\n};');
    expect(types).toContain('export type BanFlunderHooks = ValidatingHooks<Flunder, Resources>;');
    const stub = files[1]!.content;
    expect(stub).toMatch(/^\/\/ This file is yours: aa-gen created it once and never overwrites it\./);
    expect(stub).toContain(`import type { BanFlunderHooks } from '../generated/admission.js';`);
    expect(stub).toContain('export const banFlunderPlugin: BanFlunderHooks = {');
    expect(stub).toContain('  validate() {');
    expect(stub).toContain(`ctx.listers.get('fischers').list()`);
  });

  test('a mutating plugin on several kinds gets MutatingHooks on their union and an admit hook', () => {
    const ir = {
      ...wardleIR,
      admissionPlugins: [{ name: 'Stamp', type: 'mutating' as const, operations: ['CREATE' as const], kinds: ['Fischer', 'Flunder'], enabledByDefault: false, description: '' }],
    };
    const [types, stub] = admissionEmitter.emit(ir);
    expect(types!.content).toContain('export type StampHooks = MutatingHooks<Fischer | Flunder, Resources>;');
    expect(stub!.path).toBe('src/admission/stamp.ts');
    expect(stub!.content).toContain('  admit() {');
    expect(registryModule(ir)).toContain(
      `defineAdmissionPlugin({ name: "Stamp", type: "mutating", operations: ["CREATE"], kinds: ["Fischer", "Flunder"], enabledByDefault: false }, stampPlugin),`,
    );
  });

  test('a spec without plugins gets no admission files and an unchanged registry', () => {
    expect(admissionEmitter.emit(widgetsIR)).toEqual([]);
    const registry = registryModule(widgetsIR);
    expect(registry).not.toContain('admission');
    expect(emitAll(widgetsIR).some((f) => f.path.includes('admission'))).toBe(false);
  });

  test('the registry imports the user plugin and registers it after the kinds', () => {
    const registry = registryModule(wardleIR);
    expect(registry).toContain(`import { defineAdmissionPlugin, defineApiGroup, defineKind } from 'aa-gen/runtime';`);
    expect(registry).toContain(`import { banFlunderPlugin } from '../admission/banflunder.js';`);
    expect(registry).toContain(
      `  admissionPlugins: [\n    defineAdmissionPlugin({ name: "BanFlunder", type: "validating", operations: ["CREATE"], kinds: ["Flunder"], enabledByDefault: true }, banFlunderPlugin),\n  ],\n});`,
    );
  });

  test('aa-gen generate scaffolds the plugin once and never overwrites it; --check stays clean', async () => {
    const dir = wardleProject();
    expect((await aaGen(dir, ['generate'])).code).toBe(0);
    const user = join(dir, 'src/admission/banflunder.ts');
    expect(readFileSync(user, 'utf8')).not.toContain(HEADER);
    expect(readFileSync(join(dir, 'src/generated/admission.ts'), 'utf8')).toContain(HEADER);
    const mine = `${readFileSync(user, 'utf8')}\n// my own code\n`;
    writeFileSync(user, mine);
    const again = await aaGen(dir, ['generate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^aa-gen: 0 written, \d+ unchanged, 0 removed$/m);
    expect(readFileSync(user, 'utf8')).toBe(mine);
    expect(await aaGen(dir, ['generate', '--check'])).toMatchObject({ code: 0 });
  });
});
