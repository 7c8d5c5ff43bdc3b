import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Scope } from "@mkp/client";

/** An OAuth app registered with the sandbox. */
export interface MockClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs; loopback ones (`http://127.0.0.1/…`, `http://localhost/…`, `http://[::1]/…`) match any port. */
  redirectUris: readonly string[];
  /** Shown on the consent page. */
  name: string;
}

/** A registered app as the sandbox keeps it: the secret only as a digest. */
export interface RegisteredClient {
  clientId: string;
  secretDigest: Buffer;
  redirectUris: readonly string[];
  name: string;
}

/** A consent page that was shown and waits for the user's decision. */
export interface PendingConsent {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scopes: Scope[];
  codeChallenge: string | undefined;
  /** Digest of the value of the cookie that binds the decision to the browser that saw the page. */
  bindingDigest: Buffer;
  expiresAt: number;
}

/** An issued authorization code (RFC 6749 §4.1.2). */
export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  scopes: Scope[];
  codeChallenge: string | undefined;
  userId: number;
  expiresAt: number;
  used: boolean;
  /** Kept until then (after use: until its tokens expire), so a late replay still revokes them. */
  retainUntil: number;
  /** Access tokens issued from this code, revoked when the code is replayed (RFC 6749 §4.1.2). */
  tokens: string[];
}

/** An issued access token. */
export interface AccessToken {
  userId: number;
  clientId: string;
  scopes: Scope[];
  expiresAt: number;
  revoked: boolean;
}

/** Who a request acts for: an API key's account, or a user through an app's bearer token. */
export type Credential = { kind: "apiKey"; userId: number } | { kind: "bearer"; userId: number; clientId: string; scopes: readonly Scope[] };

/** SHA-256 of a string: compared with {@link sameDigest}, so secrets are compared in constant time. */
export function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Constant-time equality of two SHA-256 digests (always equal length, as timingSafeEqual needs). */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 32 random bytes, base64url: codes, tokens, consent ids. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * At most this many consent pages wait for an answer, and this many codes are kept, the oldest
 * going first, so a page that opens consent pages in a loop cannot grow the sandbox's memory.
 */
export const MAX_PENDING = 1000;

/** Adds `key` to `map`, dropping its oldest entries (insertion order) so it never holds more than {@link MAX_PENDING}. */
export function addCapped<V>(map: Map<string, V>, key: string, value: V): void {
  for (const oldest of map.keys()) {
    if (map.size < MAX_PENDING) break;
    map.delete(oldest);
  }
  map.set(key, value);
}

/** The sandbox's in-memory OAuth state. */
export class OAuthState {
  readonly clients = new Map<string, RegisteredClient>();
  /** API keys by digest; each key is its own account. */
  readonly apiKeys: Array<{ digest: Buffer; userId: number }> = [];
  readonly consents = new Map<string, PendingConsent>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly tokens = new Map<string, AccessToken>();
  /** The user who approves apps on the consent page (the sandbox has no sign-in): the first key's account. */
  readonly consentUserId: number;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(clients: readonly MockClient[], apiKeys: readonly string[], firstUserId: number) {
    for (const client of clients) {
      this.clients.set(client.clientId, {
        clientId: client.clientId,
        secretDigest: digest(client.clientSecret),
        redirectUris: [...client.redirectUris],
        name: client.name,
      });
    }
    apiKeys.forEach((key, index) => {
      this.apiKeys.push({ digest: digest(key), userId: firstUserId + index });
    });
    this.consentUserId = firstUserId;
  }

  /** The account an API key belongs to; every key is compared, so timing does not tell which matched. */
  userForApiKey(key: string): number | undefined {
    const given = digest(key);
    let userId: number | undefined;
    for (const entry of this.apiKeys) if (sameDigest(given, entry.digest) && userId === undefined) userId = entry.userId;
    return userId;
  }

  /** Drops codes, consents and tokens that can no longer be used, at most once a second of the clock. */
  sweepIfDue(now: number): void {
    if (Math.abs(now - this.#lastSweep) < 1000) return;
    this.#lastSweep = now;
    this.sweep(now);
  }

  /** Drops codes, consents and tokens that can no longer be used. */
  sweep(now: number): void {
    for (const [key, consent] of this.consents) if (consent.expiresAt <= now) this.consents.delete(key);
    for (const [key, code] of this.codes) if (code.retainUntil <= now) this.codes.delete(key);
    for (const [key, token] of this.tokens) if (token.expiresAt <= now || token.revoked) this.tokens.delete(key);
  }
}
