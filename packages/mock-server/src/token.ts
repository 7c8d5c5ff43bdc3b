import { createHash } from "node:crypto";
import { AUTHORIZATION_CODE_LIFETIME_SECONDS, type OAuthErrorCode } from "@mkp/client";
import { GRANT_TYPE } from "@mkp/client/internal";
import type { Handler } from "./context.js";
import { FORM, type Reply } from "./http.js";
import { digest, randomToken, sameDigest } from "./state.js";

/** How long a code may be exchanged, from the spec (`x-code-lifetime-seconds`). */
export const AUTHORIZATION_CODE_LIFETIME_MS = AUTHORIZATION_CODE_LIFETIME_SECONDS * 1000;

/** Lifetime of the access tokens the sandbox issues (the real one is not published). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

// The fields RFC 6749 §4.1.3 and the Authentication page require, in the order they are reported.
const REQUIRED = ["grant_type", "code", "redirect_uri", "client_id", "client_secret"] as const;

// Compared against when the client_id is unknown, so the timing does not tell that apart.
const UNKNOWN_CLIENT_DIGEST = digest(randomToken());

/** An RFC 6749 §5.2 error response: 400, or 401 for `invalid_client`; never cached. */
export function tokenError(error: OAuthErrorCode, description: string): Reply {
  return {
    status: error === "invalid_client" ? 401 : 400,
    headers: { "cache-control": "no-store", pragma: "no-cache" },
    json: { error, error_description: description },
  };
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/**
 * `POST /token`: the authorization-code grant. Checks, in order: a form body with no repeated
 * and no missing field, the grant type, the fields against the spec's `TokenRequest`, the client
 * (constant-time secret comparison), then the code — known, issued to this client, unused,
 * unexpired, same `redirect_uri`, PKCE verifier. The code is marked used in the same synchronous
 * step that checks it, so concurrent exchanges of one code give exactly one token; a replay
 * revokes the tokens issued from it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export const tokenHandler: Handler = async (sandbox, { readForm }) => {
  const parsed = await readForm();
  if (!parsed.ok) {
    const reference = parsed.kind === "not-a-form" ? " (RFC 6749 §4.1.3)" : parsed.kind === "repeated" ? " (RFC 6749 §3.1)" : "";
    return tokenError("invalid_request", `${parsed.message.slice(0, -1)}${reference}.`);
  }
  const fields = parsed.fields;
  const grantType = fields["grant_type"];
  if (grantType !== undefined && grantType !== GRANT_TYPE) {
    return tokenError("unsupported_grant_type", `Only grant_type=${GRANT_TYPE} is supported.`);
  }
  const missing = REQUIRED.filter((name) => fields[name] === undefined);
  if (missing.length > 0) return tokenError("invalid_request", `Missing parameter${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}.`);
  const checked = sandbox.validator.validateRequestBody("createToken", FORM, fields);
  if (!checked.ok) return tokenError("invalid_request", `The request does not match the token endpoint's description: ${checked.problems.join("; ")}.`);

  const clientId = fields["client_id"] ?? "";
  const client = sandbox.oauth.clients.get(clientId);
  const secretMatches = sameDigest(digest(fields["client_secret"] ?? ""), client?.secretDigest ?? UNKNOWN_CLIENT_DIGEST);
  if (!client || !secretMatches) return tokenError("invalid_client", "Client authentication failed.");

  const now = sandbox.now();
  const code = sandbox.oauth.codes.get(fields["code"] ?? "");
  if (!code || code.clientId !== client.clientId) return tokenError("invalid_grant", "The authorization code is unknown.");
  if (code.used) {
    for (const token of code.tokens) {
      const issued = sandbox.oauth.tokens.get(token);
      if (issued) issued.revoked = true;
    }
    return tokenError("invalid_grant", "The authorization code was already used; the tokens issued from it are revoked.");
  }
  if (code.expiresAt <= now) return tokenError("invalid_grant", "The authorization code has expired.");
  if (fields["redirect_uri"] !== code.redirectUri) {
    return tokenError("invalid_grant", "redirect_uri does not equal the one used at the authorize step.");
  }
  const verifier = fields["code_verifier"];
  if (code.codeChallenge === undefined) {
    // A verifier for a code issued without a challenge is a PKCE downgrade (RFC 9700 §2.1.1).
    if (verifier !== undefined) return tokenError("invalid_grant", "code_verifier was sent, but the code was issued without a code_challenge.");
  } else {
    if (verifier === undefined) return tokenError("invalid_request", "Missing parameter: code_verifier (the code was issued with a code_challenge).");
    if (!sameDigest(digest(s256(verifier)), digest(code.codeChallenge))) {
      return tokenError("invalid_grant", "code_verifier does not match the code_challenge.");
    }
  }

  const accessToken = randomToken();
  const expiresAt = now + ACCESS_TOKEN_LIFETIME_SECONDS * 1000;
  code.used = true;
  code.retainUntil = Math.max(code.retainUntil, expiresAt);
  code.tokens.push(accessToken);
  sandbox.oauth.tokens.set(accessToken, { userId: code.userId, clientId: client.clientId, scopes: code.scopes, expiresAt, revoked: false });
  return {
    status: 200,
    headers: { "cache-control": "no-store", pragma: "no-cache" },
    json: {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ...(code.scopes.length > 0 ? { scope: code.scopes.join(" ") } : {}),
    },
  };
};
