// Errors of the writer, as values with stable codes. The CLI maps them to exit codes:
// `internal` ones are aa-gen bugs (an emitter broke its contract) -> exit 3; the others are
// about the user's disk or project -> exit 1.

export type WriteErrorCode =
  /** An emitter produced an unusable file (bad path, unparseable code, .json marked generated). */
  | 'AAGEN_EMIT_CONTRACT'
  /** Generated paths collide with files the user owns; nothing was written. */
  | 'AAGEN_WRITE_CONFLICT'
  /** The file system refused a read or write. */
  | 'AAGEN_WRITE_IO';

export class WriteError extends Error {
  override readonly name = 'WriteError';
  constructor(
    readonly code: WriteErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the error is a bug in aa-gen rather than something the user can fix. */
  get internal(): boolean {
    return this.code === 'AAGEN_EMIT_CONTRACT';
  }
}

export function isWriteError(e: unknown): e is WriteError {
  return e instanceof WriteError;
}
