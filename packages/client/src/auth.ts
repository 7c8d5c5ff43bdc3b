import type { Middleware } from "openapi-fetch";
import { encodeBody } from "./body.js";
import { AccessTokenError, ClientOptionsError } from "./errors.js";
import { API_KEY_HEADER, PUBLIC_ROUTES, REQUEST_BODY_TYPES } from "./generated/spec.js";

/** An access token, or a function that returns the current one (called before every request). */
export type AccessTokenProvider = string | (() => string | Promise<string>);

// A header value may not hold line breaks or other control characters (RFC 9110 §5.5).
const HEADER_VALUE = /^[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*$/;

function assertHeaderSafe(value: string, what: string, ErrorClass: new (message: string) => Error): void {
  if (!HEADER_VALUE.test(value)) {
    throw new ErrorClass(value ? `${what} contains characters that cannot be sent in an HTTP header (spaces at the ends or control characters)` : `${what} is empty`);
  }
}

/** Validates an API key the way `createClient` does, without ever echoing it. */
export function assertApiKey(apiKey: unknown): asserts apiKey is string {
  if (typeof apiKey !== "string") throw new ClientOptionsError("apiKey must be a string");
  assertHeaderSafe(apiKey, "apiKey", ClientOptionsError);
}

// The `Authorization` header value for the provider's current token.
async function bearer(provider: AccessTokenProvider): Promise<string> {
  let token: unknown;
  try {
    token = typeof provider === "function" ? await provider() : provider;
  } catch (cause) {
    throw new AccessTokenError("the accessToken provider failed", { cause });
  }
  if (typeof token !== "string") throw new AccessTokenError("the accessToken provider returned a non-string");
  assertHeaderSafe(token, "the access token", AccessTokenError);
  return `Bearer ${token}`;
}

/**
 * The client's one middleware, driven by the spec's facts about each route: adds the credential
 * to every operation the spec protects and strips any from those whose spec says `security: []`
 * (the token endpoint), then encodes the body as the operation's content type.
 * One middleware rather than two, and synchronous for bodiless requests with an API key: it runs on
 * every request.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 bearer tokens in the Authorization header
 */
export function specMiddleware(apiKey: string | undefined, accessToken: AccessTokenProvider | undefined): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      // openapi-fetch gives the method in upper case; routes are keyed "METHOD /path/{template}".
      const route = `${request.method} ${schemaPath}`;
      const { headers } = request;
      if (PUBLIC_ROUTES.includes(route)) {
        headers.delete(API_KEY_HEADER);
        headers.delete("authorization");
      } else if (apiKey !== undefined) {
        headers.set(API_KEY_HEADER, apiKey);
      } else if (accessToken !== undefined) {
        return bearer(accessToken).then((authorization) => {
          headers.set("authorization", authorization);
          return encodeBody(request, REQUEST_BODY_TYPES[route]);
        });
      }
      return encodeBody(request, REQUEST_BODY_TYPES[route]);
    },
  };
}
