// What --check and --dry-run print about a plan. Pure functions of the plan: no disk access.
import { createTwoFilesPatch } from 'diff';
import type { FileChange, WritePlan } from './plan.js';

export interface CheckReport {
  /** Unified diffs of every file that differs, then every conflict. Empty when up to date. */
  readonly text: string;
  /** Paths that are missing, changed or orphaned, plus conflicts. Zero means up to date. */
  readonly outOfDate: number;
}

/** A unified diff (`a/` old, `b/` new, `/dev/null` for absent) per created, updated or removed file. */
export function checkReport(plan: WritePlan): CheckReport {
  const parts: string[] = [];
  let outOfDate = 0;
  for (const change of plan.changes) {
    const patch = diffOf(change);
    if (patch === undefined) continue;
    outOfDate++;
    parts.push(patch);
  }
  for (const conflict of plan.conflicts) {
    outOfDate++;
    parts.push(`conflict: ${conflict.path}: ${conflict.reason}\n`);
  }
  return { text: parts.join(''), outOfDate };
}

function diffOf(change: FileChange): string | undefined {
  switch (change.action) {
    case 'create':
      return patch(change.path, '/dev/null', `b/${change.path}`, '', change.content, 'missing');
    case 'update':
      return patch(change.path, `a/${change.path}`, `b/${change.path}`, change.previous, change.content, 'out of date');
    case 'remove':
      return patch(change.path, `a/${change.path}`, '/dev/null', change.previous, '', 'no longer generated');
    case 'unchanged':
      return undefined;
  }
}

function patch(path: string, from: string, to: string, before: string, after: string, why: string): string {
  const body = createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 });
  // jsdiff starts with a `====` rule; a `diff` line naming the file and why reads better in CI logs.
  return `diff aa-gen ${path} (${why})\n` + body.replace(/^=+\n/, '');
}

/** One line per path that would change: `create|update|remove <path>`, then conflicts. */
export function dryRunReport(plan: WritePlan): string {
  const lines: string[] = [];
  for (const change of plan.changes) {
    if (change.action === 'unchanged') continue;
    const note = change.action === 'create' && change.owner === 'user' ? ' (yours: created once, never overwritten)' : '';
    lines.push(`would ${change.action} ${change.path}${note}`);
  }
  for (const conflict of plan.conflicts) lines.push(`conflict: ${conflict.path}: ${conflict.reason}`);
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
