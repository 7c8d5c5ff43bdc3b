/**
 * `@mkp/mock-server`: a spec-faithful Makeprintable sandbox — a real HTTP server with the
 * authorize page, the token endpoint and the API, validated against the bundled OpenAPI
 * description, for tests, demos and users' CI.
 * @packageDocumentation
 */
export {
  startMockServer,
  DEMO,
  HANDWRITTEN_OPERATIONS,
  OPERATION_EFFECTS,
  type OperationEffects,
  type MockServer,
  type MockServerOptions,
  type MockClient,
  type DemoCredentials,
  type RequestLogEntry,
  type FixTiming,
  type FixCallbackDelivery,
  type FileUrlRecord,
  type FailureModes,
  type SandboxStats,
} from "./server.js";
export { SANDBOX_SOURCE_HEADER, IGNORED_PARAMETERS_HEADER } from "./from-spec.js";
export { MockServerOptionsError, SpecViolationError } from "./errors.js";
export { SpecValidator, OPENAPI_DOCUMENT, type OpenApiDocument, type ResponseToValidate, type ValidationResult } from "./validate.js";
export { redirectUriMatches } from "./authorize.js";
export { ACCESS_TOKEN_LIFETIME_SECONDS } from "./token.js";
