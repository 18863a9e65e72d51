// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const typesEmitter: Emitter = { name: 'typescript-types', emit: () => [] };
