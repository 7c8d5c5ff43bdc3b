import { OAuthError } from "../errors.js";

/** `loopbackLogin` got no callback within `timeoutMs` (or was aborted): the login was not completed. */
export class LoginTimeoutError extends OAuthError {
  static override readonly code = "MKP_OAUTH_LOGIN_TIMEOUT";
}
