import { AUTHORIZATION_URL, SERVER_URL } from "@mkp/client";
import {
  checkBaseUrl,
  displayUrl,
  fromEnvironment,
  isObject,
  mayCarryCredential,
  resolveBaseUrl as resolveBaseUrlSource,
  type Environment,
  type Setting,
} from "@mkp/client/internal";
import type { PlaceOptions } from "./config-dir.js";
import { resolveCredential, type Credential } from "./credential.js";
import { AuthorizationDiscoveryError } from "./errors.js";

export type { Setting } from "@mkp/client/internal";

/** A value the person gave explicitly, and what they called it: `{ value: flags.baseUrl, source: "--base-url" }`. */
export interface GivenSetting {
  value: string | undefined;
  source: string;
}

/** The environment variable that names the authorize page (`mkp login`), over what the server publishes. */
export const AUTHORIZE_URL_VARIABLE = "MAKEPRINTABLE_AUTHORIZE_URL";

const given = (setting: GivenSetting | undefined): Setting | undefined =>
  setting?.value === undefined ? undefined : { value: setting.value, source: setting.source };

/**
 * The API's base URL: the given flag or option, else `MAKEPRINTABLE_BASE_URL`, else the spec's
 * server; checked (an absolute http(s) URL with no user name or password, https unless loopback)
 * and without trailing slashes. `source` says which one it was.
 * @throws {ClientOptionsError} naming that source (`--base-url is not an absolute URL …`).
 */
export function resolveBaseUrlSetting(flag?: GivenSetting, env: Environment = process.env): Setting {
  const setting = resolveBaseUrlSource(given(flag), env);
  return { value: checkBaseUrl(setting), source: setting.source };
}

/**
 * The base URL's value from the same resolution, unchecked, without trailing slashes: for callers
 * that check it later (`createClient` does). Prefer {@link resolveBaseUrlSetting}, which says where it came from.
 */
export function resolveBaseUrl(flag: string | undefined, env: Environment = process.env): string {
  return resolveBaseUrlSource(given({ value: flag || undefined, source: "--base-url" }), env).value.replace(/\/+$/, "");
}

/** Options of {@link resolveSettings}. */
export interface SettingsOptions extends PlaceOptions {
  /** The base URL the person gave on the command line or as an option, if any. */
  baseUrl?: GivenSetting | undefined;
  /** The clock, in milliseconds, for the stored login's expiry. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** What a tool calls the API with, each value with where it came from. */
export interface Settings {
  baseUrl: Setting;
  /** `credential.source` is `MAKEPRINTABLE_API_KEY` or `the stored login`. */
  credential: Credential;
}

/**
 * The one resolution of a tool's settings: the base URL (flag → `MAKEPRINTABLE_BASE_URL` → the
 * spec's server) and the credential (`MAKEPRINTABLE_API_KEY` → the stored login for that base URL),
 * both checked before anything is sent. `createClient({ ...credential.clientOptions(), baseUrl: baseUrl.value })`.
 * @throws {ClientOptionsError} for an unusable base URL, naming its source.
 * @throws {CredentialError} when there is no usable credential; {@link ClientOptionsError} for one that cannot be sent, naming the variable at fault.
 */
export async function resolveSettings(options: SettingsOptions = {}): Promise<Settings> {
  const env = options.env ?? process.env;
  const baseUrl = resolveBaseUrlSetting(options.baseUrl, env);
  const credential = await resolveCredential({ ...options, env, baseUrl: baseUrl.value });
  return { baseUrl, credential };
}

/** Options of {@link resolveAuthorizeUrl}. */
export interface AuthorizeUrlOptions {
  /** The authorize page the person gave (`--authorize-url`, or an option), if any. */
  authorizeUrl?: GivenSetting | undefined;
  /** The API's base URL in use ({@link resolveBaseUrlSetting}). */
  baseUrl: Setting;
  /** Default: `process.env`. */
  env?: Environment | undefined;
  /** The `fetch` for the metadata request. Default: `globalThis.fetch`. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Aborts the metadata request. */
  signal?: AbortSignal | undefined;
  /** Gives up on the metadata after this many milliseconds. Default: 10 000. */
  timeoutMs?: number | undefined;
}

/**
 * The authorize page `mkp login` sends the person to: the given flag or option, else
 * `MAKEPRINTABLE_AUTHORIZE_URL`, else, for an API other than the spec's server (the sandbox, say),
 * what that server publishes as its RFC 8414 authorization-server metadata, else, for the spec's
 * server, the spec's documented `AUTHORIZATION_URL` (production is never asked for metadata).
 * @throws {AuthorizationDiscoveryError} when another server publishes no metadata, or metadata that
 *   cannot be trusted (another issuer, an authorize page over plain http off loopback).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function resolveAuthorizeUrl(options: AuthorizeUrlOptions): Promise<Setting> {
  const explicit = given(options.authorizeUrl) ?? fromEnvironment(AUTHORIZE_URL_VARIABLE, options.env ?? process.env);
  if (explicit) return explicit;
  if (options.baseUrl.value === SERVER_URL) return { value: AUTHORIZATION_URL, source: "the spec's authorization URL" };
  return discoverAuthorizeUrl(options);
}

const WELL_KNOWN = "/.well-known/oauth-authorization-server";

/**
 * Where an API at `baseUrl` may publish its metadata, and the issuer each document must name
 * (RFC 8414 §3.1: the well-known string goes between the host and the issuer's path; §3.3: the
 * issuer must be identical): the base URL as a path-aware issuer first, then its origin.
 */
function metadataLocations(baseUrl: URL): { url: string; issuer: string }[] {
  const path = baseUrl.pathname.replace(/\/+$/, "");
  const atOrigin = { url: `${baseUrl.origin}${WELL_KNOWN}`, issuer: baseUrl.origin };
  return path ? [{ url: `${baseUrl.origin}${WELL_KNOWN}${path}`, issuer: `${baseUrl.origin}${path}` }, atOrigin] : [atOrigin];
}

async function discoverAuthorizeUrl(options: AuthorizeUrlOptions): Promise<Setting> {
  const { baseUrl, fetch = globalThis.fetch, timeoutMs = 10_000 } = options;
  const api = `${baseUrl.source} (${displayUrl(baseUrl.value)})`;
  const fix = "give --authorize-url (or set MAKEPRINTABLE_AUTHORIZE_URL)";
  for (const { url, issuer } of metadataLocations(new URL(baseUrl.value))) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(new Request(url, { headers: { accept: "application/json" }, redirect: "error", signal }));
      if (response.status === 404) {
        await response.body?.cancel();
        continue;
      }
      body = response.ok ? await response.json() : undefined;
    } catch (cause) {
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : options.signal?.aborted ? "aborted" : "no answer, or not JSON";
      throw new AuthorizationDiscoveryError(`could not read the authorization-server metadata of ${api} at ${url} (${reason}): check it, or ${fix}`, {
        cause,
      });
    }
    if (!response.ok) throw new AuthorizationDiscoveryError(`${url} answered ${response.status} for the authorization-server metadata of ${api}: ${fix}`);
    return { value: trustedAuthorizeUrl(body, issuer, url, fix), source: `the authorization-server metadata at ${url}` };
  }
  throw new AuthorizationDiscoveryError(
    `${api} is not the spec's server and publishes no authorization-server metadata (RFC 8414), so its authorize page is unknown: ${fix}`,
  );
}

/** The metadata's `authorization_endpoint`, once the document is for `issuer` and the page is safe to send a person to. */
function trustedAuthorizeUrl(body: unknown, issuer: string, url: string, fix: string): string {
  const metadata: { issuer?: unknown; authorization_endpoint?: unknown } = isObject(body) ? body : {};
  // RFC 8414 §3.3: a document naming another issuer must not be used (it may be an impersonation).
  if (metadata.issuer !== issuer) {
    throw new AuthorizationDiscoveryError(`the metadata at ${url} is for another issuer than ${issuer}, so it is not used: ${fix}`);
  }
  const endpoint = metadata.authorization_endpoint;
  if (typeof endpoint !== "string" || !URL.canParse(endpoint) || new URL(endpoint).hash || !mayCarryCredential(new URL(endpoint))) {
    throw new AuthorizationDiscoveryError(
      `the metadata at ${url} names no usable authorization_endpoint (an absolute https URL, http only on loopback, without a fragment): ${fix}`,
    );
  }
  return endpoint;
}
