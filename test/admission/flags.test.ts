// --enable-admission-plugins / --disable-admission-plugins, after k8s.io/apiserver
// pkg/server/options/admission.go (Validate's messages, enabledPluginNames) and
// pkg/admission/plugins.go (registration order, a name registered twice).
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiGroupDefinition } from '../../src/runtime/api.js';
import { defineAdmissionPlugin, AdmissionDefinitionError } from '../../src/runtime/admission/define.js';
import { selectAdmissionPlugins } from '../../src/runtime/admission/plugins.js';
import { parseOptions } from '../../src/runtime/server/options.js';
import { runMain } from '../../src/runtime/server/main.js';
import { plugin } from './support.js';

const a = plugin('Alpha', ['CREATE'], { validate: () => {} });
const b = plugin('Beta', ['CREATE'], { admit: () => {} });
const off = plugin('Gamma', ['CREATE'], { validate: () => {} }, { enabledByDefault: false });
const registered = [a, b, off];
const names = (flags?: { enablePlugins?: string[]; disablePlugins?: string[] }) =>
  selectAdmissionPlugins(registered, flags && { enablePlugins: flags.enablePlugins ?? [], disablePlugins: flags.disablePlugins ?? [] });

describe('selectAdmissionPlugins', () => {
  it.each([
    ['no flags: every plugin on by default, in registration order', undefined, ['Alpha', 'Beta']],
    ['--disable-admission-plugins turns one off', { disablePlugins: ['Alpha'] }, ['Beta']],
    ['--enable-admission-plugins turns a default-off plugin on, in registration order', { enablePlugins: ['Gamma'] }, ['Alpha', 'Beta', 'Gamma']],
    ['enabling a default-on plugin changes nothing', { enablePlugins: ['Beta'] }, ['Alpha', 'Beta']],
  ])('%s', (_name, flags, want) => {
    const s = names(flags);
    expect(s.errors).toEqual([]);
    expect(s.plugins.map((p) => p.name)).toEqual(want);
  });

  it('unknown names and overlaps are errors in upstream words', () => {
    expect(names({ enablePlugins: ['Nope'], disablePlugins: ['Alpha', 'Zip', 'Beta'], ...{} }).errors).toEqual([
      'enable-admission-plugins plugin "Nope" is unknown (registered: Alpha, Beta, Gamma)',
      'disable-admission-plugins plugin "Zip" is unknown (registered: Alpha, Beta, Gamma)',
    ]);
    expect(names({ enablePlugins: ['Beta', 'Alpha'], disablePlugins: ['Alpha', 'Beta'] }).errors).toEqual([
      '[Alpha Beta] in enable-admission-plugins and disable-admission-plugins overlapped',
    ]);
    expect(selectAdmissionPlugins([a, a], undefined).errors).toEqual(['admission plugin "Alpha" was registered twice']);
  });
});

describe('server flags', () => {
  it('parse as comma lists', () => {
    const r = parseOptions(['--enable-admission-plugins=Gamma', '--disable-admission-plugins', ' Alpha, Beta ,']);
    expect(r.errors).toEqual([]);
    expect(r.value!.admission).toEqual({ enablePlugins: ['Gamma'], disablePlugins: ['Alpha', 'Beta'] });
  });

  describe('runMain', () => {
    const saved = process.exitCode;
    afterEach(() => {
      process.exitCode = saved;
    });
    const group = { group: 'demo.example.com', admissionPlugins: registered } as unknown as ApiGroupDefinition;

    it('exits 2 on an unknown plugin name, before starting anything', async () => {
      const err: string[] = [];
      await runMain(group, ['--disable-admission-plugins=BanFlunder'], { out: () => {}, err: (l) => err.push(l) });
      expect(process.exitCode).toBe(2);
      expect(err).toEqual([
        'error: disable-admission-plugins plugin "BanFlunder" is unknown (registered: Alpha, Beta, Gamma, NamespaceLifecycle)',
        'Run with --help for usage.',
      ]);
    });
  });
});

describe('defineAdmissionPlugin (what generated registry.ts calls)', () => {
  it('joins the declaration and the hook: handles, kinds, enabledByDefault', () => {
    const p = defineAdmissionPlugin({ name: 'BanFlunder', type: 'validating', operations: ['CREATE'], kinds: ['Flunder'] }, { validate() {} });
    expect([p.name, p.handles('CREATE'), p.handles('UPDATE'), p.kinds, p.enabledByDefault]).toEqual(['BanFlunder', true, false, ['Flunder'], true]);
    expect(typeof (p as { validate?: unknown }).validate).toBe('function');
    expect((p as { admit?: unknown }).admit).toBeUndefined();
  });

  it('refuses hooks that do not match the declared type, naming the file to fix', () => {
    expect(() => defineAdmissionPlugin({ name: 'SetOwner', type: 'mutating', operations: ['CREATE'] }, { validate() {} } as never)).toThrow(
      new AdmissionDefinitionError('admission plugin SetOwner is mutating in the spec, but its hooks have no admit() function: write it in src/admission/setowner.ts'),
    );
  });
});
