// Exit codes and the one place errors become them (STYLE.md point 11; changesets' cli
// entry point). Commands throw; only runCli (main.ts) calls exitCodeFor.
import { CommanderError } from 'commander';
import { isWriteError } from '../write/errors.js';
import type { CommandContext } from './io.js';

export const ExitCode = {
  ok: 0,
  /** The spec is invalid, or generated files differ from what the spec produces (drift, conflicts). */
  failure: 1,
  /** The command line is wrong. */
  usage: 2,
  /** A bug in aa-gen. */
  internal: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A command's expected failure: the message is printed (prefixed `aa-gen: `) and the process
 * exits with `exitCode`. An empty message means the command already reported the details.
 */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    readonly exitCode: typeof ExitCode.failure | typeof ExitCode.usage,
    message: string,
  ) {
    super(message);
  }
}

const BUG_REPORT = 'internal error, please report it with the command you ran (set AA_GEN_DEBUG=1 for a stack trace)';

/** Reports `error` on ctx.stderr and returns the exit code for it. Never throws. */
export function exitCodeFor(error: unknown, ctx: CommandContext): ExitCodeValue {
  try {
    if (error instanceof CommanderError) {
      // commander has printed its message (or the help/version text) already.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof ExitError) {
      if (error.message !== '') ctx.stderr.write(`aa-gen: ${error.message}\n`);
      return error.exitCode;
    }
    if (isWriteError(error) && !error.internal) {
      ctx.stderr.write(`aa-gen: ${error.message}\n`);
      return ExitCode.failure;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.stderr.write(`aa-gen: ${BUG_REPORT}: ${message}\n`);
    const env = ctx.env ?? process.env;
    if (env['AA_GEN_DEBUG'] === '1' && error instanceof Error && error.stack) {
      ctx.stderr.write(`${error.stack}\n`);
    }
  } catch {
    // stderr itself failed; the exit code is all that is left to report with.
  }
  return ExitCode.internal;
}
