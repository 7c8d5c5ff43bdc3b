/**
 * `@mkp/client`: a typed client for the Makeprintable API v1.
 *
 * Types and constants under `./generated/` come from `spec/openapi.yaml`; everything else here is
 * hand-written and thin on purpose: the result of every call is openapi-fetch's
 * `{ data } | { error }` union.
 * @packageDocumentation
 */
export { createClient, type ClientOptions, type MakeprintableClient } from "./create-client.js";
export type { AccessTokenProvider } from "./auth.js";
export { MakeprintableError, ClientOptionsError, AccessTokenError } from "./errors.js";
export {
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  RedirectRefusedError,
  type APIErrorInit,
} from "./api-error.js";
export { unwrap, type ClientResult, type ResultData } from "./unwrap.js";
export { uploadItem, InvalidUploadError, type ItemUploadInput, type UploadSource, type UploadItemOptions } from "./upload-item.js";
export { waitForFix, isFixDone, FixTimeoutError, type Fix, type WaitForFixOptions } from "./wait-for-fix.js";
export { itemsOf, fixesOf, UnexpectedListError, type Item } from "./lists.js";
export { parseFixCallback, FixCallbackError, type FixCallbackBody } from "./parse-fix-callback.js";
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type RequestOptions, type Sleep } from "./retry.js";
export type { paths, components, operations } from "./generated/schema.js";
// The spec's facts an application needs; the rest of the generated constants are for the sibling
// packages (`@mkp/client/internal`).
export {
  SERVER_URL,
  API_KEY_HEADER,
  AUTHORIZATION_URL,
  TOKEN_URL,
  SCOPES,
  SCOPE_DESCRIPTIONS,
  RESPONSE_TYPES,
  AUTHORIZATION_CODE_LIFETIME_SECONDS,
  type Scope,
} from "./generated/spec.js";

import type { components } from "./generated/schema.js";

/** The form body of `POST /token`. */
export type TokenRequest = components["schemas"]["TokenRequest"];
/** A successful `POST /token` response (RFC 6749 §5.1). */
export type TokenResponse = components["schemas"]["TokenResponse"];
/** An OAuth 2.0 error body (RFC 6749 §5.2). */
export type OAuthErrorBody = components["schemas"]["OAuthError"];
/** One of the RFC 6749 §5.2 error codes. */
export type OAuthErrorCode = OAuthErrorBody["error"];
