import { AccessDeniedError, AuthorizationError, CallbackError, StateMismatchError } from "./errors.js";
import { required } from "./internal/endpoint.js";
import { CallbackWithCode, timingSafeEqual } from "./internal/secrets.js";
import { CALLBACK, describe, errorFields } from "./internal/wire.js";

/**
 * Pass as `expectedState` to skip the state check, when something else already protects the
 * callback against CSRF (RFC 6749 §10.12) — for instance PKCE with a server known to enforce it.
 * Skipping it otherwise lets an attacker log your user in to the attacker's account.
 */
export const SKIP_STATE_CHECK: unique symbol = Symbol("skip state check");

/** Options of {@link parseCallback}. */
export interface ParseCallbackOptions {
  /** The `state` returned by `buildAuthorizationUrl` for this login, or {@link SKIP_STATE_CHECK}. */
  expectedState: string | typeof SKIP_STATE_CHECK;
}

/** A successful authorization response. `code` is secret: readable, never an own property, never logged. */
export interface AuthorizationCallback {
  /** The authorization code, for `exchangeCode`. Single use, valid 3 minutes. */
  readonly code: string;
}

/**
 * Reads the redirect back from the authorize page (RFC 6749 §4.1.2): the whole callback URL, its
 * query string, or its `URLSearchParams`. Rejects repeated parameters, then checks `state` in
 * constant time, before anything else is believed; then turns `error=` into an
 * {@link AuthorizationError} and requires a `code`.
 *
 * @example
 * const { code } = parseCallback(request.url, { expectedState: session.state });
 *
 * @throws {StateMismatchError} when `state` is missing or differs.
 * @throws {AccessDeniedError} when the user denied access; {@link AuthorizationError} for other `error=` values.
 * @throws {CallbackError} for a repeated parameter or a missing code.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function parseCallback(urlOrParams: string | URL | URLSearchParams, options: ParseCallbackOptions): AuthorizationCallback {
  const { expectedState } = options;
  if (expectedState !== SKIP_STATE_CHECK) required(expectedState, "expectedState");
  const params =
    urlOrParams instanceof URLSearchParams
      ? urlOrParams
      : urlOrParams instanceof URL
        ? urlOrParams.searchParams
        : URL.canParse(urlOrParams) || urlOrParams.includes("?")
          ? new URL(urlOrParams, "http://callback.invalid").searchParams // also a request target like "/callback?code=…"
          : new URLSearchParams(urlOrParams);
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) throw new CallbackError(`the callback repeats the parameter ${JSON.stringify(name.slice(0, 40))}`);
  }
  const state = params.get(CALLBACK.state);
  if (expectedState !== SKIP_STATE_CHECK && (state === null || !timingSafeEqual(state, expectedState))) {
    throw new StateMismatchError(`the callback's state is ${state === null ? "missing" : "wrong"}: it may be forged; start the login again`);
  }
  if (params.has(CALLBACK.error)) {
    const fields = errorFields((name) => params.get(name));
    throw new (fields.error === "access_denied" ? AccessDeniedError : AuthorizationError)(describe("the authorization server", fields), fields);
  }
  const code = params.get(CALLBACK.code);
  if (!code) throw new CallbackError("the callback has no code");
  return new CallbackWithCode(code);
}
