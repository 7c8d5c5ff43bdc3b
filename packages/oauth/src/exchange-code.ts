import { checkBaseUrl, given, holdsSecret, resolveBaseUrl, TOKEN_PATH } from "@mkp/client/internal";
import { ClientSecretInBrowserError, OAuthOptionsError, TokenRequestError, TokenTimeoutError } from "./errors.js";
import { required } from "./internal/endpoint.js";
import { tokenFromResponse } from "./internal/token-response.js";
import { tokenRequestBody } from "./internal/wire.js";

/** Options of {@link exchangeCode}. */
export interface ExchangeCodeOptions {
  /** Your app's client ID. */
  clientId: string;
  /** Your app's client secret. Keep it on a server. */
  clientSecret: string;
  /** The exact `redirectUri` given to `buildAuthorizationUrl`. */
  redirectUri: string;
  /** The code from `parseCallback`. */
  code: string;
  /** The PKCE verifier from `buildAuthorizationUrl`, when `pkce` was on. */
  codeVerifier?: string | undefined;
  /**
   * The API's base URL (https, or http on loopback). Default: `process.env.MAKEPRINTABLE_BASE_URL`,
   * else the spec's server. Checked whichever it comes from, before anything is sent.
   */
  baseUrl?: string | undefined;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
  /** Gives up after this many milliseconds. Default: 10 000. */
  timeoutMs?: number | undefined;
  /** Allows the call where `window` and `document` exist, exposing the client secret to the page. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** The clock, in milliseconds, for `receivedAt` and `expiresAt`. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * An access token. `accessToken` and `refreshToken` are secret: readable as usual, but never an
 * own property of the token (getters over a private field), so `JSON.stringify`, spreading,
 * `Object.keys`, `structuredClone`, `console.log` and `util.inspect` (also with `showHidden`) never
 * print them (inspection shows `'[redacted]'`); only `util.inspect`'s `getters: true` together with
 * `customInspect: false` would run the getters. Store them explicitly.
 */
export interface OAuthToken {
  /** The bearer token, for `Authorization: Bearer …`. */
  readonly accessToken: string;
  /** Always `"Bearer"` (servers' `bearer` in any letter case is normalised). */
  readonly tokenType: "Bearer";
  /** When the token expires, from `expires_in`, if the server said. */
  readonly expiresAt?: Date;
  /** A refresh token, if the server issued one. */
  readonly refreshToken?: string;
  /** The scopes granted, if the server listed them. */
  readonly scopes?: string[];
  /** When the response arrived. */
  readonly receivedAt: Date;
}

/**
 * Exchanges an authorization code for an access token (RFC 6749 §4.1.3): one `POST /token` with
 * exactly the form fields of the Authentication page (plus the PKCE verifier), and no other
 * credential — never an API key, whatever the environment holds — with `cache: "no-store"`, no
 * redirects, a timeout and no retry (a code is single use). Validates the response (RFC 6749 §5.1).
 *
 * @example
 * const token = await exchangeCode({ clientId, clientSecret, redirectUri, code, codeVerifier });
 *
 * @throws {TokenError} when the server answers an RFC 6749 §5.2 error (even inside a 200).
 * @throws {InvalidTokenResponseError} for anything else that is not a token (an HTML 502, a bad field).
 * @throws {TokenRequestError} when no response came (network, redirect, abort); {@link TokenTimeoutError} after `timeoutMs`.
 * @throws {OAuthOptionsError} for a missing option, or a base URL (option or `MAKEPRINTABLE_BASE_URL`, named in
 *   the message) that is not https (http only on loopback) or holds a user name, password or fragment.
 * @throws {ClientSecretInBrowserError} in a browser without `dangerouslyAllowBrowser`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function exchangeCode(options: ExchangeCodeOptions): Promise<OAuthToken> {
  const { clientSecret, code, codeVerifier, fetch = globalThis.fetch, timeoutMs = 10_000, now = Date.now } = options;
  if ("window" in globalThis && "document" in globalThis && !options.dangerouslyAllowBrowser)
    throw new ClientSecretInBrowserError("a browser page cannot keep the client secret: exchange codes on a server (or set dangerouslyAllowBrowser)");
  const form = tokenRequestBody({
    clientId: required(options.clientId, "clientId"),
    clientSecret: required(clientSecret, "clientSecret"),
    redirectUri: required(options.redirectUri, "redirectUri"),
    code: required(code, "code"),
    codeVerifier,
  });
  // The base URL is checked wherever it came from (the secret, code and verifier go there), by the
  // rule every package shares; a message names the setting the person used (`MAKEPRINTABLE_BASE_URL …`).
  const baseUrl = checkBaseUrl(resolveBaseUrl(given(options.baseUrl, "baseUrl")), { ErrorClass: OAuthOptionsError });
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // The code and secret go in the body, never the URL; the response must not be cached or followed.
  const request = new Request(`${baseUrl}${TOKEN_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form),
    cache: "no-store",
    redirect: "error",
    signal,
  });
  let response: Response;
  let text: string;
  try {
    response = await fetch(request);
    text = await response.text();
  } catch (cause) {
    const timedOut = timeout.aborted;
    throw new (timedOut ? TokenTimeoutError : TokenRequestError)(
      `the token request ${timedOut ? `timed out after ${timeoutMs} ms` : options.signal?.aborted ? "was aborted" : "failed (network error or redirect)"}`,
      { cause: holdsSecret(cause, [clientSecret, code, codeVerifier]) ? undefined : cause },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return tokenFromResponse(response.status, parsed, now(), [clientSecret, code, codeVerifier]);
}
