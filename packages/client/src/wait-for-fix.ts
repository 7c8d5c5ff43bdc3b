import { APIUserAbortError } from "./api-error.js";
import type { MakeprintableClient } from "./create-client.js";
import { MakeprintableError } from "./errors.js";
import type { components } from "./generated/schema.js";
import { checkCount, sleep as defaultSleep, type Sleep } from "./retry.js";
import { unwrap } from "./unwrap.js";

/** A repair, as `GET /fixes/{id}` returns it (fields beyond `status` and `progress` are not published). */
export type Fix = components["schemas"]["Fix"];

/** Options of {@link waitForFix}. */
export interface WaitForFixOptions {
  /** Stops the wait (and the request in flight) with an `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** The first pause between polls, in ms; each next one is 1.5 times longer. Default: 1000. */
  intervalMs?: number | undefined;
  /** The longest pause between polls, in ms. Default: 15 000. */
  maxIntervalMs?: number | undefined;
  /** How long to wait in all, in ms, before a `FixTimeoutError`. Default: 600 000 (ten minutes). */
  timeoutMs?: number | undefined;
  /** Decides when the repair is done. Default: {@link isFixDone}. */
  isDone?: ((fix: Fix) => boolean) | undefined;
  /** Waits between polls; inject one in tests. Default: a cancellable `setTimeout`. */
  sleep?: Sleep | undefined;
  /** The clock, in ms, for `timeoutMs`. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** The repair was not done within `timeoutMs`. `fix` is the last state seen. */
export class FixTimeoutError extends MakeprintableError {
  static override readonly code = "MKP_FIX_TIMEOUT";
  /** The fix as the last poll returned it. */
  readonly fix: Fix;

  constructor(id: number, timeoutMs: number, fix: Fix) {
    super(`fix ${id} was not done after ${timeoutMs} ms (last status: ${JSON.stringify(fix.status ?? null)})`);
    this.fix = fix;
  }
}

/**
 * The default "done" test of {@link waitForFix}. The API does not publish its fix status values, so
 * this is the sandbox's reading: `status` is `"done"` (any case) or `progress` is at least 100.
 * Pass `isDone` to `waitForFix` when the real API says otherwise.
 */
export function isFixDone(fix: Pick<Fix, "status" | "progress">): boolean {
  return (typeof fix.status === "string" && fix.status.toLowerCase() === "done") || Number(fix.progress) >= 100;
}

const NEVER = new AbortController().signal;

/**
 * Polls `GET /fixes/{id}` until the repair is done (see {@link isFixDone}) and returns the fix.
 * Pauses grow from `intervalMs` by 1.5× up to `maxIntervalMs`; the last poll happens at the
 * deadline. Each poll is a GET, so the client's retries and timeout apply to it.
 *
 * @example
 * const fix = await waitForFix(client, 17, { signal: AbortSignal.timeout(300_000) });
 * @throws {FixTimeoutError} when it is not done within `timeoutMs`.
 * @throws {APIUserAbortError} when `signal` aborts.
 * @throws {APIError} when a poll gets an error response (`NotFoundError` for an unknown id …).
 */
export async function waitForFix(client: MakeprintableClient, id: number, options: WaitForFixOptions = {}): Promise<Fix> {
  const { signal = NEVER, isDone = isFixDone, sleep = defaultSleep, now = Date.now } = options;
  const intervalMs = checkCount(options.intervalMs ?? 1000, "intervalMs", 0);
  const maxIntervalMs = checkCount(options.maxIntervalMs ?? 15_000, "maxIntervalMs", 0);
  const timeoutMs = checkCount(options.timeoutMs ?? 600_000, "timeoutMs", 0);
  const deadline = now() + timeoutMs;
  for (let poll = 0; ; poll++) {
    if (signal.aborted) throw new APIUserAbortError({ message: "request was aborted", cause: signal.reason });
    const fix: Fix = await unwrap(client.GET("/fixes/{id}", { params: { path: { id } }, ...(options.signal ? { signal } : {}) }));
    if (isDone(fix)) return fix;
    const remaining = deadline - now();
    if (remaining <= 0) throw new FixTimeoutError(id, timeoutMs, fix);
    try {
      await sleep(Math.min(intervalMs * 1.5 ** poll, maxIntervalMs, remaining), signal);
    } catch (cause) {
      throw new APIUserAbortError({ message: "request was aborted", cause });
    }
  }
}
