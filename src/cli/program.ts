// Every command of the CLI, declared in one place (changesets' cli.ts). Each action imports its
// command module lazily, so `aa-gen --help` does not load prettier or the emitters. Commands
// throw; the caller (runCli) maps errors to exit codes.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from './io.js';
import { isApiVersion, isDnsLabel, isGroupName, isKindName } from './names.js';
import { packageInfo } from './package-info.js';

function validated(check: (s: string) => boolean, what: string) {
  return (value: string): string => {
    if (!check(value)) throw new InvalidArgumentError(what);
    return value;
  };
}

/** Builds the commander program writing to ctx's outputs and throwing instead of exiting. */
export function buildProgram(ctx: CommandContext): Command {
  const { version } = packageInfo();
  const program = new Command('aa-gen');
  // Set before any subcommand is added: subcommands copy these settings when created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    // Program options only before the command name: `init --version v1` is init's API version.
    .enablePositionalOptions()
    .version(version, '-V, --version', 'print the version of aa-gen')
    .description('Build Kubernetes aggregated API servers in TypeScript from one YAML file (aa-gen.yaml).')
    .helpCommand(true);

  program
    .command('generate')
    .description('generate the project files aa-gen.yaml describes (outputs are relative to its folder)')
    .version(version, '-V, --version', 'print the version of aa-gen')
    .option('-c, --config <path>', 'the spec file', 'aa-gen.yaml')
    .addOption(new Option('--check', 'write nothing; print a diff of every out-of-date file and exit 1 if any').conflicts('dryRun'))
    .option('--dry-run', 'write nothing; list what would be written and removed')
    .action(async (opts: { config: string; check?: boolean; dryRun?: boolean }) => {
      const { generate } = await import('./commands/generate.js');
      await generate(ctx, { config: opts.config, check: opts.check === true, dryRun: opts.dryRun === true });
    });

  program
    .command('init')
    .description('create a new aa-gen project in <dir> (aa-gen.yaml, package.json, ...) and generate it')
    // --version is taken by the API version here, so only -V prints aa-gen's.
    .version(version, '-V', 'print the version of aa-gen')
    .argument('<dir>', 'directory of the new project (created if missing)')
    .option('--group <group>', 'API group, a DNS subdomain (default: <name>.example.com)', validated(isGroupName, 'must be a DNS subdomain with a dot, like demo.example.com'))
    .option('--version <version>', 'the first API version', validated(isApiVersion, 'must be a Kubernetes API version, like v1alpha1 or v1'), 'v1alpha1')
    .option('--kind <kind>', 'the first kind', validated(isKindName, 'must be UpperCamelCase, like Widget'), 'Widget')
    .addOption(new Option('--scope <scope>', 'scope of the first kind').choices(['Namespaced', 'Cluster']).default('Namespaced'))
    .option('--name <name>', 'project name, a DNS label (default: from <dir>)', validated(isDnsLabel, 'must be a DNS label: lower-case letters, digits and dashes'))
    .action(async (dir: string, opts: { group?: string; version: string; kind: string; scope: 'Namespaced' | 'Cluster'; name?: string }) => {
      const { init } = await import('./commands/init.js');
      await init(ctx, dir, opts);
    });

  return program;
}
