import { randomInt } from "node:crypto";
import type { Reply } from "./http.js";
import type { Credential } from "./state.js";

/**
 * Failures the sandbox can be asked to produce, so apps (and our own batch repair) can be tested
 * against what a real API does under load. All off by default; with a `seed`, every choice is the
 * same from run to run.
 */
export interface FailureModes {
  /** Requests per second each credential (API key or token) may make to the API; past it, 429 with `Retry-After`. */
  rateLimit?: number;
  /** The share of fixes (0–1) that end `failed` instead of `done`. */
  failedFixes?: number;
  /** The share of API requests (0–1) answered 503 before anything is changed (safe to retry). */
  serverErrors?: number;
  /** Added to every API answer, in ms: a fixed delay, or `[min, max]` drawn per request. */
  latencyMs?: number | readonly [number, number];
  /** Makes every choice repeatable: which fixes fail, which requests get a 503, each latency. */
  seed?: number;
}

/** What the sandbox has done so far, for tests (`server.stats()`). */
export interface SandboxStats {
  /** Items created (`POST /items` answered 201), deleted ones included. */
  uploads: number;
  /** Fixes started (`POST /fixes` answered 201). */
  fixes: number;
  /** Fixes that were chosen to end `failed`. */
  failedFixes: number;
  /** Requests answered 429 by the rate limit. */
  rateLimited: number;
  /** Requests answered 503 on purpose. */
  serverErrors: number;
  /** The seed of the failure modes' choices (given, or drawn at start), to repeat a run. */
  seed: number;
}

// Which sequence a draw belongs to, so the choices of one kind never shift those of another.
const FIX_STREAM = 1;
const ERROR_STREAM = 2;
const LATENCY_STREAM = 3;

/** A number in [0, 1) from the seed, a stream and a position: the same inputs, the same number. */
function draw(seed: number, stream: number, position: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream, 0xc2b2ae35) ^ Math.imul(position + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}

/** One credential's token bucket: `rateLimit` requests a second, bursts of up to `rateLimit` (at least 1). */
interface Bucket {
  tokens: number;
  at: number;
}

/** The failure modes of one sandbox, with their counters (nothing here is shared between sandboxes). */
export class Failures {
  readonly seed: number;
  readonly #modes: FailureModes;
  readonly #buckets = new Map<string, Bucket>();
  #requests = 0;
  #rateLimited = 0;
  #serverErrors = 0;

  constructor(modes: FailureModes) {
    this.#modes = modes;
    this.seed = modes.seed ?? randomInt(2 ** 31);
  }

  /** Whether fix `fixId` ends failed: decided by its id, so the same fixes fail whatever the order of requests. */
  fixFails(fixId: number): boolean {
    return draw(this.seed, FIX_STREAM, fixId) < (this.#modes.failedFixes ?? 0);
  }

  /**
   * The failure (if any) for a request of `credential` at `now` (ms): 429 past the rate limit,
   * then, drawn in the order requests arrive, a 503. Both come before the handler changes
   * anything. Also returns the latency to add.
   */
  beforeHandler(credential: Credential, now: number): { reply?: Reply; latencyMs: number } {
    // An API key is one account; a token is an app acting for a user (every token of that pair shares the limit).
    const limited = this.#rateLimit(credential.kind === "apiKey" ? `key:${credential.userId}` : `app:${credential.clientId}:${credential.userId}`, now);
    if (limited) return { reply: limited, latencyMs: 0 };
    const position = this.#requests++;
    const latencyMs = this.#latency(position);
    if (draw(this.seed, ERROR_STREAM, position) < (this.#modes.serverErrors ?? 0)) {
      this.#serverErrors += 1;
      const description = "The sandbox failed this request on purpose (its serverErrors option); nothing was changed, so it is safe to retry.";
      return { reply: { status: 503, json: { error: "temporarily_unavailable", error_description: description }, outsideSpec: true }, latencyMs };
    }
    return { latencyMs };
  }

  #rateLimit(key: string, now: number): Reply | undefined {
    const rate = this.#modes.rateLimit;
    if (rate === undefined) return undefined;
    // Bursts of up to `rate` requests, and at least one (a rate below 1 a second still lets one through).
    const burst = Math.max(1, rate);
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * rate) / 1000);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    this.#rateLimited += 1;
    const waitMs = Math.ceil(((1 - bucket.tokens) * 1000) / rate);
    return {
      status: 429,
      // Seconds for every client (RFC 9110 §10.2.3), and milliseconds for clients that read them.
      headers: { "retry-after": String(Math.ceil(waitMs / 1000)), "retry-after-ms": String(waitMs) },
      json: { error: "rate_limited", error_description: `This credential may make ${rate} requests a second (the sandbox's rateLimit option).` },
      outsideSpec: true,
    };
  }

  #latency(position: number): number {
    const latency = this.#modes.latencyMs ?? 0;
    if (typeof latency === "number") return latency;
    const [min, max] = latency;
    return Math.round(min + draw(this.seed, LATENCY_STREAM, position) * (max - min));
  }

  /** The counters of the failure modes. */
  counts(): Pick<SandboxStats, "rateLimited" | "serverErrors" | "seed"> {
    return { rateLimited: this.#rateLimited, serverErrors: this.#serverErrors, seed: this.seed };
  }

  /** Whether any mode is on (else requests skip this part entirely). */
  get active(): boolean {
    const { rateLimit, failedFixes, serverErrors, latencyMs } = this.#modes;
    return rateLimit !== undefined || (serverErrors ?? 0) > 0 || (failedFixes ?? 0) > 0 || (latencyMs !== undefined && latencyMs !== 0);
  }
}
