// The writer: the only code that touches the project on disk. Plan (read-only compare), then
// apply (atomic writes, then removals) or report (--check diff, --dry-run list).
export { GENERATED_MARKER, headerLineFor, hasHeader, commentStyleFor } from './header.js';
export type { CommentStyle } from './header.js';
export { renderFile, renderFiles, type RenderedFile } from './render.js';
export { planWrite, countChanges, findGeneratedFiles, type WritePlan, type PlanOptions, type FileChange, type Conflict } from './plan.js';
export { applyPlan, type WriteSummary } from './apply.js';
export { checkReport, dryRunReport, type CheckReport } from './report.js';
export { WriteError, isWriteError, type WriteErrorCode } from './errors.js';
