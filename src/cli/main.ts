// The CLI entry point. bin/aa-gen.js calls main(); it is the only caller that touches the real
// process. runCli is the same with an explicit context, for tests.
import { exitCodeFor, ExitCode, type ExitCodeValue } from './errors.js';
import type { CommandContext } from './io.js';
import { buildProgram } from './program.js';

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], ctx: CommandContext): Promise<ExitCodeValue> {
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return exitCodeFor(error, ctx);
  }
}

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, env: process.env });
}

export { ExitCode, ExitError } from './errors.js';
export type { CommandContext, Output } from './io.js';
