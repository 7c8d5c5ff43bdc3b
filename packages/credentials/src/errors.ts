import { MakeprintableError } from "@mkp/client";

/** No credential is usable: the message says what to do (set `MAKEPRINTABLE_API_KEY` or log in again). */
export class CredentialError extends MakeprintableError {
  static override readonly code: string = "MKP_NO_CREDENTIAL";
}

/** Neither `MAKEPRINTABLE_API_KEY` nor a stored login. */
export class NotLoggedInError extends CredentialError {
  static override readonly code = "MKP_NOT_LOGGED_IN";
}

/** The stored login's token has expired (or will within the skew): log in again. */
export class LoginExpiredError extends CredentialError {
  static override readonly code = "MKP_LOGIN_EXPIRED";
}

/** The stored login is for another API base URL than the one in use: the token is never sent elsewhere. */
export class LoginElsewhereError extends CredentialError {
  static override readonly code = "MKP_LOGIN_FOR_OTHER_API";
}

/** The token file exists but cannot be read or is not a login this package wrote. */
export class StoredLoginError extends CredentialError {
  static override readonly code = "MKP_STORED_LOGIN_UNREADABLE";
}
