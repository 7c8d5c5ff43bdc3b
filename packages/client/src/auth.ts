import type { Middleware } from "openapi-fetch";
import { encodeBody } from "./body.js";
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

async function withToken(request: Request, accessToken: AccessTokenProvider, bodyType: string | null | undefined) {
  request.headers.set("authorization", `Bearer ${await resolveAccessToken(accessToken)}`);
  return bodyType ? encodeBody(request, bodyType) : undefined;
}

/**
 * The client's one middleware, driven by the spec's facts about each operation: adds the credential
 * to every operation the spec protects and strips any from those whose spec says `security: []`
 * (the token endpoint), then encodes the body as the operation's content type.
 * One middleware rather than two, and synchronous for bodiless requests with an API key: it runs on
 * every request.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 bearer tokens in the Authorization header
 */
export function specMiddleware(credentials: { apiKey?: string; accessToken?: AccessTokenProvider }): Middleware {
  const { apiKey, accessToken } = credentials;
  return {
    onRequest({ request, schemaPath }) {
      const operation = operationFor(request.method, schemaPath);
      const bodyType = operation?.requestBodyType;
      if (operation && !operation.authenticated) {
        request.headers.delete(API_KEY_HEADER);
        request.headers.delete("authorization");
      } else if (apiKey !== undefined) {
        request.headers.set(API_KEY_HEADER, apiKey);
      } else if (accessToken !== undefined) {
        return withToken(request, accessToken, bodyType);
      }
      return bodyType ? encodeBody(request, bodyType) : undefined;
    },
  };
}
