import { AUTHORIZATION_URL, SCOPES, type RESPONSE_TYPES, type Scope } from "@mkp/client";
import { DEFAULT_RESPONSE_TYPE } from "@mkp/client/internal";
import { OAuthOptionsError } from "./errors.js";
import { checkEndpoint, required } from "./internal/endpoint.js";
import { AuthorizationRequestWithVerifier, base64url, randomToken } from "./internal/secrets.js";
import { authorizationParams } from "./internal/wire.js";

/** Options of {@link buildAuthorizationUrl}. */
export interface AuthorizationUrlOptions {
  /** Your app's client ID. */
  clientId: string;
  /** Where the user comes back: must equal a redirect URI registered for the app. */
  redirectUri: string;
  /** Scopes to ask for, from the spec's {@link SCOPES} (`add_file`, `fix`). Default: none. */
  scopes?: readonly Scope[] | undefined;
  /**
   * The CSRF `state` to send: at least 16 characters of unguessable randomness (RFC 6749 §10.12).
   * Default: 32 random bytes from `crypto.getRandomValues`, base64url.
   */
  state?: string | undefined;
  /**
   * Adds an RFC 7636 S256 code challenge and returns its `codeVerifier` (give it to `exchangeCode`).
   * Default: true, as RFC 9700 §2.1.1 recommends; servers ignore parameters they do not know.
   */
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
  /** The PKCE verifier for `exchangeCode`, when `pkce` was on. Secret: readable, never an own property, never logged. */
  readonly codeVerifier?: string;
}

// A caller's state shorter than this is guessable (the default has 43 characters).
const MIN_STATE_LENGTH = 16;

/**
 * Builds the URL that sends the user to approve your app (RFC 6749 §4.1.1), with an unguessable
 * `state` and an S256 code challenge (RFC 7636 §4.2; `pkce: false` leaves it out).
 *
 * @example
 * const { url, state, codeVerifier } = await buildAuthorizationUrl({ clientId, redirectUri, scopes: ["fix"] });
 *
 * @throws {OAuthOptionsError} for a missing option, a non-https authorize URL, a redirect URI that
 *   is not an absolute URL without a fragment, an unknown scope or a short `state`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function buildAuthorizationUrl(options: AuthorizationUrlOptions): Promise<AuthorizationRequest> {
  const { scopes = [], pkce = true, responseType = DEFAULT_RESPONSE_TYPE } = options;
  const url = checkEndpoint(options.authorizeUrl ?? AUTHORIZATION_URL, "authorizeUrl");
  const redirectUri = required(options.redirectUri, "redirectUri");
  // RFC 6749 §3.1.2: an absolute URI without a fragment (a native app's private-use scheme included).
  if (!URL.canParse(redirectUri) || redirectUri.includes("#"))
    throw new OAuthOptionsError("redirectUri must be an absolute URL without a fragment, such as https://app.example/callback");
  for (const scope of scopes as readonly unknown[]) {
    if (!SCOPES.includes(scope as Scope))
      throw new OAuthOptionsError(`unknown scope ${JSON.stringify(String(scope).slice(0, 40))}: the scopes are ${SCOPES.join(", ")}`);
  }
  const state = options.state === undefined ? randomToken() : required(options.state, "state");
  if (state.length < MIN_STATE_LENGTH)
    throw new OAuthOptionsError(`state must be at least ${MIN_STATE_LENGTH} characters of unguessable randomness: leave it out to get 32 random bytes`);
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
  return codeVerifier ? new AuthorizationRequestWithVerifier(url.href, state, codeVerifier) : { url: url.href, state };
}
