import { MakeprintableError } from "@mkp/client";

/**
 * The base of every error `@mkp/oauth` throws. Branch on `code` (stable across releases; each
 * class's static `code`, as everywhere in the SDK), not on the message. No message, `toString()`, `JSON.stringify()` or
 * `util.inspect()` of these errors holds a client secret, code, code verifier or token.
 */
export class OAuthError extends MakeprintableError {
  static override readonly code: string = "MKP_OAUTH_ERROR";
}

/** An option is missing or unusable (a non-https endpoint, an empty `expectedState`, …). */
export class OAuthOptionsError extends OAuthError {
  static override readonly code = "MKP_OAUTH_INVALID_OPTIONS";
}

/**
 * `exchangeCode` was called where `window` and `document` exist without `dangerouslyAllowBrowser:
 * true`: anyone who opens the page could read the client secret.
 */
export class ClientSecretInBrowserError extends OAuthError {
  static override readonly code = "MKP_OAUTH_CLIENT_SECRET_IN_BROWSER";
}

/** The redirect back from the authorize page is malformed: a repeated parameter or no `code`. */
export class CallbackError extends OAuthError {
  static override readonly code = "MKP_OAUTH_INVALID_CALLBACK";
}

/**
 * The callback's `state` is missing or differs from the one this login started with: the redirect
 * may be forged (CSRF), so its code must not be used.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export class StateMismatchError extends OAuthError {
  static override readonly code = "MKP_OAUTH_STATE_MISMATCH";
}

/** What an RFC 6749 §4.1.2.1 or §5.2 error response says. */
export interface OAuthErrorFields {
  /** The error code, e.g. `access_denied` or `invalid_grant`. */
  error: string;
  /** The server's human-readable text, when it sent one. */
  errorDescription?: string;
  /** A page about the error, when the server sent one. */
  errorUri?: string;
}

/**
 * The authorization server redirected back with `error=` instead of a code (RFC 6749 §4.1.2.1).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class AuthorizationError extends OAuthError implements OAuthErrorFields {
  static override readonly code: string = "MKP_OAUTH_AUTHORIZATION_ERROR";
  readonly error: string;
  declare readonly errorDescription?: string;
  declare readonly errorUri?: string;

  constructor(message: string, fields: OAuthErrorFields) {
    super(message);
    this.error = fields.error;
    if (fields.errorDescription !== undefined) this.errorDescription = fields.errorDescription;
    if (fields.errorUri !== undefined) this.errorUri = fields.errorUri;
  }
}

/** The user (or the server) refused the app access: `error=access_denied`. */
export class AccessDeniedError extends AuthorizationError {
  static override readonly code = "MKP_OAUTH_ACCESS_DENIED";
}

/**
 * The token endpoint refused the request with an RFC 6749 §5.2 error (also when sent inside a 200).
 * `invalid_grant` means the code expired (codes live 3 minutes) or was already used: restart the login.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class TokenError extends OAuthError implements OAuthErrorFields {
  static override readonly code = "MKP_OAUTH_TOKEN_ERROR";
  readonly error: string;
  declare readonly errorDescription?: string;
  declare readonly errorUri?: string;
  /** The HTTP status of the response. */
  readonly status: number;

  constructor(message: string, fields: OAuthErrorFields & { status: number }) {
    super(message);
    this.error = fields.error;
    if (fields.errorDescription !== undefined) this.errorDescription = fields.errorDescription;
    if (fields.errorUri !== undefined) this.errorUri = fields.errorUri;
    this.status = fields.status;
  }
}

/**
 * The token endpoint answered something that is not an OAuth 2.0 token response: a non-200 status
 * without an RFC 6749 §5.2 body (an HTML 502 from a proxy), a body that is not JSON, or a token
 * whose fields are missing or malformed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export class InvalidTokenResponseError extends OAuthError {
  static override readonly code = "MKP_OAUTH_INVALID_TOKEN_RESPONSE";
  /** The HTTP status of the response. */
  readonly status: number;

  constructor(message: string, fields: { status: number }) {
    super(message);
    this.status = fields.status;
  }
}

/** The token request got no response: the network failed, a redirect was refused, or it was aborted. */
export class TokenRequestError extends OAuthError {
  static override readonly code: string = "MKP_OAUTH_REQUEST_FAILED";
}

/** The token request got no response within `timeoutMs`. */
export class TokenTimeoutError extends TokenRequestError {
  static override readonly code = "MKP_OAUTH_TIMEOUT";
}

/** The token has expired (or will within the allowed skew): the user must log in again. */
export class TokenExpiredError extends OAuthError {
  static override readonly code = "MKP_OAUTH_TOKEN_EXPIRED";
}
