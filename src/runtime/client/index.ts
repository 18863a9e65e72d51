// The client half of aa-gen/runtime: what generated clientsets are built on.
export { loadKubeConfig, type KubeConfig } from './kubeconfig.js';
export { createTransport, type Transport, type RequestSpec, type Query, type QueryValue } from './transport.js';
export {
  ApiError,
  ExpiredError,
  ClientError,
  type ClientErrorCode,
  errorFromResponse,
  errorFromStatus,
  isClientError,
  isNotFound,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isBadRequest,
  isForbidden,
  isUnauthorized,
  isTimeout,
  isTooManyRequests,
  isExpired,
} from './errors.js';
export {
  encodeLabelSelector,
  encodeFieldSelector,
  escapeFieldValue,
  type LabelSelectorInput,
  type LabelSelectorObject,
  type LabelSelectorRequirement,
  type FieldSelectorInput,
  type FieldNotEquals,
} from './selectors.js';
export { parseWatchEvents, type TypedWatchEvent, type Bookmark } from './watch.js';
export {
  ResourceClient,
  Watch,
  type ResourceInfo,
  type KubeList,
  type Scale,
  type GetOptions,
  type ClientListOptions,
  type ClientWatchOptions,
  type WriteOptions,
  type PatchOptions,
  type PatchType,
  type JsonPatchOperation,
  type MergePatch,
  type ClientDeleteOptions,
  type StatusMethods,
  type ScaleMethods,
} from './resource-client.js';
export {
  createInformer,
  type Informer,
  type InformerOptions,
  type Handlers as InformerHandlers,
  type Lister,
  type ListerListOptions,
  type ListWatcher,
} from './informer.js';
