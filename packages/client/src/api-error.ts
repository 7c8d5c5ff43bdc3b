import { MakeprintableError } from "./errors.js";
import { API_KEY_HEADER } from "./generated/spec.js";
import { holdsSecret, redact, redactValue } from "./redact.js";

/** The credentials a request carried (the `key` header, the bearer token with and without its scheme), to scrub from errors. */
export function secretsOf(headers: Headers): string[] {
  const authorization = headers.get("authorization");
  return [headers.get(API_KEY_HEADER), authorization, authorization?.replace(/^\S+\s+/, "")].filter((secret): secret is string => !!secret);
}

// What an error body says in words, whatever shape the server chose (the spec does not publish one).
function describe(body: unknown): string {
  if (body === undefined || body === "") return "(no body)";
  const fields = Object(body) as Record<string, unknown>;
  const text = [fields.error_description, fields.message, fields.error].find((value) => typeof value === "string");
  return (text ?? (typeof body === "string" ? body : JSON.stringify(body)).slice(0, 200)) as string;
}

/** What an {@link APIError} is made of. */
export interface APIErrorInit {
  status?: number | undefined;
  body?: unknown;
  headers?: Headers | undefined;
  /** Default: the status and what the body says. */
  message?: string | undefined;
  cause?: unknown;
}

/**
 * An error response of the API, or a request that got no response. Carries the HTTP `status`, the
 * response `headers`, the parsed error `body` (the spec's `ApiError`: any JSON) and the
 * `x-request-id` header as `requestId`. Errors the client makes have the request's API key and
 * bearer token scrubbed from all of them, so logging one never leaks a credential.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15 HTTP status codes
 */
export class APIError extends MakeprintableError {
  static override readonly code: string = "MKP_API_ERROR";
  /** The HTTP status, or `undefined` when no response arrived. */
  declare readonly status: number | undefined;
  /** The response headers (credentials scrubbed, `set-cookie` dropped). */
  declare readonly headers: Headers | undefined;
  /** The parsed error body (JSON when it parses, else text), credentials scrubbed. */
  declare readonly body: unknown;
  /** The `x-request-id` response header, to quote when asking for support. */
  declare readonly requestId: string | undefined;

  constructor(init: APIErrorInit = {}) {
    const { status, body, headers } = init;
    // `init` doubles as the Error options: its `cause`, when it has one.
    super(init.message ?? `${status} ${describe(body)}`, init);
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.requestId = headers?.get("x-request-id") ?? undefined;
  }
}

/** 400: a parameter is missing or invalid. */
export class BadRequestError extends APIError {
  static override readonly code = "MKP_BAD_REQUEST";
}
/** 401: the API key or bearer token is missing, wrong or revoked (RFC 6750 §3.1). */
export class AuthenticationError extends APIError {
  static override readonly code = "MKP_AUTHENTICATION";
}
/** 403: the credential may not do this (for a token, a missing scope: RFC 6750 §3.1 `insufficient_scope`). */
export class PermissionDeniedError extends APIError {
  static override readonly code = "MKP_PERMISSION_DENIED";
}
/** 404: no such item or fix in your account. */
export class NotFoundError extends APIError {
  static override readonly code = "MKP_NOT_FOUND";
}
/** 409: the request conflicts with the resource's current state. */
export class ConflictError extends APIError {
  static override readonly code = "MKP_CONFLICT";
}
/** 422: the request was understood but its content cannot be processed. */
export class UnprocessableEntityError extends APIError {
  static override readonly code = "MKP_UNPROCESSABLE_ENTITY";
}
/** 429: too many requests; see `headers.get("retry-after")`. */
export class RateLimitError extends APIError {
  static override readonly code = "MKP_RATE_LIMIT";
}
/** 5xx: the server failed. */
export class InternalServerError extends APIError {
  static override readonly code = "MKP_INTERNAL_SERVER";
}

/** No response arrived: the connection was refused or reset, or the name did not resolve. */
export class APIConnectionError extends APIError {
  static override readonly code: string = "MKP_CONNECTION";
}
/** No response headers arrived within `timeoutMs`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  static override readonly code = "MKP_CONNECTION_TIMEOUT";
}
/**
 * A redirect the client will not follow: one a browser hides, one of a request with a body, one
 * refused by `redirect: "error"`, or too many. The message names the fix (usually `baseUrl`).
 */
export class RedirectRefusedError extends APIConnectionError {
  static override readonly code = "MKP_REDIRECT_REFUSED";
}
/** The caller's `AbortSignal` aborted the request (or the wait between retries). */
export class APIUserAbortError extends APIError {
  static override readonly code = "MKP_USER_ABORT";
}

const BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * The typed error for an error response: the class by status, `InternalServerError` for 5xx, with
 * every secret scrubbed from the body, the headers and the message, and `set-cookie` dropped.
 */
export function apiErrorFor(status: number, body: unknown, headers: Headers, secrets: readonly string[] = []): APIError {
  const ErrorClass = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
  const scrubbed = new Headers();
  for (const [name, value] of headers) if (name !== "set-cookie") scrubbed.append(name, redact(value, secrets));
  const safeBody = redactValue(body, secrets);
  return new ErrorClass({ status, body: safeBody, headers: scrubbed, message: redact(`${status} ${describe(safeBody)}`, secrets) });
}

/** A thrown cause, unless anything in it, at any depth, holds a secret (then it is dropped rather than leaked). */
export function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  return holdsSecret(cause, secrets) ? undefined : cause;
}
