import { createClient, TOKEN_PATH } from "@mkp/client";
import { ClientSecretInBrowserError, TokenRequestError, TokenTimeoutError } from "./errors.js";
import { checkEndpoint, required } from "./internal/endpoint.js";
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
  /** The API's base URL (https, or http on loopback). Default: as `createClient` (the spec's server). */
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
 * An access token. `accessToken` and `refreshToken` are secret: readable, but non-enumerable, so
 * `JSON.stringify`, spreading and `util.inspect` never print them. Store them explicitly.
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
 * Exchanges an authorization code for an access token with the typed `POST /token` of
 * `@mkp/client` (RFC 6749 §4.1.3), as a form, with `cache: "no-store"`, no redirects, a timeout,
 * and no automatic retry (a code is single use). Validates the response (RFC 6749 §5.1).
 *
 * @example
 * const token = await exchangeCode({ clientId, clientSecret, redirectUri, code, codeVerifier });
 *
 * @throws {TokenError} when the server answers an RFC 6749 §5.2 error (even inside a 200).
 * @throws {InvalidTokenResponseError} for anything else that is not a token (an HTML 502, a bad field).
 * @throws {TokenRequestError} when no response came (network, timeout, abort).
 * @throws {ClientSecretInBrowserError} in a browser without `dangerouslyAllowBrowser`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function exchangeCode(options: ExchangeCodeOptions): Promise<OAuthToken> {
  const { clientSecret, code, codeVerifier, baseUrl, fetch, timeoutMs = 10_000, now = Date.now } = options;
  if ("window" in globalThis && "document" in globalThis && !options.dangerouslyAllowBrowser) throw new ClientSecretInBrowserError("a browser page cannot keep the client secret: exchange codes on a server (or set dangerouslyAllowBrowser)");
  const body = tokenRequestBody({
    clientId: required(options.clientId, "clientId"),
    clientSecret: required(clientSecret, "clientSecret"),
    redirectUri: required(options.redirectUri, "redirectUri"),
    code: required(code, "code"),
    codeVerifier,
  });
  if (baseUrl !== undefined) checkEndpoint(baseUrl, "baseUrl");
  // A code is single use: a retry could only fail, or spend it twice, so retries are off.
  const client = createClient({ maxRetries: 0, ...(baseUrl !== undefined && { baseUrl }), ...(fetch && { fetch }) });
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let result;
  try {
    // The code and secret go in the body, never the URL; the response must not be cached or followed.
    result = await client.POST(TOKEN_PATH, { body, parseAs: "text", cache: "no-store", redirect: "error", signal });
  } catch (cause) {
    const timedOut = timeout.aborted;
    throw new (timedOut ? TokenTimeoutError : TokenRequestError)(
      `the token request ${timedOut ? `timed out after ${timeoutMs} ms` : options.signal?.aborted ? "was aborted" : "failed (network error or redirect)"}`,
      {},
      cause,
    );
  }
  let parsed: unknown = result.data ?? result.error;
  try {
    if (typeof parsed === "string") parsed = JSON.parse(parsed);
  } catch {
    parsed = undefined;
  }
  return tokenFromResponse(result.response.status, parsed, now(), [clientSecret, code, codeVerifier]);
}
