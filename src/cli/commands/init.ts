// `aa-gen init <dir>`: a new project. Writes the two files only init knows how to write (the
// spec, an example test and package.json, whose aa-gen dependency depends on where aa-gen runs from), then runs
// generate there, which scaffolds everything else (tsconfig, README, src/main.ts, ...).
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { GeneratedFile } from '../../emit/emitter.js';
import { renderTemplate } from '../../emit/project.js';
import { resourceMethodName } from '../../emit/client.js';
import type { Scope } from '../../model/ir.js';
import { pluralOf } from '../../model/names.js';
import { applyPlan, planWrite } from '../../write/index.js';
import { displayPath } from '../display.js';
import { ExitCode, ExitError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { nameFromDirectory } from '../names.js';
import { aaGenDependencySpec, packageInfo } from '../package-info.js';
import { generate } from './generate.js';

export interface InitOptions {
  /** API group; default `<name>.example.com`. */
  readonly group?: string;
  /** The first API version; default v1alpha1. */
  readonly version?: string;
  /** The first kind; default Widget. */
  readonly kind?: string;
  readonly scope?: Scope;
  /** Project name (a DNS label); default derived from the directory name. */
  readonly name?: string;
}

/** Versions of what a new project builds with; pinned so `npm install --offline` can work. */
const TYPESCRIPT_VERSION = '5.9.3';
const TYPES_NODE_RANGE = '^20';

export async function init(ctx: CommandContext, dir: string, options: InitOptions = {}): Promise<void> {
  const root = resolve(ctx.cwd, dir);
  const shown = displayPath(ctx.cwd, root);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new ExitError(ExitCode.failure, `${shown} exists and is not a directory`);
  }
  const specPath = join(root, 'aa-gen.yaml');
  if (existsSync(specPath)) {
    throw new ExitError(
      ExitCode.failure,
      `${shown} already has an aa-gen.yaml; init only starts new projects. ` +
        `To regenerate that one, run: aa-gen generate --config ${displayPath(ctx.cwd, specPath)}`,
    );
  }

  const name = options.name ?? nameFromDirectory(basename(root));
  const spec = {
    name,
    group: options.group ?? `${name}.example.com`,
    version: options.version ?? 'v1alpha1',
    kind: options.kind ?? 'Widget',
    scope: options.scope ?? 'Namespaced',
  };
  const example = { ...spec, pluralCamel: resourceMethodName(pluralOf(spec.kind)), namespaced: spec.scope === 'Namespaced' };
  const files: GeneratedFile[] = [
    { path: 'aa-gen.yaml', content: renderTemplate('init/aa-gen.yaml', spec), owner: 'user' },
    { path: 'src/example.test.ts', content: renderTemplate('init/example.test.ts', example), owner: 'user' },
  ];
  const hasPackageJson = existsSync(join(root, 'package.json'));
  if (!hasPackageJson) files.push({ path: 'package.json', content: packageJson(name), owner: 'user' });

  // Only these files: never plan removals from a partial list.
  await applyPlan(await planWrite(root, files, { removeStale: false }));
  ctx.stdout.write(`aa-gen: created ${files.map((f) => join(shown, f.path)).join(', ')}\n`);
  if (hasPackageJson) {
    ctx.stderr.write(
      `aa-gen: ${join(shown, 'package.json')} exists and was left as is; it needs "type": "module" and ` +
        `the dependency "aa-gen": "${aaGenDependencySpec(packageInfo())}"\n`,
    );
  }

  await generate(ctx, { config: specPath });
  ctx.stdout.write(`\nNext:\n  cd ${shellQuote(shown)}\n  npm install\n  npm start\n`);
}

/** package.json of a new project, as JSON text. Key order is fixed; no timestamps or paths but aa-gen's. */
function packageJson(name: string): string {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      generate: 'aa-gen generate',
      build: 'tsc -p .',
      typecheck: 'tsc -p . --noEmit',
      start: 'npm run build && node dist/main.js',
      test: 'npm run build && node --test dist/',
    },
    dependencies: { 'aa-gen': aaGenDependencySpec(packageInfo()) },
    devDependencies: { '@types/node': TYPES_NODE_RANGE, typescript: TYPESCRIPT_VERSION },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Quotes a path for a POSIX shell when it has characters the shell would interpret. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
