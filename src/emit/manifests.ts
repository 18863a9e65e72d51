// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const manifestsEmitter: Emitter = { name: 'manifests', emit: () => [] };
