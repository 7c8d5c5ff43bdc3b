import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  safeCause,
  secretsOf,
} from "./api-error.js";
import { ClientOptionsError } from "./errors.js";

/** Waits `ms` milliseconds; rejects (with anything) when `signal` aborts first. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Per-request options, given next to `params` and `body`: `client.GET("/items", { maxRetries: 0 })`. */
export interface RequestOptions {
  /** How many times a failed GET or DELETE is retried. Overrides the client's `maxRetries`. */
  maxRetries?: number | undefined;
  /** How long to wait for response headers, per attempt, in ms. Overrides the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
}

/** The retry and timeout settings of a client. */
export interface RetrySettings {
  maxRetries: number;
  timeoutMs: number;
  sleep: Sleep;
  random: () => number;
}

/** The default number of retries of a failed idempotent request (as Stainless SDKs). */
export const DEFAULT_MAX_RETRIES = 2;
/** The default per-attempt timeout: one minute to receive response headers. */
export const DEFAULT_TIMEOUT_MS = 60_000;

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
// A Retry-After longer than this is not waited for: the computed backoff is used instead (as Stainless).
const MAX_RETRY_AFTER_MS = 60_000;

/** The default {@link Sleep}: a timer that the signal cancels. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal.addEventListener("abort", abort, { once: true });
  });

/** Checks a retry count or timeout, so a typo fails loudly instead of disabling retries. */
export function checkCount(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !(value >= min) || (name === "maxRetries" && !Number.isInteger(value))) {
    throw new ClientOptionsError(`${name} must be a number ≥ ${min}${name === "maxRetries" ? " (an integer)" : ""}`);
  }
  return value;
}

/**
 * The delay the server asks for: `retry-after-ms` (milliseconds), else `Retry-After` in seconds or
 * as an HTTP date. `undefined` when absent, unparsable, negative or over a minute.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 Retry-After
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  let ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isNaN(ms)) {
    const value = headers.get("retry-after");
    if (value === null) return undefined;
    ms = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  }
  return ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** Exponential backoff with up to 25 % jitter: 0.5 s, 1 s, 2 s … capped at 8 s. */
export function backoffMs(retry: number, random: () => number): number {
  return Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS) * (1 - random() * 0.25);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

// Error responses remember the request's credentials, so `unwrap` can scrub them from the error.
const secretsByResponse = new WeakMap<Response, string[]>();

/** The credentials of the request that got this error response (for scrubbing). */
export function secretsForResponse(response: Response): string[] {
  return secretsByResponse.get(response) ?? [];
}

// The caller's own AbortSignal, when there is one. Every Request has a signal, so the wrapper
// cannot tell a caller's from the default one; linking signals costs tens of µs in Node, so it is
// only done when the caller gave one.
const USER_SIGNAL = Symbol("mkp.userSignal");
type ClientRequestFields = Request & RequestOptions & { [USER_SIGNAL]?: AbortSignal };

/** The `Request` constructor the client gives openapi-fetch: it notes whether the caller gave a signal. */
export const ClientRequest = function ClientRequest(input: RequestInfo | URL, init?: RequestInit): Request {
  const request: ClientRequestFields = new Request(input, init);
  if (init?.signal) request[USER_SIGNAL] = init.signal;
  return request;
} as unknown as typeof Request;
// openapi-fetch checks middleware results with `instanceof` this constructor.
ClientRequest.prototype = Request.prototype;

/** Copies the per-request options (and the caller's signal) to a request that replaces `from`. */
export function carryRequestOptions(from: Request, to: Request): Request {
  const source = from as ClientRequestFields;
  const target = to as ClientRequestFields;
  if (source.maxRetries !== undefined) target.maxRetries = source.maxRetries;
  if (source.timeoutMs !== undefined) target.timeoutMs = source.timeoutMs;
  if (source[USER_SIGNAL]) target[USER_SIGNAL] = source[USER_SIGNAL];
  return target;
}

function abortForTimeout(controller: AbortController): void {
  controller.abort();
}

/**
 * Wraps `fetch` with a per-attempt timeout and Stainless-style retries: only GET and DELETE (which
 * are idempotent) are retried, on 408, 429, 5xx and connection errors, after the server's
 * `Retry-After` or an exponential backoff with jitter. POSTs are never retried. Network failures
 * become {@link APIConnectionError}, {@link APIConnectionTimeoutError} or {@link APIUserAbortError}.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2 idempotent methods
 */
export function retryingFetch(
  fetch: (request: Request, init?: RequestInit) => Promise<Response>,
  settings: RetrySettings,
): (request: Request) => Promise<Response> {
  return async (request: ClientRequestFields) => {
    const { maxRetries: requestedRetries, timeoutMs: requestedTimeout } = request;
    const maxRetries = requestedRetries === undefined ? settings.maxRetries : checkCount(requestedRetries, "maxRetries", 0);
    const timeoutMs = requestedTimeout === undefined ? settings.timeoutMs : checkCount(requestedTimeout, "timeoutMs", 1);
    const idempotent = request.method === "GET" || request.method === "DELETE";
    const userSignal = request[USER_SIGNAL] ?? request.signal;
    for (let retry = 0; ; retry++) {
      let response: Response;
      // One controller per attempt: the timeout covers the wait for response headers.
      const controller = new AbortController();
      const timer = setTimeout(abortForTimeout, timeoutMs, controller);
      try {
        const signal = request[USER_SIGNAL] ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
        response = await fetch(request, { signal });
      } catch (cause) {
        if (userSignal.aborted) throw new APIUserAbortError({ message: "request was aborted", cause: userSignal.reason });
        const secrets = secretsOf(request.headers);
        const error = controller.signal.aborted
          ? new APIConnectionTimeoutError({ message: `request timed out after ${timeoutMs} ms` })
          : new APIConnectionError({ message: "connection error", cause: safeCause(cause, secrets) });
        if (!idempotent || retry >= maxRetries) throw error;
        await wait(settings, backoffMs(retry, settings.random), userSignal);
        continue;
      } finally {
        clearTimeout(timer);
      }
      if (response.ok) return response;
      if (!idempotent || retry >= maxRetries || !isRetryableStatus(response.status)) {
        secretsByResponse.set(response, secretsOf(request.headers));
        return response;
      }
      // Free the connection before waiting.
      await response.body?.cancel().catch(() => undefined);
      await wait(settings, retryAfterMs(response.headers) ?? backoffMs(retry, settings.random), userSignal);
    }
  };
}

// Sleeps between attempts; the caller's abort ends the wait with an APIUserAbortError.
async function wait(settings: RetrySettings, ms: number, signal: AbortSignal): Promise<void> {
  try {
    await settings.sleep(ms, signal);
  } catch (cause) {
    throw new APIUserAbortError({ message: "request was aborted", cause });
  }
  if (signal.aborted) throw new APIUserAbortError({ message: "request was aborted" });
}
