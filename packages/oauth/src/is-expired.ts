import type { OAuthToken } from "./exchange-code.js";

/** Options of {@link isExpired}. */
export interface ExpiryOptions {
  /** Count the token as expired this many seconds early, for clock skew and request time. Default: 30. */
  skewSeconds?: number | undefined;
  /** The clock, in milliseconds. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Whether a token has expired, or will within `skewSeconds`. A token whose server gave no
 * `expires_in` never counts as expired (RFC 6749 §5.1: the lifetime is then unknown); one whose
 * `expiresAt` is not a valid date always does.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function isExpired(token: Pick<OAuthToken, "expiresAt">, { skewSeconds = 30, now = Date.now }: ExpiryOptions = {}): boolean {
  if (token.expiresAt === undefined) return false;
  // NaN compares false with everything: an invalid date must not pass as "not expired".
  return !(token.expiresAt.getTime() - skewSeconds * 1000 > now());
}
