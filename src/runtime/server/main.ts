// runMain: what a generated project's src/main.ts calls. Parses flags, starts the server,
// prints where it listens and how to reach it, and shuts down gracefully on SIGTERM/SIGINT.
// Exit codes (STYLE.md 11): 0 ok, 1 could not start, 2 usage. It sets process.exitCode and
// returns rather than calling process.exit, except on a second signal (forced stop).
import type { ApiGroupDefinition } from '../api.js';
import { selectAdmissionPlugins } from '../admission/plugins.js';
import { registeredAdmissionPlugins } from '../admission/generic.js';
import { completeOptions, parseOptions, usage, type CompletedConfig, type CompleteExtras } from './options.js';
import { createServer, type RunningServer } from './server.js';

export interface MainIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const defaultIO: MainIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

type Resolved =
  | { readonly kind: 'config'; readonly config: CompletedConfig }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-errors'; readonly errors: readonly string[] };

/** Flags to a completed config; bad flags (including unknown admission plugins) are usage errors. */
function resolveConfig(group: ApiGroupDefinition, argv: readonly string[], extras: CompleteExtras): Resolved {
  const parsed = parseOptions(argv, { cwd: extras.cwd });
  if (parsed.errors.length > 0 || !parsed.value) return { kind: 'usage-errors', errors: parsed.errors };
  if (parsed.value.help) return { kind: 'help' };
  // Admission plugin names are known only with the group: unknown ones are usage errors too.
  const admissionErrors = selectAdmissionPlugins(registeredAdmissionPlugins(group.admissionPlugins ?? []), parsed.value.admission).errors;
  if (admissionErrors.length > 0) return { kind: 'usage-errors', errors: admissionErrors };
  return { kind: 'config', config: completeOptions(parsed.value, extras) };
}

/**
 * Starts a server from flags without taking over the process (no signal handlers, nothing
 * printed): for tests and for embedding. Bad flags reject with every problem in the message.
 */
export async function startServer(
  group: ApiGroupDefinition,
  argv: readonly string[],
  extras: CompleteExtras = {},
): Promise<RunningServer> {
  const resolved = resolveConfig(group, argv, extras);
  if (resolved.kind !== 'config') {
    throw new Error(resolved.kind === 'help' ? '--help is not a server flag here' : resolved.errors.join('; '));
  }
  return createServer(group, resolved.config);
}

/**
 * Runs the server until SIGTERM or SIGINT. Resolves after shutdown completes (or at once
 * with process.exitCode set when flags are bad or the server cannot start).
 */
export async function runMain(
  group: ApiGroupDefinition,
  argv: readonly string[],
  io: MainIO = defaultIO,
  extras: CompleteExtras = {},
): Promise<void> {
  const resolved = resolveConfig(group, argv, extras);
  if (resolved.kind === 'help') {
    io.out(usage().trimEnd());
    return;
  }
  if (resolved.kind === 'usage-errors') {
    for (const e of resolved.errors) io.err(`error: ${e}`);
    io.err('Run with --help for usage.');
    process.exitCode = 2;
    return;
  }
  const config = resolved.config;
  // Loud on purpose (AlwaysAllow, flags without effect): before anything else is printed.
  for (const w of config.warnings) io.err(`WARNING: ${w}`);

  let server: RunningServer;
  try {
    server = await createServer(group, config);
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
    return;
  }

  io.out(`Serving ${group.group} on ${server.url}`);
  if (server.kubectlHint) io.out(`Try: ${server.kubectlHint}`);
  if (server.mode === 'delegated') io.out('Authentication and authorization are delegated to kube-apiserver (see --help).');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.err(`${signal} again: stopping now`);
        process.exit(1);
      }
      stopping = true;
      io.out(`${signal} received: shutting down`);
      server.close().then(
        () => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        },
        (e: unknown) => {
          io.err(`error during shutdown: ${e instanceof Error ? e.message : String(e)}`);
          process.exitCode = 1;
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
