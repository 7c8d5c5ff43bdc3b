import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, safeCause, secretsOf } from "./api-error.js";
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

// A Retry-After longer than this is not waited for: the computed backoff is used instead (as Stainless).
const MAX_RETRY_AFTER_MS = 60_000;

/** The default {@link Sleep}: a timer that the signal cancels. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
  });

/** Checks a retry count or timeout, so a typo fails loudly instead of disabling retries. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function checkCount(value: unknown, name: string, min: number): number {
  const integer = name === "maxRetries";
  // Timers clamp anything above 2^31 − 1 ms (Infinity included) to 1 ms: refuse it instead.
  if (typeof value !== "number" || !(value >= min && value <= MAX_TIMER_MS) || (integer && !Number.isInteger(value))) {
    throw new ClientOptionsError(`${name} must be a number from ${min} to ${MAX_TIMER_MS}${integer ? " (an integer)" : ""}`);
  }
  return value;
}

/** `maxRetries` (≥ 0, an integer) or `timeoutMs` (≥ 1) as given, else the fallback; checked either way. */
export const checkOption = (value: unknown, fallback: number, name: "maxRetries" | "timeoutMs"): number =>
  checkCount(value === undefined ? fallback : value, name, name === "timeoutMs" ? 1 : 0);

/**
 * The delay the server asks for: `retry-after-ms` (milliseconds), else `Retry-After` in seconds or
 * as an HTTP date. `undefined` when absent, unparsable, negative or over a minute.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 Retry-After
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  // An absent header is `null`, which parses as NaN below.
  let ms = Number.parseFloat(headers.get("retry-after-ms") as string);
  if (Number.isNaN(ms)) {
    const value = headers.get("retry-after") as string;
    ms = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  }
  return ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** Exponential backoff with up to 25 % jitter: 0.5 s, 1 s, 2 s … capped at 8 s. */
export function backoffMs(retry: number, random: () => number): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - random() * 0.25);
}

// Error responses remember the request's credentials, so `unwrap` can scrub them from the error.
const secretsByResponse = new WeakMap<Response, string[]>();

/** The credentials of the request that got this error response (for scrubbing). */
export function secretsForResponse(response: Response): string[] {
  return secretsByResponse.get(response) ?? [];
}

// The caller's own AbortSignal, when there is one. Every Request has a signal, so the wrapper
// cannot tell a caller's from the default one; linking signals costs tens of µs in Node, so it is
// only done when the caller gave one. A plain own property, like the per-request options, so that
// `encodeBody` carries it to the request it makes.
type ClientRequestFields = Request & RequestOptions & { userSignal?: AbortSignal };

/** The `Request` constructor the client gives openapi-fetch: it notes whether the caller gave a signal. */
export const ClientRequest = function ClientRequest(input: RequestInfo | URL, init?: RequestInit): Request {
  const request: ClientRequestFields = new Request(input, init);
  if (init?.signal) request.userSignal = init.signal;
  return request;
} as unknown as typeof Request;
// openapi-fetch checks middleware results with `instanceof` this constructor.
ClientRequest.prototype = Request.prototype;

const abortController = (controller: AbortController) => controller.abort();
const aborted = (cause?: unknown) => new APIUserAbortError({ message: "request was aborted", cause });

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
    const maxRetries = checkOption(request.maxRetries, settings.maxRetries, "maxRetries");
    const timeoutMs = checkOption(request.timeoutMs, settings.timeoutMs, "timeoutMs");
    const idempotent = request.method === "GET" || request.method === "DELETE";
    const { userSignal } = request;
    const signal = userSignal ?? request.signal;
    for (let retry = 0; ; retry++) {
      let response: Response | undefined;
      // One controller per attempt: the timeout covers the wait for response headers.
      const controller = new AbortController();
      const timer = setTimeout(abortController, timeoutMs, controller);
      const retryable = idempotent && retry < maxRetries;
      try {
        response = await fetch(request, { signal: userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal });
      } catch (cause) {
        if (signal.aborted) throw aborted(signal.reason);
        if (!retryable) {
          throw controller.signal.aborted
            ? new APIConnectionTimeoutError({ message: `request timed out after ${timeoutMs} ms` })
            : new APIConnectionError({ message: "connection error", cause: safeCause(cause, secretsOf(request.headers)) });
        }
      } finally {
        clearTimeout(timer);
      }
      if (response) {
        if (response.ok) return response;
        const { status } = response;
        if (!retryable || !(status === 408 || status === 429 || status >= 500)) {
          secretsByResponse.set(response, secretsOf(request.headers));
          return response;
        }
        // Free the connection before waiting.
        await response.body?.cancel().catch(() => undefined);
      }
      // Sleep between attempts; the caller's abort ends the wait with an APIUserAbortError.
      try {
        await settings.sleep((response && retryAfterMs(response.headers)) ?? backoffMs(retry, settings.random), signal);
      } catch (cause) {
        throw aborted(cause);
      }
      if (signal.aborted) throw aborted();
    }
  };
}
