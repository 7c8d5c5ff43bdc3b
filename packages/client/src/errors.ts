/**
 * The base of every error thrown by the Makeprintable SDK packages.
 *
 * Every class has a static `code`, stable across releases, that its errors carry as `code`:
 * branch on it (`error.code === NotFoundError.code`) or on the class, never on the message.
 * Messages never contain a secret (API key, client secret, code, code verifier or token).
 */
export class MakeprintableError extends Error {
  /** The `code` of this class's errors. */
  static readonly code: string = "MKP_ERROR";
  /** A stable, machine-readable identifier such as `MKP_INVALID_OPTIONS`: the class's static `code`. */
  declare readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as typeof MakeprintableError).code;
  }
}

/** `createClient` (or a call) was given an unknown option, options that cannot work together, or an unusable value. */
export class ClientOptionsError extends MakeprintableError {
  static override readonly code = "MKP_INVALID_OPTIONS";
  /**
   * The setting at fault as the person wrote it, when one is: an option (`"baseUrl"`), a flag
   * (`"--base-url"`) or an environment variable (`"MAKEPRINTABLE_API_KEY"`). The message names it too.
   */
  readonly setting: string | undefined;

  constructor(message: string, options?: ErrorOptions & { setting?: string | undefined }) {
    super(message, options);
    this.setting = options?.setting;
  }
}

/** The access-token function failed or returned something that is not a usable token. */
export class AccessTokenError extends MakeprintableError {
  static override readonly code = "MKP_INVALID_ACCESS_TOKEN";
}
