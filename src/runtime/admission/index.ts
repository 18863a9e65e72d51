// Admission: plugin contracts, the chain, plugin selection by flags, listers, Forbidden errors.
export type {
  AdmissionAttributes,
  AdmissionContext,
  AdmissionPlugin,
  DeepReadonly,
  GroupVersionKind,
  GroupVersionResource,
  AdmissionLister,
  AdmissionListers,
  MutatingAttributes,
  MutatingHooks,
  MutatingPlugin,
  Operation,
  OperationOptions,
  ResourceTypes,
  ValidatingHooks,
  ValidatingPlugin,
} from './types.js';
export { OPERATIONS } from './types.js';
export { admissionForbidden, newForbidden } from './errors.js';
export { createAdmissionChain, type AdmissionChain, type AdmissionStage } from './chain.js';
export { selectAdmissionPlugins, parsePluginList, type AdmissionFlags, type PluginSelection } from './plugins.js';
export { createListers, type HubReader } from './listers.js';
export { defineAdmissionPlugin, AdmissionDefinitionError, type AdmissionPluginDeclaration } from './define.js';
