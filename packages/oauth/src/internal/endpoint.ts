import { mayCarryCredential } from "@mkp/client/internal";
import { OAuthOptionsError } from "../errors.js";

/**
 * Parses an endpoint URL that will receive credentials: https only (plain http on loopback, for
 * testing), no user info, no fragment. Messages name the option, never echo a query string.
 */
export function checkEndpoint(value: unknown, name: string): URL {
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new OAuthOptionsError(`${name} is not an absolute URL`);
  }
  if (!mayCarryCredential(url)) {
    throw new OAuthOptionsError(`${name} must be https (http only on loopback), got ${url.protocol}`);
  }
  if (url.username || url.password || url.hash) throw new OAuthOptionsError(`${name} has user info or a fragment`);
  return url;
}

/** Throws unless `value` is a non-empty string. */
export function required(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw new OAuthOptionsError(`${name} must be a non-empty string`);
  return value;
}
