import type { ProjectIR } from '../model/ir.js';

/**
 * Who owns a file. `generated` files carry the DO-NOT-EDIT header and are rewritten on every
 * run (and removed when the spec no longer produces them). `user` files are scaffolds: created
 * when absent, never overwritten, never removed.
 */
export type FileOwner = 'generated' | 'user';

/** What an emitter returns: a file relative to the project root (POSIX separators). */
export interface GeneratedFile {
  readonly path: string;
  /** Content without the generated header; the writer adds the header and formats. */
  readonly content: string;
  readonly owner: FileOwner;
  /**
   * The emitter laid `content` out itself, deterministically (LF, prettier's style where it can):
   * the writer adds the header and normalizes newlines but does not run the formatter. For big
   * data-only or machine-generated modules, where formatting would cost more than it gives.
   */
  readonly formatted?: boolean;
}

/** An emitter is a pure function of the IR: no fs, clock, env or module-level caches. */
export interface Emitter {
  readonly name: string;
  emit(ir: ProjectIR): readonly GeneratedFile[];
}

/** The first line of every user-owned scaffold (after the comment marker). */
export const userOwnedNotice = 'This file is yours: aa-gen created it once and never overwrites it.';
