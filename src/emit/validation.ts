// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const validationEmitter: Emitter = { name: 'validation', emit: () => [] };
