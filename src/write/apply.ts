// Apply: carry out a plan. Writes are atomic (a temp file in the same directory, then rename,
// so a reader never sees half a file); unchanged files are not touched (their mtime stays, so
// build tools do not rebuild); removals come last, so a run that fails while writing has
// removed nothing. A plan with conflicts is refused as a whole.
import { chmod, mkdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WriteError } from './errors.js';
import { countChanges, ioError, type WritePlan } from './plan.js';

export interface WriteSummary {
  /** Files created or updated. */
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

let tempCounter = 0;

/** Writes and removes what `plan` says. Throws AAGEN_WRITE_CONFLICT (nothing written) on conflicts. */
export async function applyPlan(plan: WritePlan): Promise<WriteSummary> {
  if (plan.conflicts.length > 0) {
    const lines = plan.conflicts.map((c) => `  ${c.path}: ${c.reason}`).join('\n');
    throw new WriteError(
      'AAGEN_WRITE_CONFLICT',
      `refusing to write: ${plan.conflicts.length} generated path(s) are taken; nothing was written\n${lines}`,
    );
  }
  for (const change of plan.changes) {
    if (change.action === 'create' || change.action === 'update') {
      await writeAtomically(join(plan.root, change.path), change.content);
    }
  }
  for (const change of plan.changes) {
    if (change.action === 'remove') await removeWithEmptyParents(plan.root, change.path);
  }
  const n = countChanges(plan);
  return { written: n.create + n.update, unchanged: n.unchanged, removed: n.remove };
}

async function writeAtomically(abs: string, content: string): Promise<void> {
  const dir = dirname(abs);
  const temp = join(dir, `.aa-gen-${process.pid}-${++tempCounter}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, content, { encoding: 'utf8', flag: 'wx' });
    if (content.startsWith('#!')) await chmod(temp, 0o755);
    await rename(temp, abs);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw ioError(`cannot write ${abs}`, e);
  }
}

/** Removes a file, then its parent directories up to (not including) root while they are empty. */
async function removeWithEmptyParents(root: string, path: string): Promise<void> {
  try {
    await unlink(join(root, path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot remove ${join(root, path)}`, e);
  }
  const parts = path.split('/').slice(0, -1);
  while (parts.length > 0) {
    try {
      await rmdir(join(root, ...parts));
    } catch {
      return; // not empty (or not ours to remove): stop climbing
    }
    parts.pop();
  }
}
