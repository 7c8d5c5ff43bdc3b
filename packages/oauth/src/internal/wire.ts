// The one place where camelCase options meet the wire's snake_case names (RFC 6749, RFC 7636).
import type { TokenRequest } from "@mkp/client";
import { GRANT_TYPE, redact } from "@mkp/client/internal";
import type { OAuthErrorFields } from "../errors.js";

/** Query parameters of the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export const authorizationParams = (o: {
  clientId: string;
  redirectUri: string;
  responseType: string;
  scope: string;
  state: string;
  codeChallenge: string | undefined;
}) => ({
  client_id: o.clientId,
  redirect_uri: o.redirectUri,
  response_type: o.responseType,
  scope: o.scope,
  state: o.state,
  code_challenge: o.codeChallenge,
  code_challenge_method: o.codeChallenge && "S256",
});

/** The form body of the access-token request (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export const tokenRequestBody = (o: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  codeVerifier: string | undefined;
}): TokenRequest => ({
  grant_type: GRANT_TYPE,
  client_id: o.clientId,
  client_secret: o.clientSecret,
  redirect_uri: o.redirectUri,
  code: o.code,
  ...(o.codeVerifier !== undefined && { code_verifier: o.codeVerifier }),
});

/** The parameters of an authorization response (RFC 6749 §4.1.2). */
export const CALLBACK = { code: "code", state: "state", error: "error" } as const;

/**
 * The fields of an RFC 6749 §4.1.2.1 / §5.2 error, from a callback's query or a JSON body, with
 * `secrets` redacted (a server may echo the code back).
 */
export function errorFields(get: (name: string) => unknown, secrets: readonly (string | undefined)[] = []): OAuthErrorFields {
  const fields: Record<string, string> = {};
  for (const [name, wire] of [
    ["error", "error"],
    ["errorDescription", "error_description"],
    ["errorUri", "error_uri"],
  ] as const) {
    const value = get(wire);
    if (typeof value === "string") fields[name] = redact(value, secrets);
  }
  return fields as unknown as OAuthErrorFields;
}

/** A message for an RFC 6749 error: who answered what, and the server's description. */
export const describe = (who: string, f: OAuthErrorFields) => `${who} answered ${f.error}${f.errorDescription ? `: ${f.errorDescription}` : ""}`;

/** The fields of an RFC 6749 §5.1 access-token response body. */
export const tokenResponseFields = (body: Record<string, unknown>) => ({
  accessToken: body["access_token"],
  tokenType: body["token_type"],
  expiresIn: body["expires_in"],
  refreshToken: body["refresh_token"],
  scope: body["scope"],
});
