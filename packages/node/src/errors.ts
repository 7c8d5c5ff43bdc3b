import { MakeprintableError } from "@mkp/client";
import { withoutConnectionFix } from "@mkp/client/internal";

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

/**
 * The API's base URL names a server whose RFC 8414 authorization-server metadata could not be read
 * or cannot be trusted (another issuer, an authorize page over plain http): `mkp login` cannot know
 * its authorize page. The message names the base URL's setting and `--authorize-url`.
 */
export class AuthorizationDiscoveryError extends MakeprintableError {
  static override readonly code = "MKP_AUTHORIZATION_DISCOVERY_FAILED";
}

/** The token file exists but cannot be read or is not a login this package wrote. */
export class StoredLoginError extends CredentialError {
  static override readonly code = "MKP_STORED_LOGIN_UNREADABLE";
}

/** An input of `repairModel` cannot work; `field` names it (`source` or `output`). Nothing was sent. */
export class RepairInputError extends MakeprintableError {
  static override readonly code: string = "MKP_INVALID_REPAIR_INPUT";
  constructor(
    /** The input at fault. */
    readonly field: "source" | "output",
    message: string,
  ) {
    super(message);
  }
}

/** The output file exists and overwriting was not allowed. `path` is the file. */
export class OutputExistsError extends RepairInputError {
  static override readonly code = "MKP_OUTPUT_EXISTS";
  constructor(readonly path: string) {
    super("output", `${path} exists`);
  }
}

/**
 * The signal stopped a repair. With `fixId`, the repair had started and goes on at Makeprintable:
 * pick it up again with `downloadFix`.
 */
export class RepairStoppedError extends MakeprintableError {
  static override readonly code = "MKP_REPAIR_STOPPED";
  constructor(
    readonly fixId: number | undefined,
    readonly itemId: number | undefined,
  ) {
    super(
      fixId !== undefined
        ? `stopped waiting for fix ${fixId}; the repair goes on at Makeprintable`
        : `stopped before the repair started${itemId !== undefined ? ` (item ${itemId} was uploaded)` : ""}`,
    );
  }
}

/**
 * The wait for a repair that had started was cut short by something other than the signal: the
 * connection dropped or the API kept failing. The repair goes on at Makeprintable: pick it up again
 * with `downloadFix`. `cause` is the client's error.
 */
export class WaitInterruptedError extends MakeprintableError {
  static override readonly code = "MKP_WAIT_INTERRUPTED";
  constructor(
    readonly fixId: number,
    cause: Error,
  ) {
    // The connection's own fix names the library's option; what to do here is to resume, which advice says.
    super(`lost track of fix ${fixId} (${withoutConnectionFix(cause.message) ?? cause.message}); the repair goes on at Makeprintable`, { cause });
  }
}

/** The repaired file could not be downloaded (no link, a refused or failed download). */
export class DownloadError extends MakeprintableError {
  static override readonly code = "MKP_DOWNLOAD_FAILED";
  /** The download's HTTP status, or `undefined` when none arrived (no link, or the connection failed). */
  readonly status: number | undefined;
  /**
   * Whether the same download may work later: the connection failed, or the answer was 408, 429 or
   * 5xx. A link that answered 404 or 410 is gone: only a new repair gives the file again.
   */
  readonly retryable: boolean;
  constructor(
    readonly fixId: number,
    message: string,
    details: { status?: number | undefined; retryable?: boolean | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.retryable = details.retryable ?? false;
  }
}

/** The repair ended failed at Makeprintable (the fix's status says so): a new repair of the item may succeed. */
export class FixFailedError extends MakeprintableError {
  static override readonly code = "MKP_FIX_FAILED";
  constructor(
    readonly fixId: number,
    /** The fix's status as the API gave it. */
    readonly status: string,
  ) {
    super(`the repair of fix ${fixId} ended ${status}`);
  }
}

/** The journal of a batch repair cannot be read or written; `path` is the file. */
export class RepairJournalError extends MakeprintableError {
  static override readonly code = "MKP_REPAIR_JOURNAL";
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`repair journal ${path}: ${reason}`);
  }
}
