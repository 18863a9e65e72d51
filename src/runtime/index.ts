// aa-gen/runtime: the apiserver library generated projects import. It never imports the
// generator. Each layer adds its public exports below.
export type * from './api.js';
export * from './errors.js';
export type * from './registry/interface.js';
export type * from './storage/interface.js';
export { StorageError, isStorageError } from './storage/interface.js';
export * from './schema/index.js';
export { createServer, ServerStartError, type RunningServer } from './server/server.js';
export { runMain, startServer } from './server/main.js';
export { parseOptions, completeOptions, usage, type ServerOptions, type CompletedConfig } from './server/options.js';
export * from './storage/index.js';
export { createResourceStore, type ResourceStoreOptions } from './registry/store.js';
export { toScale, applyScale } from './registry/scale.js';
export { parseLabelSelector, type LabelSelector } from './registry/labels.js';
export { parseFieldSelector, compileFieldSet, type FieldSelector, type FieldSet } from './registry/fields.js';
export { validateListOptions, validateWatchOptions, parseResourceVersion } from './registry/options.js';
export { resourceRoutes, type ResourceRoutesOptions } from './endpoints/resources.js';
export * from './client/index.js';
export * from './auth/index.js';
export * from './admission/index.js';
