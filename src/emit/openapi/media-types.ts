// Media types the OpenAPI documents advertise. They are promises about the runtime: kubectl
// picks its patch strategy from the PATCH request body types (API-CONTRACT.md 5.2), so list
// only what the server implements, and change it here, in one place.

/**
 * PATCH request body types, in the order kube-apiserver lists them for a typed resource
 * (k8s.io/apiserver pkg/endpoints/installer.go). Advertising strategic merge patch makes
 * `kubectl apply` send one (API-CONTRACT.md 5.2 step 1); apply-patch is server-side apply.
 */
export const PATCH_CONTENT_TYPES: readonly string[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** Request body types of create, replace and delete (as the CRD OpenAPI builder lists them). */
export const REQUEST_CONTENT_TYPES: readonly string[] = ['application/json', 'application/yaml'];

/** Response types of every operation. */
export const RESPONSE_CONTENT_TYPES: readonly string[] = ['application/json', 'application/yaml'];

/** Response types of list operations, which turn into watches with `watch=true`. */
export const LIST_RESPONSE_CONTENT_TYPES: readonly string[] = [
  ...RESPONSE_CONTENT_TYPES,
  'application/json;stream=watch',
];
