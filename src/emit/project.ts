// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const projectEmitter: Emitter = { name: 'project', emit: () => [] };
