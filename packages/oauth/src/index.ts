/**
 * `@mkp/oauth`: the Makeprintable OAuth 2.0 authorization-code flow (RFC 6749 §4.1) done safely.
 * Web APIs only: runs in Node ≥ 20, browsers and edge runtimes. `@mkp/oauth/node` adds the
 * loopback login for scripts and CLIs (RFC 8252).
 * @packageDocumentation
 */
export { buildAuthorizationUrl, type AuthorizationUrlOptions, type AuthorizationRequest } from "./build-authorization-url.js";
export { parseCallback, SKIP_STATE_CHECK, type ParseCallbackOptions, type AuthorizationCallback } from "./parse-callback.js";
export { exchangeCode, type ExchangeCodeOptions, type OAuthToken } from "./exchange-code.js";
export { isExpired, type ExpiryOptions } from "./is-expired.js";
export { tokenProvider } from "./token-provider.js";
export {
  OAuthError,
  OAuthOptionsError,
  ClientSecretInBrowserError,
  CallbackError,
  StateMismatchError,
  AuthorizationError,
  AccessDeniedError,
  TokenError,
  InvalidTokenResponseError,
  TokenRequestError,
  TokenTimeoutError,
  TokenExpiredError,
  type OAuthErrorFields,
} from "./errors.js";
