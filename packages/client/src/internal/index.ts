/**
 * `@mkp/client/internal`: what the sibling packages (`@mkp/oauth`, `@mkp/node`, `@mkp/cli`,
 * `@mkp/mcp`, `@mkp/mock-server`) share with the client. Not part of the public API: it may change
 * in any release, so applications import from `@mkp/client` only.
 * @packageDocumentation
 */
export { isObject } from "./json.js";
export { isLoopbackHost, mayCarryCredential } from "./transport.js";
export {
  API_KEY_VARIABLE,
  BASE_URL_VARIABLE,
  SPEC_SERVER,
  checkBaseUrl,
  checkCredential,
  displayUrl,
  fromEnvironment,
  given,
  headerValueProblem,
  processEnvironment,
  resolveApiKey,
  resolveBaseUrl,
  type BaseUrlCheckOptions,
  type Environment,
  type Setting,
  type SettingErrorClass,
} from "./settings.js";
export { redact, holdsSecret } from "../redact.js";
export { SecretHolder } from "./secret-holder.js";
export { CONNECTION_FIX, backoffMs, retryAfterMs, withoutConnectionFix } from "../retry.js";
export {
  API_KEY_EXAMPLE,
  DEFAULT_RESPONSE_TYPE,
  GRANT_TYPE,
  OPERATIONS,
  OPERATION_INPUTS,
  OPERATION_OUTPUTS,
  PUBLIC_ROUTES,
  REQUEST_BODY_TYPES,
  SECURITY_SCHEMES,
  TOKEN_PATH,
  type OperationId,
} from "../generated/spec.js";
