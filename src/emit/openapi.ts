// Placeholder: replaced by the real emitter.
import type { Emitter } from './emitter.js';

export const openapiEmitter: Emitter = { name: 'openapi', emit: () => [] };
