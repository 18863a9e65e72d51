// aa-gen/runtime: the apiserver library generated projects import. It never imports the
// generator. Each layer adds its public exports below.
export type * from './api.js';
export * from './errors.js';
export type * from './registry/interface.js';
export type * from './storage/interface.js';
export { StorageError, isStorageError } from './storage/interface.js';
