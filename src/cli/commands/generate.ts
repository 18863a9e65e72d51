// `aa-gen generate [--config PATH] [--check] [--dry-run]`: spec -> IR -> files -> plan, then
// write it, diff it (--check), or list it (--dry-run). Outputs are relative to the spec's folder,
// never to the working directory, so the result is the same from anywhere.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatMissingManualConversions, missingManualConversions } from '../../emit/conversion.js';
import { emitAll } from '../../emit/index.js';
import { formatProblem, loadSpec } from '../../spec/index.js';
import { applyPlan, checkReport, countChanges, dryRunReport, planWrite, type WritePlan } from '../../write/index.js';
import { displayPath } from '../display.js';
import { ExitCode, ExitError } from '../errors.js';
import type { CommandContext } from '../io.js';

export interface GenerateOptions {
  /** The spec file, relative to ctx.cwd; default `aa-gen.yaml`. */
  readonly config?: string;
  /** Write nothing; print a unified diff of every differing file; fail when any differs. */
  readonly check?: boolean;
  /** Write nothing; list what would be written and removed. */
  readonly dryRun?: boolean;
}

/** How many files a run wrote, left alone and removed (or would, under --check/--dry-run). */
export interface GenerateResult {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

export async function generate(ctx: CommandContext, options: GenerateOptions = {}): Promise<GenerateResult> {
  if (options.check && options.dryRun) throw new ExitError(ExitCode.usage, '--check and --dry-run cannot be used together');
  const configPath = resolve(ctx.cwd, options.config ?? 'aa-gen.yaml');
  const shown = displayPath(ctx.cwd, configPath);
  if (!existsSync(configPath)) {
    throw new ExitError(
      ExitCode.failure,
      `no spec at ${shown}: pass --config PATH, or start a project with \`aa-gen init <dir>\``,
    );
  }

  const spec = await loadSpec(configPath);
  if (!spec.ok) {
    for (const problem of spec.problems) ctx.stderr.write(formatProblem({ ...problem, file: shown }) + '\n');
    const n = spec.problems.length;
    throw new ExitError(ExitCode.failure, `${n} problem${n === 1 ? '' : 's'} in ${shown}; nothing was generated`);
  }

  const plan = await planWrite(dirname(configPath), emitAll(spec.ir));
  // Hand-written conversions the generated code now calls but existing user files lack.
  const readUserFile = (path: string) => (existsSync(join(dirname(configPath), path)) ? readFileSync(join(dirname(configPath), path), 'utf8') : undefined);
  ctx.stderr.write(formatMissingManualConversions(missingManualConversions(spec.ir, readUserFile)));
  if (options.check) return check(ctx, plan);
  if (options.dryRun) return dryRun(ctx, plan);
  const summary = await applyPlan(plan);
  ctx.stdout.write(`aa-gen: ${summary.written} written, ${summary.unchanged} unchanged, ${summary.removed} removed\n`);
  return summary;
}

function check(ctx: CommandContext, plan: WritePlan): GenerateResult {
  const report = checkReport(plan);
  ctx.stdout.write(report.text);
  if (report.outOfDate > 0) {
    const n = report.outOfDate;
    ctx.stdout.write(`aa-gen: ${n} file${n === 1 ? '' : 's'} out of date (run aa-gen generate to update)\n`);
    throw new ExitError(ExitCode.failure, '');
  }
  ctx.stdout.write('aa-gen: up to date\n');
  return resultOf(plan);
}

function dryRun(ctx: CommandContext, plan: WritePlan): GenerateResult {
  ctx.stdout.write(dryRunReport(plan));
  const r = resultOf(plan);
  ctx.stdout.write(`aa-gen: dry run: ${r.written} to write, ${r.unchanged} unchanged, ${r.removed} to remove\n`);
  if (plan.conflicts.length > 0) {
    // The real run would refuse, so the preview says so with the same exit code.
    throw new ExitError(ExitCode.failure, `${plan.conflicts.length} conflict(s): aa-gen generate would write nothing`);
  }
  return r;
}

function resultOf(plan: WritePlan): GenerateResult {
  const n = countChanges(plan);
  return { written: n.create + n.update, unchanged: n.unchanged, removed: n.remove };
}
