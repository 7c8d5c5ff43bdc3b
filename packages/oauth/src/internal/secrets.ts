import { SecretHolder } from "@mkp/client/internal";
import type { AuthorizationRequest } from "../build-authorization-url.js";
import type { OAuthToken } from "../exchange-code.js";
import type { AuthorizationCallback } from "../parse-callback.js";

// The results that carry a secret keep it the SDK's one way (a SecretHolder's private field): the
// documented property (`token.accessToken`) is a getter on the class, never an own property, so
// no JSON, spread, clone or inspection of the result holds it.

/** The fields of a token response, once checked. */
export interface TokenFields {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date | undefined;
  scopes: string[] | undefined;
  receivedAt: Date;
}

/** A successful token response without a refresh token: see {@link OAuthToken}. */
class Token extends SecretHolder<{ accessToken: string; refreshToken?: string }> implements OAuthToken {
  readonly tokenType = "Bearer";
  declare readonly expiresAt?: Date;
  declare readonly scopes?: string[];
  readonly receivedAt: Date;

  constructor({ accessToken, refreshToken, expiresAt, scopes, receivedAt }: TokenFields) {
    super(refreshToken === undefined ? { accessToken } : { accessToken, refreshToken });
    // Absent, not `undefined`, when the server did not say: `"expiresAt" in token` means it did.
    if (expiresAt) this.expiresAt = expiresAt;
    if (scopes) this.scopes = scopes;
    this.receivedAt = receivedAt;
  }

  get accessToken(): string {
    return this.secret("accessToken");
  }
}

// Only a token the server gave a refresh token has `refreshToken` at all (`"refreshToken" in token`).
class RefreshableToken extends Token {
  get refreshToken(): string {
    return this.secret("refreshToken")!;
  }
}

/** The token for checked fields. */
export const tokenOf = (fields: TokenFields): OAuthToken => (fields.refreshToken === undefined ? new Token(fields) : new RefreshableToken(fields));

/** What `buildAuthorizationUrl` returns with PKCE on: see {@link AuthorizationRequest}. */
export class AuthorizationRequestWithVerifier extends SecretHolder<{ codeVerifier: string }> implements AuthorizationRequest {
  url: string;
  state: string;

  constructor(url: string, state: string, codeVerifier: string) {
    super({ codeVerifier });
    this.url = url;
    this.state = state;
  }

  get codeVerifier(): string {
    return this.secret("codeVerifier");
  }
}

/** What `parseCallback` returns: see {@link AuthorizationCallback}. */
export class CallbackWithCode extends SecretHolder<{ code: string }> implements AuthorizationCallback {
  constructor(code: string) {
    super({ code });
  }

  get code(): string {
    return this.secret("code");
  }
}

const BASE64URL: Record<string, string> = { "+": "-", "/": "_", "=": "" };

/** Unpadded base64url (RFC 4648 §5) of bytes. */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) => BASE64URL[c]!);
}

/** `length` bytes from the platform's CSPRNG, base64url: 32 bytes give 256 bits of entropy. */
export const randomToken = (length = 32): string => base64url(crypto.getRandomValues(new Uint8Array(length)));

/**
 * Compares a received value with the expected one in time that depends only on the expected
 * value's length, so response timing does not reveal how much of a guess was right.
 */
export function timingSafeEqual(received: string, expected: string): boolean {
  let diff = received.length ^ expected.length;
  // Past the end of `received`, charCodeAt gives NaN, which `^` treats as 0: the length check covers it.
  for (let i = 0; i < expected.length; i++) diff |= received.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
