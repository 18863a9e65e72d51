// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const registerEmitter: Emitter = { name: 'register', emit: () => [] };
