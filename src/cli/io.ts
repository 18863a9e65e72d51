// What a command needs from the outside world, passed in rather than taken from `process`,
// so tests run commands in-process with their own working directory and captured output
// (the changesets model: commands are plain functions taking `{cwd}`).

/** A text sink: process.stdout, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
}

export interface CommandContext {
  /** Directory relative paths on the command line are resolved against. */
  readonly cwd: string;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Environment (defaults to process.env); only AA_GEN_DEBUG is read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** An Output that collects everything written to it; for tests and for in-memory callers. */
export class BufferOutput implements Output {
  private readonly chunks: string[] = [];
  write(text: string): true {
    this.chunks.push(text);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}
