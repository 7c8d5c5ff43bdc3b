import type { IncomingMessage } from "node:http";
import { API_KEY_HEADER, type Scope } from "@mkp/client";
import type { Sandbox } from "./context.js";
import type { Reply } from "./http.js";
import { apiError } from "./respond.js";
import type { Credential } from "./state.js";

// RFC 6750 §2.1: b64token syntax; the scheme is case-insensitive.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function invalid(description: string): { reply: Reply } {
  return { reply: apiError(401, "invalid_token", description, { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` }) };
}

/**
 * Checks the credential of a protected operation: the `key` header, or a bearer token this
 * sandbox issued and has not revoked. A missing credential gets a bare `Bearer` challenge; a
 * wrong, expired or revoked one gets `error="invalid_token"`. Scopes bind only tokens that carry
 * some; the API key reaches everything.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function authenticate(sandbox: Sandbox, request: IncomingMessage, needed: readonly Scope[]): { credential: Credential } | { reply: Reply } {
  const key = request.headers[API_KEY_HEADER];
  if (typeof key === "string" && key !== "") {
    const userId = sandbox.oauth.userForApiKey(key);
    return userId === undefined ? invalid("The API key is not valid.") : { credential: { kind: "apiKey", userId } };
  }
  const authorization = request.headers.authorization;
  if (authorization === undefined || authorization === "") {
    return { reply: apiError(401, "invalid_token", `Send the ${API_KEY_HEADER} header or an Authorization: Bearer token.`, { "www-authenticate": "Bearer" }) };
  }
  const match = BEARER.exec(authorization);
  const token = match?.[1] === undefined ? undefined : sandbox.oauth.tokens.get(match[1]);
  if (!token || token.revoked || token.expiresAt <= sandbox.now()) return invalid("The access token is not valid, has expired or was revoked.");
  if (token.scopes.length > 0 && needed.some((scope) => !token.scopes.includes(scope))) {
    const scope = needed.join(" ");
    return {
      reply: apiError(403, "insufficient_scope", `This operation needs the ${scope} scope.`, {
        "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"`,
      }),
    };
  }
  return { credential: { kind: "bearer", userId: token.userId, clientId: token.clientId, scopes: token.scopes } };
}
