import { AccessTokenError, ClientOptionsError } from "./errors.js";

/** An access token, or a function that returns the current one (called before every request). */
export type AccessTokenProvider = string | (() => string | Promise<string>);

// A header value may not hold line breaks or other control characters, nor start or end with spaces (RFC 9110 §5.5).
const HEADER_VALUE = /^[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*$/;

/** Throws `ErrorClass` unless `value` can be sent as a header value; the message never echoes it. */
export function assertHeaderSafe(value: unknown, what: string, ErrorClass: new (message: string) => Error = ClientOptionsError): asserts value is string {
  if (typeof value !== "string" || !HEADER_VALUE.test(value)) {
    throw new ErrorClass(`${what} must be a non-empty string that can be sent in an HTTP header (no control characters, no spaces at the ends)`);
  }
}

/** The `Authorization` header value for the token the provider returns now. */
export async function bearer(provider: () => string | Promise<string>): Promise<string> {
  let token: unknown;
  try {
    token = await provider();
  } catch (cause) {
    // The reason goes in the message (a token function's own error, such as "log in again"), shortened.
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AccessTokenError(`the accessToken function failed: ${reason.slice(0, 200)}`, { cause });
  }
  assertHeaderSafe(token, "the access token", AccessTokenError);
  return `Bearer ${token}`;
}
