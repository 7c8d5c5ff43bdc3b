import { AUTHORIZATION_CODE_LIFETIME_SECONDS } from "@mkp/client";
import { isObject } from "@mkp/client/internal";
import { InvalidTokenResponseError, TokenError, type OAuthErrorFields } from "../errors.js";
import type { OAuthToken } from "../exchange-code.js";
import { tokenOf } from "./secrets.js";
import { describe, errorFields, tokenResponseFields } from "./wire.js";

/** Advice that fits the error: `invalid_grant` covers a used or expired code, a different redirect URI and a wrong PKCE verifier (RFC 6749 §5.2). */
function hintFor({ error, errorDescription = "" }: OAuthErrorFields): string {
  if (error === "invalid_client") return " (check the client ID and secret)";
  if (error !== "invalid_grant") return "";
  if (/redirect_uri/i.test(errorDescription)) return " (pass exchangeCode the exact redirectUri given to buildAuthorizationUrl)";
  if (/code_verifier|code_challenge|pkce/i.test(errorDescription))
    return " (pass exchangeCode the codeVerifier that buildAuthorizationUrl returned for this login)";
  return ` (a code is single use and lives ${AUTHORIZATION_CODE_LIFETIME_SECONDS / 60} minutes: start the login again)`;
}

/** RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const B64TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Turns the token endpoint's answer into an {@link OAuthToken} or a typed error (RFC 6749 §5.1,
 * §5.2). `body` is the parsed JSON (or `undefined` when it was not JSON); `secrets` are redacted
 * from any server text that ends up in a message. Messages never quote a received value.
 */
export function tokenFromResponse(status: number, body: unknown, receivedAt: number, secrets: readonly (string | undefined)[] = []): OAuthToken {
  const fail = (message: string) => new InvalidTokenResponseError(`the token ${message}`, { status });
  if (isObject(body) && typeof body["error"] === "string") {
    const fields = errorFields((name) => body[name], secrets);
    throw new TokenError(describe(`the token endpoint (HTTP ${status})`, fields) + hintFor(fields), { ...fields, status });
  }
  if (status !== 200) throw fail(`endpoint answered HTTP ${status}, not an OAuth 2.0 error`);
  if (!isObject(body)) throw fail("response is not a JSON object");
  const { accessToken, tokenType, expiresIn, refreshToken, scope } = tokenResponseFields(body);
  const bad = (field: string, problem: string) => fail(`response's ${field} ${problem}`);
  if (typeof accessToken !== "string" || !accessToken) throw bad("access_token", "is missing or empty");
  // A token is sent in a header and may be printed: anything else (a space, a quote, a terminal
  // escape, a line break) is refused here, for every caller, and never quoted.
  if (!B64TOKEN.test(accessToken)) throw bad("access_token", "is not an RFC 6750 bearer token (letters, digits, - . _ ~ + / then any = at the end)");
  if (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer") throw bad("token_type", "is not Bearer");
  // RFC 6749 §5.1 says a number; some servers send a numeric string.
  const seconds = typeof expiresIn === "string" && /^\d+(\.\d+)?$/.test(expiresIn) ? +expiresIn : expiresIn;
  if (seconds != null && !(typeof seconds === "number" && seconds >= 0 && seconds < 1e12)) throw bad("expires_in", "is not a number of seconds");
  if (refreshToken !== undefined && (typeof refreshToken !== "string" || !refreshToken)) throw bad("refresh_token", "is empty");
  if (scope !== undefined && typeof scope !== "string") throw bad("scope", "is not a string");
  return tokenOf({
    accessToken,
    refreshToken: refreshToken as string | undefined,
    expiresAt: seconds != null ? new Date(receivedAt + seconds * 1000) : undefined,
    scopes: scope?.split(" ").filter(Boolean),
    receivedAt: new Date(receivedAt),
  });
}
