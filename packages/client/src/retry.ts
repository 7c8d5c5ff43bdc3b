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

/** What the client's `fetch` wrapper reads of the client's options. */
export interface RetrySettings {
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
}

/**
 * A request as the client's `Request` constructor makes it: a `Request`, or (when the client's own
 * `fetch` sends it) just the URL and init the `fetch` wrapper sends. openapi-fetch copies the
 * per-request options onto it as own properties; the constructor notes the caller's signal.
 */
export type ClientRequestFields = Pick<Request, "method" | "headers"> &
  RequestOptions & { userSignal: AbortSignal | null | undefined; url: string; init?: RequestInit | undefined };

/** The default number of retries of a failed idempotent request (as Stainless SDKs). */
export const DEFAULT_MAX_RETRIES = 2;
/** The default per-attempt timeout: one minute to receive response headers. */
export const DEFAULT_TIMEOUT_MS = 60_000;

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

/**
 * Checks a count or a duration in ms, so a typo fails loudly instead of disabling retries. Timers
 * clamp anything above 2^31 − 1 ms (Infinity included) to 1 ms: such values are refused.
 */
export function checkCount(value: unknown, name: string, min: number): number {
  if (!(Number.isInteger(value) && (value as number) >= min && (value as number) < 2 ** 31)) {
    throw new ClientOptionsError(`${name} must be an integer from ${min} to 2147483647`);
  }
  return value as number;
}

/**
 * The delay the server asks for: `retry-after-ms` (milliseconds), else `Retry-After` in seconds or
 * as an HTTP date. `undefined` when absent, unparsable, negative or over a minute (then the
 * backoff is used, as Stainless SDKs do).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 Retry-After
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  // An absent header is `null`, which parses as NaN.
  let ms = parseFloat(headers.get("retry-after-ms") as string);
  const value = headers.get("retry-after");
  if (isNaN(ms) && value) ms = isNaN(+value) ? Date.parse(value) - now : +value * 1000;
  return ms >= 0 && ms <= 60_000 ? ms : undefined;
}

/** Exponential backoff with up to 25 % jitter: 0.5 s, 1 s, 2 s … capped at 8 s. */
export function backoffMs(retry: number, random: () => number): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - random() * 0.25);
}

// Error responses remember the request's credentials, so `unwrap` can scrub them from the error.
const secretsByResponse = new WeakMap<Response, string[]>();

/** The credentials of the request that got this error response (for scrubbing). */
export function secretsForResponse(response: Response): string[] | undefined {
  return secretsByResponse.get(response);
}

// Attempts waiting for their response headers, with their deadlines (performance.now() ms). One
// timer, set for the earliest deadline, aborts the late ones: setting and clearing a timer per
// attempt costs microseconds per request in Node. It is unref'd, so it never keeps a process alive.
const waiting = new Map<AbortController, number>();
let timer: ReturnType<typeof setTimeout> | undefined;
let timerDeadline = Infinity;

function watch(controller: AbortController, deadline: number): void {
  waiting.set(controller, deadline);
  if (deadline < timerDeadline) {
    clearTimeout(timer);
    timerDeadline = deadline;
    timer = setTimeout(expire, deadline - performance.now());
    (timer as { unref?: () => void }).unref?.();
  }
}

// Aborts every attempt past its deadline and sets the timer for the next one.
function expire(): void {
  const now = performance.now();
  timerDeadline = Infinity;
  for (const [controller, deadline] of waiting) {
    if (deadline > now) watch(controller, deadline);
    else {
      waiting.delete(controller);
      controller.abort();
    }
  }
}

/**
 * The `fetch` the client hands openapi-fetch: sends with a per-attempt timeout and Stainless-style
 * retries: only GET and DELETE (which are idempotent) are retried, on 408, 429, 5xx and connection
 * errors, after the server's `Retry-After` or an exponential backoff with jitter. POSTs are never
 * retried. Network failures become
 * {@link APIConnectionError}, {@link APIConnectionTimeoutError} or {@link APIUserAbortError}.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2 idempotent methods
 */
export function retryingFetch(
  fetch: (request: Request, init?: RequestInit) => Promise<Response>,
  settings: RetrySettings,
  maxRetriesDefault: number,
  timeoutMsDefault: number,
): (request: Request) => Promise<Response> {
  const { sleep: wait = sleep, random = Math.random } = settings;
  return async (built) => {
    // Made by the client's `Request` constructor, unless a middleware put a plain Request in its place.
    const request = built as unknown as ClientRequestFields;
    const { maxRetries = maxRetriesDefault, timeoutMs = timeoutMsDefault, init } = request;
    checkCount(maxRetries, "maxRetries", 0);
    checkCount(timeoutMs, "timeoutMs", 1);
    // Only a caller's signal needs linking (costly in Node); no other aborts the request. A Request
    // that a middleware put in place of the client's follows the caller's signal as its own.
    const userSignal = "userSignal" in request ? (request.userSignal ?? undefined) : (request as unknown as Request).signal;
    const aborted = () => new APIUserAbortError({ message: "request was aborted", cause: userSignal?.reason });
    for (let retry = 0; ; retry++) {
      // One controller per attempt: the timeout covers the wait for response headers.
      const controller = new AbortController();
      watch(controller, performance.now() + timeoutMs);
      const retryable = retry < maxRetries && (request.method === "GET" || request.method === "DELETE");
      let response: Response | undefined;
      try {
        const signal = userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
        if (init) {
          // No Request was built (only the default fetch gets here): fetch builds the only one.
          init.signal = signal;
          response = await fetch(request.url as never, init);
        } else response = await fetch(request as unknown as Request, { signal });
      } catch (cause) {
        if (userSignal?.aborted) throw aborted();
        if (!retryable) {
          throw controller.signal.aborted
            ? new APIConnectionTimeoutError({ message: `request timed out after ${timeoutMs} ms` })
            : new APIConnectionError({ message: "connection error", cause: safeCause(cause, secretsOf(request.headers)) });
        }
      } finally {
        waiting.delete(controller);
      }
      if (response) {
        const { status } = response;
        if (!retryable || !(status === 408 || status === 429 || status >= 500)) {
          if (!response.ok) secretsByResponse.set(response, secretsOf(request.headers));
          return response;
        }
        // Free the connection before waiting.
        await response.body?.cancel().catch(() => undefined);
      }
      // The caller's abort ends the wait between attempts.
      const signal = userSignal ?? new AbortController().signal;
      const ms = (response && retryAfterMs(response.headers)) ?? backoffMs(retry, random);
      if (!(await wait(ms, signal).then(() => !signal.aborted, () => false))) throw aborted();
    }
  };
}
