import { AUTHORIZATION_URL, DEFAULT_RESPONSE_TYPE, type RESPONSE_TYPES, type Scope } from "@mkp/client";
import { OAuthOptionsError } from "./errors.js";
import { checkEndpoint, required } from "./internal/endpoint.js";
import { base64url, randomToken, withSecrets } from "./internal/secrets.js";
import { authorizationParams } from "./internal/wire.js";

/** Options of {@link buildAuthorizationUrl}. */
export interface AuthorizationUrlOptions {
  /** Your app's client ID. */
  clientId: string;
  /** Where the user comes back: must equal a redirect URI registered for the app. */
  redirectUri: string;
  /** Scopes to ask for (the spec's {@link SCOPES}; other servers may take others). Default: none. */
  scopes?: readonly (Scope | (string & {}))[] | undefined;
  /** The CSRF `state` to send. Default: 32 random bytes from `crypto.getRandomValues`, base64url. */
  state?: string | undefined;
  /** Adds an RFC 7636 S256 code challenge and returns its `codeVerifier`. Default: false. */
  pkce?: boolean | undefined;
  /** `response_type`. Default: the Authentication page's `authorization_code`; RFC 6749 servers want `code`. */
  responseType?: (typeof RESPONSE_TYPES)[number] | undefined;
  /** The authorize endpoint (https, or http on loopback). Default: the spec's {@link AUTHORIZATION_URL}. */
  authorizeUrl?: string | undefined;
}

/** What {@link buildAuthorizationUrl} returns: keep `state` (and `codeVerifier`) for the callback. */
export interface AuthorizationRequest {
  /** The URL to send the user to. */
  url: string;
  /** The state to give `parseCallback` as `expectedState`. */
  state: string;
  /** The PKCE verifier for `exchangeCode`, when `pkce` was on. Secret: non-enumerable, never logged. */
  readonly codeVerifier?: string;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Builds the URL that sends the user to approve your app (RFC 6749 §4.1.1), with an unguessable
 * `state` and, with `pkce: true`, an S256 code challenge (RFC 7636 §4.2).
 *
 * @example
 * const { url, state, codeVerifier } = await buildAuthorizationUrl({ clientId, redirectUri, scopes: ["fix"], pkce: true });
 *
 * @throws {OAuthOptionsError} for a missing option, a non-https authorize URL or a malformed scope.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function buildAuthorizationUrl(options: AuthorizationUrlOptions): Promise<AuthorizationRequest> {
  const { scopes = [], pkce, responseType = DEFAULT_RESPONSE_TYPE } = options;
  const url = checkEndpoint(options.authorizeUrl ?? AUTHORIZATION_URL, "authorizeUrl");
  const redirectUri = required(options.redirectUri, "redirectUri");
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) throw new OAuthOptionsError(`scope ${JSON.stringify(scope)} is not a scope token (RFC 6749 §3.3)`);
  }
  const state = options.state === undefined ? randomToken() : required(options.state, "state");
  const codeVerifier = pkce ? randomToken() : undefined;
  const codeChallenge = codeVerifier && base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier))));
  const params = authorizationParams({
    clientId: required(options.clientId, "clientId"),
    redirectUri,
    responseType,
    scope: scopes.join(" "),
    state,
    codeChallenge,
  });
  for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value);
  return withSecrets<AuthorizationRequest>({ url: url.href, state }, { codeVerifier });
}
