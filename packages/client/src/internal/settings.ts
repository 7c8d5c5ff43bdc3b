/**
 * The one resolution of the settings every entry point shares (the base URL and the API key), and
 * the checks that name the setting the person actually used: `MAKEPRINTABLE_API_KEY has a space at
 * its end`, never the option they did not write. Browser-safe: `process.env` is read only where it
 * exists. `@mkp/node` adds what only a machine has (flags, the stored login, discovery).
 */
import { ClientOptionsError } from "../errors.js";
import { SERVER_URL } from "../generated/spec.js";
import { mayCarryCredential } from "./transport.js";

/**
 * A setting's value and where it came from, in the words the person used: an option (`"baseUrl"`),
 * a flag (`"--base-url"`), an environment variable (`"MAKEPRINTABLE_BASE_URL"`), or a default
 * (`"the spec's server"`, `"the stored login"`). Every message about the value names `source`.
 */
export interface Setting<T = string> {
  readonly value: T;
  readonly source: string;
}

/** The environment variable that points the tools at another API (the sandbox, say). */
export const BASE_URL_VARIABLE = "MAKEPRINTABLE_BASE_URL";
/** The environment variable that holds an account's API key. */
export const API_KEY_VARIABLE = "MAKEPRINTABLE_API_KEY";
/** The source of the default base URL. */
export const SPEC_SERVER = "the spec's server";

/** Environment variables by name: `process.env`, or a test's record. */
export type Environment = Record<string, string | undefined>;

/** The process's environment where there is one (never in browsers and some edge runtimes). */
export const processEnvironment = (): Environment => (globalThis as { process?: { env?: Environment } }).process?.env ?? {};

/** An environment variable as a setting; an empty variable counts as unset. */
export function fromEnvironment(name: string, env: Environment = processEnvironment()): Setting | undefined {
  const value = env[name];
  return value ? { value, source: name } : undefined;
}

/** A given option or flag as a setting, when it was given at all (an empty one is given, and refused later). */
export const given = (value: string | undefined, source: string): Setting | undefined => (value === undefined ? undefined : { value, source });

/** The base URL to use: the given option or flag, else `MAKEPRINTABLE_BASE_URL`, else the spec's server. Unchecked: see {@link checkBaseUrl}. */
export function resolveBaseUrl(option: Setting | undefined, env?: Environment): Setting {
  return option ?? fromEnvironment(BASE_URL_VARIABLE, env) ?? { value: SERVER_URL, source: SPEC_SERVER };
}

/** The API key to use: the given option, else `MAKEPRINTABLE_API_KEY`; `undefined` when neither. Unchecked: see {@link checkCredential}. */
export function resolveApiKey(option: Setting | undefined, env?: Environment): Setting | undefined {
  return option ?? fromEnvironment(API_KEY_VARIABLE, env);
}

/**
 * A URL as it may be printed: without the user name and password of its authority
 * (`https://user:pw@proxy/v1` → `https://proxy/v1`). Works on text that is no URL at all.
 */
export function displayUrl(value: string): string {
  // The authority ends at the first `/`, `\`, `?` or `#`; its userinfo at the last `@` before that.
  return value.replace(/^([a-z][a-z\d+.-]*:\/\/)[^/\\?#]*@/i, "$1");
}

/** What to say when the base URL is plain http off loopback: the override the caller can set, if any. */
export interface BaseUrlCheckOptions {
  /** Lets the credential travel over plain http to a host that is not loopback. */
  allowInsecureHttp?: boolean | undefined;
  /** How the caller allows it (`"allowInsecureHttp: true"`), named in the message; none when there is no such switch. */
  insecureOverride?: string | undefined;
  /** The error to throw, for a package with its own options error. Default: {@link ClientOptionsError}. */
  ErrorClass?: SettingErrorClass | undefined;
}

/** An error class that takes a message and the setting at fault, as {@link ClientOptionsError} does. */
export type SettingErrorClass = new (message: string, options?: ErrorOptions & { setting?: string }) => Error;

/**
 * The base URL without trailing slashes, once it is known safe to send a credential to: an absolute
 * http(s) URL with no user name, password or fragment, https unless it is loopback (or allowed).
 * @throws {ClientOptionsError} (or `options.ErrorClass`) naming `setting.source`, never echoing a password.
 */
export function checkBaseUrl(setting: Setting, options: BaseUrlCheckOptions = {}): string {
  const { value, source } = setting;
  const { ErrorClass = ClientOptionsError } = options;
  const fail = (problem: string) => new ErrorClass(`${source} ${problem}`, { setting: source });
  if (typeof value !== "string" || !URL.canParse(value)) throw fail(`is not an absolute URL: give one such as ${SERVER_URL}`);
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw fail(`must be an http(s) URL such as ${SERVER_URL}, not ${url.protocol}`);
  if (url.username || url.password) {
    throw fail(`holds a user name or password (${displayUrl(value)}): leave them out; the credential goes in MAKEPRINTABLE_API_KEY or a login`);
  }
  // Paths are appended to the base URL: after a fragment they would never reach the server.
  if (url.href.includes("#")) throw fail("ends in a fragment (#…): leave it out");
  if (!mayCarryCredential(url, options.allowInsecureHttp)) {
    const override = options.insecureOverride ? `, or set ${options.insecureOverride}` : "";
    throw fail(
      `${url.origin} is plain http, so the credential would travel unencrypted: use https, or a loopback address (127.0.0.1, localhost, [::1]) for a local sandbox${override}`,
    );
  }
  return value.replace(/\/+$/, "");
}

// The names people can recognise for the characters a copy-paste brings along.
const CHARACTER_NAMES: Record<string, string> = { " ": "a space", "\t": "a tab", "\n": "a line break", "\r": "a line break", "\u00a0": "a non-breaking space" };
const nameOf = (character: string) => CHARACTER_NAMES[character] ?? "an invisible character";

/**
 * What makes `value` unusable as an HTTP header value (RFC 9110 §5.5: printable ASCII, inner spaces
 * and tabs allowed), in words that never echo it: `"has a space at its end"`; `undefined` when it is fine.
 */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `is not a string (${value === null ? "null" : typeof value})`;
  if (value === "") return "is empty";
  if (/^\s/.test(value)) return `has ${nameOf(value[0]!)} at its start: remove it`;
  if (/\s$/.test(value)) return `has ${nameOf(value[value.length - 1]!)} at its end: remove it`;
  const bad = /[^\x20-\x7e\t]/.exec(value);
  if (bad) return `holds ${bad[0] > "\x7f" && bad[0] !== "\u00a0" ? "a character outside ASCII" : nameOf(bad[0])} at position ${bad.index + 1}: copy it again`;
  return undefined;
}

/**
 * `setting.value`, once it can be sent in a header: a credential that cannot is refused before any
 * request, with a message that names its source and what is wrong, never the value.
 * @throws {ClientOptionsError} (or `ErrorClass`) such as "MAKEPRINTABLE_API_KEY has a space at its end: remove it".
 */
export function checkCredential(setting: Setting<unknown>, ErrorClass: SettingErrorClass = ClientOptionsError): string {
  const problem = headerValueProblem(setting.value);
  if (problem) throw new ErrorClass(`${setting.source} ${problem}`, { setting: setting.source });
  return setting.value as string;
}
