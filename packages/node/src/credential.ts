import { API_KEY_VARIABLE, checkCredential, headerValueProblem, resolveApiKey, SecretHolder } from "@mkp/client/internal";
import { isExpired } from "@mkp/oauth";
import type { PlaceOptions } from "./config-dir.js";
import { LoginElsewhereError, LoginExpiredError, NotLoggedInError } from "./errors.js";
import { readLogin, type StoredLogin } from "./token-store.js";

export { API_KEY_VARIABLE, BASE_URL_VARIABLE } from "@mkp/client/internal";

/** Where the stored login's token comes from, as messages name it. */
export const STORED_LOGIN = "the stored login";

/**
 * The credential a tool uses: the environment's API key, or the stored login's token. The secret
 * is kept the SDK's one way (a `SecretHolder`'s private field) and only {@link Credential.clientOptions}
 * hands it out, so printing, inspecting, spreading or serialising a credential never shows it.
 */
export class Credential extends SecretHolder<{ apiKey?: string; accessToken?: string }> {
  /** `"apiKey"`: `MAKEPRINTABLE_API_KEY`; `"login"`: the token `mkp login` stored. */
  readonly kind: "apiKey" | "login";
  /** Where it came from, as messages name it: `MAKEPRINTABLE_API_KEY` or `the stored login`. */
  readonly source: string;
  /** The stored login, when `kind` is `"login"`. */
  readonly login: StoredLogin | undefined;

  constructor(source: { apiKey: string } | { login: StoredLogin }) {
    super("apiKey" in source ? { apiKey: source.apiKey } : { accessToken: source.login.accessToken() });
    this.kind = "apiKey" in source ? "apiKey" : "login";
    this.source = "apiKey" in source ? API_KEY_VARIABLE : STORED_LOGIN;
    this.login = "login" in source ? source.login : undefined;
  }

  /** The `createClient` options that carry it: `{ apiKey }` or `{ accessToken }`. */
  clientOptions(): { apiKey: string } | { accessToken: string } {
    return this.kind === "apiKey" ? { apiKey: this.secret("apiKey")! } : { accessToken: this.secret("accessToken")! };
  }
}

/** Options of {@link resolveCredential} and {@link findCredentials}. */
export interface CredentialOptions extends PlaceOptions {
  /** The API base URL in use ({@link resolveBaseUrlSetting}'s value). A stored login for another one is not used. */
  baseUrl: string;
  /** The clock, in milliseconds. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** Everything {@link findCredentials} found, usable or not: what `mkp status` reports. */
export interface FoundCredentials {
  /** Whether `MAKEPRINTABLE_API_KEY` is set (it is used first). */
  apiKey: boolean;
  /** What makes `MAKEPRINTABLE_API_KEY` unusable, in words naming it (`MAKEPRINTABLE_API_KEY has a space at its end: remove it`); `undefined` when it is fine or unset. */
  apiKeyProblem: string | undefined;
  /** The stored login, if there is one. */
  login: StoredLogin | undefined;
  /** Whether the stored login's token has expired (30 s early, for clock skew and request time). */
  loginExpired: boolean;
  /** Whether the stored login is for the base URL in use. */
  loginMatchesBaseUrl: boolean;
}

const normalise = (url: string) => url.replace(/\/+$/, "");

/**
 * Looks for every credential without choosing one.
 * @throws {StoredLoginError} when the token file exists but cannot be read.
 */
export async function findCredentials(options: CredentialOptions): Promise<FoundCredentials> {
  const env = options.env ?? process.env;
  const login = await readLogin(options);
  const apiKey = resolveApiKey(undefined, env);
  const problem = apiKey && headerValueProblem(apiKey.value);
  return {
    apiKey: apiKey !== undefined,
    apiKeyProblem: problem ? `${apiKey.source} ${problem}` : undefined,
    login,
    loginExpired: login?.expiresAt !== undefined && isExpired({ expiresAt: login.expiresAt }, { now: options.now }),
    loginMatchesBaseUrl: login !== undefined && normalise(login.baseUrl) === normalise(options.baseUrl),
  };
}

/**
 * The credential to call the API at `baseUrl` with: `MAKEPRINTABLE_API_KEY` when it is set (an
 * explicit environment wins, as with `GH_TOKEN`), else the stored login.
 *
 * @throws {NotLoggedInError} when there is neither.
 * @throws {LoginExpiredError} when the stored login has expired: "log in again", before any request.
 * @throws {LoginElsewhereError} when the stored login is for another API: its token is never sent elsewhere.
 * @throws {StoredLoginError} when the token file exists but cannot be read.
 * @throws {ClientOptionsError} (a usage error) when the credential cannot be sent ("MAKEPRINTABLE_API_KEY has a space at its end: remove it").
 */
export async function resolveCredential(options: CredentialOptions): Promise<Credential> {
  const apiKey = resolveApiKey(undefined, options.env ?? process.env);
  // Checked here, where its source is known: the message names the variable, not a library option.
  if (apiKey) return new Credential({ apiKey: checkCredential(apiKey) });
  const found = await findCredentials(options);
  const { login } = found;
  if (!login) throw new NotLoggedInError(`no credential: set ${API_KEY_VARIABLE} to your API key, or run \`mkp login\``);
  if (!found.loginMatchesBaseUrl) {
    throw new LoginElsewhereError(
      `you are logged in to ${login.baseUrl}, not ${normalise(options.baseUrl)}: run \`mkp login --base-url ${normalise(options.baseUrl)}\`, or set ${API_KEY_VARIABLE}`,
    );
  }
  if (found.loginExpired) {
    throw new LoginExpiredError(`your login expired at ${login.expiresAt!.toISOString()}: log in again with \`mkp login\``);
  }
  checkCredential({ value: login.accessToken(), source: STORED_LOGIN });
  return new Credential({ login });
}
