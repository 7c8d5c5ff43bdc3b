import { TokenExpiredError } from "./errors.js";
import type { OAuthToken } from "./exchange-code.js";
import { isExpired, type ExpiryOptions } from "./is-expired.js";

/**
 * An `accessToken` provider for `createClient` from `@mkp/client`: before every request it reads
 * the current token (a token, or a function returning one, e.g. from your session store) and
 * refuses to send an expired one (RFC 6750 §3.1 `invalid_token` avoided up front).
 *
 * @example
 * const client = createClient({ accessToken: tokenProvider(() => session.token) });
 *
 * @throws {TokenExpiredError} from the provider (wrapped by the client as its `cause`) when the token expired.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function tokenProvider(source: OAuthToken | (() => OAuthToken | Promise<OAuthToken>), options: ExpiryOptions = {}): () => Promise<string> {
  return async () => {
    const token = typeof source === "function" ? await source() : source;
    if (isExpired(token, options)) throw new TokenExpiredError(`the access token expired at ${token.expiresAt!.toISOString()}: log in again`);
    return token.accessToken;
  };
}
