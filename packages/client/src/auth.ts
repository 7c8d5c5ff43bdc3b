import { AccessTokenError } from "./errors.js";
import { checkCredential } from "./internal/settings.js";

/** An access token, or a function that returns the current one (called before every request). */
export type AccessTokenProvider = string | (() => string | Promise<string>);

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
  return `Bearer ${checkCredential({ value: token, source: "the token the accessToken function returned" }, AccessTokenError)}`;
}
