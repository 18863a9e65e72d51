// aa-gen: the generator as a library (the CLI is bin/aa-gen.js).
export type * from './model/ir.js';
export type { GeneratedFile, Emitter, FileOwner } from './emit/emitter.js';
