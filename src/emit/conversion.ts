// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const conversionEmitter: Emitter = { name: 'conversion', emit: () => [] };
