import type { Middleware } from "openapi-fetch";
import { AccessTokenError, ClientOptionsError } from "./errors.js";
import { API_KEY_HEADER } from "./generated/spec.js";
import { operationFor } from "./operations.js";

/** An access token, or a function that returns the current one (called before every request). */
export type AccessTokenProvider = string | (() => string | Promise<string>);

/** The credential a client sends: the account's API key, or a user's OAuth 2.0 access token. */
export type Credentials = { apiKey: string } | { accessToken: AccessTokenProvider } | Record<string, never>;

// A header value may not hold line breaks or other control characters (RFC 9110 §5.5).
const HEADER_VALUE = /^[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*$/;

function assertHeaderSafe(value: string, what: string, ErrorClass: new (message: string) => Error): void {
  if (value.length === 0) throw new ErrorClass(`${what} is empty`);
  if (!HEADER_VALUE.test(value)) {
    throw new ErrorClass(`${what} contains characters that cannot be sent in an HTTP header (spaces at the ends or control characters)`);
  }
}

/** Validates an API key the way `createClient` does, without ever echoing it. */
export function assertApiKey(apiKey: unknown): asserts apiKey is string {
  if (typeof apiKey !== "string") throw new ClientOptionsError("apiKey must be a string");
  assertHeaderSafe(apiKey, "apiKey", ClientOptionsError);
}

async function resolveAccessToken(provider: AccessTokenProvider): Promise<string> {
  let token: unknown;
  try {
    token = typeof provider === "function" ? await provider() : provider;
  } catch (cause) {
    throw new AccessTokenError("the accessToken provider failed", { cause });
  }
  if (typeof token !== "string") throw new AccessTokenError("the accessToken provider returned a non-string");
  assertHeaderSafe(token, "the access token", AccessTokenError);
  return token;
}

/**
 * Middleware that adds the credential to every operation the spec protects, and strips any
 * credential from operations whose spec says `security: []` (the token endpoint).
 */
export function authMiddleware(credentials: { apiKey?: string; accessToken?: AccessTokenProvider }): Middleware {
  const { apiKey, accessToken } = credentials;
  return {
    async onRequest({ request, schemaPath }) {
      const operation = operationFor(request.method, schemaPath);
      if (operation && !operation.authenticated) {
        request.headers.delete(API_KEY_HEADER);
        request.headers.delete("authorization");
        return undefined;
      }
      if (apiKey !== undefined) request.headers.set(API_KEY_HEADER, apiKey);
      else if (accessToken !== undefined) request.headers.set("authorization", `Bearer ${await resolveAccessToken(accessToken)}`);
      return undefined;
    },
  };
}
