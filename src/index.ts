// aa-gen: the generator as a library, in its one direction: spec -> model -> emit -> write.
// The CLI (bin/aa-gen.js) is these functions plus exit codes; the runtime is `aa-gen/runtime`.
export type * from './model/ir.js';
export type { GeneratedFile, Emitter, FileOwner } from './emit/emitter.js';
export { loadSpec, loadSpecText, formatProblem, type SpecResult, type SpecProblem } from './spec/index.js';
export { emitAll, emitters } from './emit/index.js';
export { planWrite, applyPlan, checkReport, dryRunReport, type WritePlan, type WriteSummary } from './write/index.js';
