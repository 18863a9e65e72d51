// Authentication, authorization and audit of the runtime (issue 4), as k8s.io/apiserver's
// delegated options build them. The server's handler chain installs them in this order:
// authenticate (onRequest) -> audit record -> authorize (preHandler) -> handlers.
export {
  authFlags,
  authParseArgsOptions,
  normalizeAuthArgv,
  completeAuthOptions,
  hasAuthenticationSource,
  type AuthFlag,
  type AuthConfig,
  type AuthenticationConfig,
  type AuthorizationConfig,
  type AuditConfig,
  type AuthOptionsResult,
  type RawAuthFlags,
} from './options.js';
export {
  buildAuthenticator,
  requestAuthenticator,
  authnRequestFromIncoming,
  AuthnConfigError,
  AuthnError,
  type BuildAuthenticatorOptions,
  type BuiltAuthenticator,
  type Authenticator as RequestAuthenticator,
  type AuthnRequest,
  type AuthnResult,
  type AuthenticatorName,
} from './authn/index.js';
export { ConfigMapLookupError } from './authn/configmap.js';
export { TokenFileError } from './authn/token.js';
export { CABundleError } from './authn/x509-chain.js';
export { KubeconfigError } from './kube-client.js';
export {
  buildAuthorizer,
  forbiddenError,
  requestAttributes,
  subjectAccessReviewSpec,
  type BuildAuthorizerOptions,
  type BuiltAuthorizer,
  type RequestAttributes,
  type AuthorizationResult,
  type Decision,
} from './authz/index.js';
export {
  createAuditLogger,
  loadAuditPolicy,
  sourceIPs,
  AuditPolicyError,
  type AuditLogger,
  type AuditRecord,
  type AuditLevel,
  type AuditPolicy,
} from './audit.js';
