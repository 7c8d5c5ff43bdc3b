/**
 * The base of every error thrown by the Makeprintable SDK packages.
 *
 * `code` is stable across releases: branch on it, not on the message. Messages never contain a
 * secret (API key, client secret, code, code verifier or token).
 */
export class MakeprintableError extends Error {
  /** A stable, machine-readable identifier such as `MKP_INVALID_OPTIONS`. */
  declare readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** `createClient` was given options that cannot work together, or an unusable value. */
export class ClientOptionsError extends MakeprintableError {
  constructor(message: string) {
    super("MKP_INVALID_OPTIONS", message);
  }
}

/** The access-token provider returned something that is not a usable token. */
export class AccessTokenError extends MakeprintableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MKP_INVALID_ACCESS_TOKEN", message, options);
  }
}
