import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, safeCause, secretsOf } from "./api-error.js";
import { ClientOptionsError, MakeprintableError } from "./errors.js";
import { redact } from "./redact.js";
import { fetchFollowingRedirects, withoutQuery, type Fetch } from "./redirect.js";

/**
 * What to check when no answer came: the fix at the end of every `APIConnectionError` of a refused or
 * dropped connection. Tools that know which setting the person used word it themselves (`@mkp/node`'s advice).
 */
export const CONNECTION_FIX = "check baseUrl (or MAKEPRINTABLE_BASE_URL) and the network";

/** A connection error's message without {@link CONNECTION_FIX}: what happened, for a tool that words the fix itself; `undefined` for other messages. */
export function withoutConnectionFix(message: string): string | undefined {
  const end = `: ${CONNECTION_FIX}`;
  return message.endsWith(end) ? message.slice(0, -end.length) : undefined;
}

/** Waits `ms` milliseconds; rejects (with anything) when `signal` aborts first. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Per-request options, given next to `params` and `body`: `client.GET("/items", { maxRetries: 0 })`. */
export interface RequestOptions {
  /** How many times a failed GET or DELETE is retried. Overrides the client's `maxRetries`. */
  maxRetries?: number | undefined;
  /** How long to wait for response headers, per attempt, in ms, and then as long again for the body. Overrides the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
}

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
  if (Number.isNaN(ms) && value) ms = Number.isNaN(+value) ? Date.parse(value) - now : +value * 1000;
  return ms >= 0 && ms <= 60_000 ? ms : undefined;
}

/** Exponential backoff with up to 25 % jitter: 0.5 s, 1 s, 2 s … capped at 8 s. */
export function backoffMs(retry: number, random: () => number): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - random() * 0.25);
}

/** What one call's sending needs: every field belongs to that call. */
export interface SendSettings {
  /** The caller's `fetch` (per client or per request), or `undefined` for the global one. */
  fetch: Fetch | undefined;
  maxRetries: number;
  timeoutMs: number;
  /** The caller's signal, when there is one. */
  signal: AbortSignal | undefined;
  sleep: Sleep;
  random: () => number;
  /** Collects the credentials each request carried, so errors can be scrubbed of them. */
  secrets: Set<string>;
}

// The innermost reason of a failed fetch: undici's "fetch failed" says nothing, its cause
// ("getaddrinfo ENOTFOUND api.example", "connect ECONNREFUSED 127.0.0.1:4010") does.
// An error without a message (Node's AggregateError of a refused dual-stack connect) has a `code`.
function reasonOf(error: unknown): string {
  let reason = String(error);
  for (let depth = 0; error instanceof Error && depth < 8; depth++, error = error.cause) {
    reason = error.message || String((error as { code?: unknown }).code ?? error.name);
  }
  return reason.slice(0, 200);
}

/**
 * Gives a response's body `timeoutMs` more, from its headers: a server that trickles a body would
 * otherwise keep the call pending for ever. Aborting the attempt's signal errors the body with the
 * typed reason (fetch hands the reason to whoever reads it). The timer is unref'd, so it never
 * keeps a process alive, and aborting a body that was read already changes nothing.
 */
function bodyDeadline(attempt: AbortController, where: string, timeoutMs: number): void {
  const reason = () =>
    new APIConnectionTimeoutError({
      message: `the body of the answer from ${where} did not arrive within ${timeoutMs} ms of its headers: raise timeoutMs (per client or per request) or check the server`,
    });
  const timer = setTimeout(() => attempt.abort(reason()), timeoutMs) as { unref?: () => void };
  timer.unref?.();
}

/**
 * The `fetch` one call hands openapi-fetch: each attempt has its own timeout (for the response
 * headers) and follows redirects without letting a credential leave its origin. Retries, as
 * Stainless SDKs do, only GET and DELETE (idempotent) after a 408, 429, 5xx or connection error,
 * waiting for the server's `Retry-After` or an exponential backoff with jitter; POSTs never are.
 * Network failures become {@link APIConnectionError}, {@link APIConnectionTimeoutError} or
 * {@link APIUserAbortError}, never holding a credential.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2 idempotent methods
 */
export function sendWithRetries(settings: SendSettings): (request: Request) => Promise<Response> {
  const { maxRetries, timeoutMs, signal: userSignal } = settings;
  const aborted = () => new APIUserAbortError({ message: "request was aborted", cause: userSignal?.reason });
  return async (request) => {
    const secrets = secretsOf(request.headers);
    for (const secret of secrets) settings.secrets.add(secret);
    const idempotent = request.method === "GET" || request.method === "DELETE";
    for (let retry = 0; ; retry++) {
      const retryable = idempotent && retry < maxRetries;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      let response: Response | undefined;
      try {
        const signal = userSignal ? AbortSignal.any([userSignal, timeout.signal]) : timeout.signal;
        response = await fetchFollowingRedirects(settings.fetch, request, signal);
      } catch (cause) {
        if (userSignal?.aborted) throw aborted();
        if (cause instanceof MakeprintableError) throw cause;
        if (!retryable) {
          const where = withoutQuery(request.url);
          throw timeout.signal.aborted
            ? new APIConnectionTimeoutError({
                message: `no response from ${where} within ${timeoutMs} ms: raise timeoutMs (per client or per request) or check the server`,
              })
            : new APIConnectionError({
                message: `could not reach ${where} (${redact(reasonOf(cause), secrets)}): ${CONNECTION_FIX}`,
                cause: safeCause(cause, secrets),
              });
        }
      } finally {
        clearTimeout(timer);
      }
      if (response && (!retryable || !(response.status === 408 || response.status === 429 || response.status >= 500))) {
        if (response.body) bodyDeadline(timeout, withoutQuery(request.url), timeoutMs);
        return response;
      }
      // Free the connection before waiting.
      await response?.body?.cancel().catch(() => undefined);
      const ms = (response && retryAfterMs(response.headers)) ?? backoffMs(retry, settings.random);
      // The caller's abort ends the wait between attempts.
      const signal = userSignal ?? new AbortController().signal;
      if (
        !(await settings.sleep(ms, signal).then(
          () => !signal.aborted,
          () => false,
        ))
      )
        throw aborted();
    }
  };
}
