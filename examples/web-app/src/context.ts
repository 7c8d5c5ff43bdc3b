import { createClient, type Fix, type MakeprintableClient, type Scope } from "@mkp/client";
import { isLoopbackHost } from "@mkp/client/internal";
import type { OAuthToken } from "@mkp/oauth";
import type { Context } from "hono";
import { getSignedCookie } from "hono/cookie";
import { createHash, timingSafeEqual } from "node:crypto";

/** Everything the app needs to talk to Makeprintable (or the sandbox). */
export interface WebAppConfig {
  clientId: string;
  clientSecret: string;
  /** This app's own origin, e.g. `http://127.0.0.1:3000`; the callback is `${appUrl}/callback`. */
  appUrl: string;
  /** The authorize endpoint (default: Makeprintable's, from the spec). */
  authorizeUrl?: string | undefined;
  /** The API base URL (default: Makeprintable's, from the spec). */
  apiBaseUrl?: string | undefined;
  /** Signs the cookies; at least 32 characters. */
  cookieSecret: string;
  scopes?: readonly Scope[] | undefined;
  /** The `fetch` used to reach Makeprintable (injectable for tests). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /**
   * Whether Makeprintable can reach this app to `POST` a finished repair to its `callback_url`.
   * Default: when the app's URL is public (not loopback), or the API is on loopback too (the sandbox).
   * Otherwise the repair page polls `GET /fixes/{id}`.
   */
  fixCallbacks?: boolean | undefined;
  /** The clock, in milliseconds, for session expiry (injectable for tests). Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** Where Makeprintable's fix-done callbacks arrive: this path, then the repair's secret. */
export const CALLBACK_PATH = "/makeprintable/fix-done";
const SESSION_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** How many repairs the app remembers; the oldest are forgotten first. */
const MAX_REPAIRS = 1000;

/** A random id (32 bytes, base64url): session ids and callback secrets. */
export function randomId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

const digestOf = (secret: string) => createHash("sha256").update(secret).digest();
const isLoopbackUrl = (url: string | undefined) => url !== undefined && URL.canParse(url) && isLoopbackHost(new URL(url).hostname);

/** A repair this app started: whose it is, the digest of the secret in its callback URL, and the fix the callback brought. */
export interface Repair {
  fixId: number;
  sessionId: string;
  fileName: string;
  callbackDigest: Buffer;
  notified?: Fix;
}

/**
 * The repairs this app started, by fix id and by the digest of their callback secret (so a
 * callback is matched from its URL alone, before its body is read). The oldest are forgotten first.
 */
export class Repairs {
  readonly #byFix = new Map<number, Repair>();
  readonly #byDigest = new Map<string, Repair>();

  add(repair: Repair): void {
    this.#byFix.set(repair.fixId, repair);
    this.#byDigest.set(repair.callbackDigest.toString("hex"), repair);
    // A Map iterates in insertion order.
    for (const [fixId, old] of this.#byFix) {
      if (this.#byFix.size <= MAX_REPAIRS) break;
      this.#byFix.delete(fixId);
      this.#byDigest.delete(old.callbackDigest.toString("hex"));
    }
  }

  get(fixId: number): Repair | undefined {
    return this.#byFix.get(fixId);
  }

  /** The repair whose callback URL holds `secret`; the digests are compared in constant time. */
  bySecret(secret: string): Repair | undefined {
    const digest = digestOf(secret);
    const repair = this.#byDigest.get(digest.toString("hex"));
    return repair && timingSafeEqual(digest, repair.callbackDigest) ? repair : undefined;
  }

  /** A new repair's callback secret and the digest the app keeps of it. */
  static newSecret(): { secret: string; digest: Buffer } {
    const secret = randomId();
    return { secret, digest: digestOf(secret) };
  }
}

/** What every route shares: the settings, the signed-in browsers and the repairs. */
export class WebAppContext {
  readonly secure: boolean;
  readonly now: () => number;
  /** Over https the cookie names carry the browser-enforced prefixes (RFC 6265bis §4.1.3). */
  readonly flowCookie: string;
  readonly sessionCookie: string;
  readonly redirectUri: string;
  readonly fixCallbacks: boolean;
  readonly repairs = new Repairs();
  // Tokens stay on the server: the browser only holds an opaque, signed session id.
  readonly #sessions = new Map<string, { token: OAuthToken; endsAt: number }>();

  constructor(readonly config: WebAppConfig) {
    if (config.cookieSecret.length < 32) throw new Error("cookieSecret must be at least 32 characters");
    this.secure = config.appUrl.startsWith("https:");
    this.now = config.now ?? Date.now;
    this.flowCookie = this.secure ? "__Secure-mkp_flow" : "mkp_flow";
    // A `__Host-` cookie is Secure, host-only and for the whole site, so no subdomain can plant one.
    this.sessionCookie = this.secure ? "__Host-mkp_session" : "mkp_session";
    this.redirectUri = `${config.appUrl}/callback`;
    // Makeprintable reaches the app on a loopback API (the sandbox) or a public app URL.
    this.fixCallbacks = config.fixCallbacks ?? (!isLoopbackUrl(config.appUrl) || isLoopbackUrl(config.apiBaseUrl));
  }

  /** The signed-in browser's session, if its cookie names one that has not ended. */
  async sessionOf(c: Context): Promise<{ id: string; token: OAuthToken } | undefined> {
    const id = await getSignedCookie(c, this.config.cookieSecret, this.sessionCookie);
    const session = typeof id === "string" ? this.#sessions.get(id) : undefined;
    return session && typeof id === "string" && session.endsAt > this.now() ? { id, token: session.token } : undefined;
  }

  /** Starts a session that ends with the token, at most a day later; ended ones are dropped now. */
  startSession(token: OAuthToken): string {
    const time = this.now();
    for (const [id, session] of this.#sessions) if (session.endsAt <= time) this.#sessions.delete(id);
    const id = randomId();
    this.#sessions.set(id, { token, endsAt: Math.min(token.expiresAt?.getTime() ?? Infinity, time + SESSION_MAX_AGE_MS) });
    return id;
  }

  endSession(id: string): void {
    this.#sessions.delete(id);
  }

  /** A client of the API that acts with this token. */
  apiFor(token: OAuthToken): MakeprintableClient {
    return createClient({ accessToken: token.accessToken, baseUrl: this.config.apiBaseUrl, fetch: this.config.fetch });
  }
}
