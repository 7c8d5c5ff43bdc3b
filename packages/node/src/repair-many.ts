import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  fixesOf,
  RedirectRefusedError,
  unwrap,
  uploadItem,
  type MakeprintableClient,
  type Sleep,
} from "@mkp/client";
import { backoffMs, retryAfterMs } from "@mkp/client/internal";
import { mkdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { DownloadError, FixFailedError, RepairJournalError, WaitInterruptedError } from "./errors.js";
import { RepairJournal, type JournalEntry } from "./repair-journal.js";
import {
  checkOutput,
  downloadFix,
  isFixFailed,
  isUrl,
  repairedFileName,
  sourceFileName,
  startFix,
  uploadSource,
  type FixOptions,
  type RepairProgressOptions,
} from "./repair-model.js";

/** One model of a batch: a path or an http(s) URL, or one with the path its repaired file goes to. */
export type BatchModel = string | { source: string; output?: string | undefined };

/** What {@link repairMany} did with one model. */
export interface ModelResult {
  /** The source as given. */
  source: string;
  /** The absolute path of the repaired file. */
  output: string;
  /**
   * `repaired` in this run; `skipped` when the journal says an earlier run repaired it (or it came
   * twice); `failed` (see `error`); `stopped` by the signal, to be picked up by a re-run.
   */
  status: "repaired" | "skipped" | "failed" | "stopped";
  itemId?: number | undefined;
  fixId?: number | undefined;
  /** The size of the repaired file. */
  bytes?: number | undefined;
  /** Why it failed or stopped. */
  error?: Error | undefined;
  /** How many requests of this model were tried again (after a 429, a 5xx, a lost connection …). */
  retries: number;
}

/** Where a model is, for a live view. */
export type BatchStage = "uploading" | "repairing" | "downloading";

/** Options of {@link repairMany}. */
export interface RepairManyOptions {
  /** How many models are under way at once, 1–64. Default: 8. */
  concurrency?: number | undefined;
  /** The journal file (created when missing): with it a re-run skips, follows and retries instead of starting over. */
  journal?: string | undefined;
  /** The directory repaired files go to (created when missing). Default: beside each source file; URLs' in `cwd`. */
  outDir?: string | undefined;
  /** Replace existing output files. Default: false (such a model fails before it is uploaded). */
  overwrite?: boolean | undefined;
  /** How to repair each model (`name` defaults to each file's name). */
  fix?: FixOptions | undefined;
  /** The directory relative paths start from. Default: `process.cwd()`. */
  cwd?: string | undefined;
  /** Stops everything at once: models under way end `stopped` (their repairs go on; a re-run follows them). */
  signal?: AbortSignal | undefined;
  /** Starts no new model once aborted; those under way finish. */
  stopStarting?: AbortSignal | undefined;
  /** How many times one request of a model is tried after a 5xx, a 408 or a lost connection before the model fails. Default: 5. */
  maxAttempts?: number | undefined;
  /**
   * How long, in ms, one request of a model may keep getting 429s before the model fails. Each 429
   * pauses every model for its `Retry-After` and is never counted as a failure. Default: 600 000 (ten minutes).
   */
  rateLimitTimeoutMs?: number | undefined;
  /** How to poll each repair (`waitForFix`'s pauses and timeout). */
  wait?: Omit<NonNullable<RepairProgressOptions["wait"]>, "sleep"> | undefined;
  /** Called as each model enters a stage. */
  onStage?: ((source: string, stage: BatchStage) => void) | undefined;
  /** Waits; inject one in tests. Default: a timer the signal cancels. */
  sleep?: Sleep | undefined;
  /** The jitter's random source, in [0, 1). Default: `Math.random`. */
  random?: (() => number) | undefined;
  /** The clock, in ms, for the shared pause and `rateLimitTimeoutMs`. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** How long one request may keep getting 429s, by default, before its model fails: ten minutes. */
const RATE_LIMIT_TIMEOUT_MS = 600_000;

/**
 * The pace the API sets for one batch. A 429 pauses every model until its `Retry-After`; while the
 * API is limiting the batch (a pause ahead, or requests queued behind one), requests go one at a
 * time, each after the answer to the one before, so the batch asks at the pace the API answers
 * instead of sending every waiting request the moment a pause ends (which would earn a 429 for all
 * but one). Once no request is waiting and no pause is ahead, requests go at once again.
 */
class Pacing {
  #until = 0;
  #waiting = 0;
  // Settles when the request queued last has its answer.
  #last: Promise<void> = Promise.resolve();
  constructor(
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {}

  /** Holds every next request back for `ms` (a 429's Retry-After). */
  pause(ms: number): void {
    this.#until = Math.max(this.#until, this.now() + ms);
  }

  /** Waits for this request's turn; call the function it returns once the request has its answer. */
  async turn(signal: AbortSignal): Promise<() => void> {
    if (this.#waiting === 0 && this.#until <= this.now()) return () => {};
    const before = this.#last;
    let answered!: () => void;
    this.#last = new Promise((resolve) => {
      answered = resolve;
    });
    this.#waiting++;
    const done = () => {
      this.#waiting--;
      answered();
    };
    try {
      await before;
      for (let wait = this.#until - this.now(); wait > 0; wait = this.#until - this.now()) await this.sleep(wait, signal);
    } catch (error) {
      done();
      throw error;
    }
    return done;
  }
}

/**
 * The caller's client, with each API request of the batch taking its turn in the batch's pacing,
 * and a 429 pausing the pacing. The client does not retry (its retries would wait on their own,
 * outside the shared pause): `attempt` does, and the next try waits its turn.
 */
function pacedClient(client: MakeprintableClient, pacing: Pacing, signal: AbortSignal, random: () => number): MakeprintableClient {
  const paced =
    (call: (path: string, init?: object) => Promise<{ response: Response }>) =>
    async (path: string, init: object = {}) => {
      const done = await pacing.turn(signal);
      try {
        const result = await call(path, { ...init, maxRetries: 0 });
        // A 429 without a usable Retry-After pauses as long as the client's first backoff.
        if (result.response.status === 429) pacing.pause(retryAfterMs(result.response.headers) ?? backoffMs(0, random));
        return result;
      } finally {
        done();
      }
    };
  type Call = Parameters<typeof paced>[0];
  return { ...client, GET: paced(client.GET as Call), POST: paced(client.POST as Call) } as MakeprintableClient;
}

// What the client retries for GETs (408, 429, 5xx, no connection), and a download that may work later.
function isRetryable(error: unknown): boolean {
  if (error instanceof DownloadError) return error.retryable;
  if (!(error instanceof APIError) || error instanceof APIUserAbortError || error instanceof RedirectRefusedError) return false;
  const { status } = error;
  return status === undefined ? error instanceof APIConnectionError : status === 408 || status === 429 || status >= 500;
}

/** The journal's key of a source: an absolute path, or the URL as parsed. */
function keyOf(source: string, cwd: string): string {
  if (!isUrl(source)) return resolve(cwd, source);
  return URL.canParse(source) ? new URL(source).href : source;
}

/** The output of a model the caller gave none for: `<name>.fixed.<ext>` in `outDir`, else beside the file (a URL's in `cwd`). */
function defaultOutput(source: string, cwd: string, outDir: string | undefined): string {
  const name = repairedFileName(sourceFileName(source));
  if (outDir !== undefined) return join(resolve(cwd, outDir), name);
  return isUrl(source) ? join(cwd, name) : join(dirname(resolve(cwd, source)), name);
}

const isFile = (path: string) =>
  stat(path).then(
    (found) => (found.isFile() ? found.size : undefined),
    () => undefined,
  );

/**
 * Repairs many models, `concurrency` at a time, and yields each one's {@link ModelResult} as it
 * ends. The list is read as it goes (an array, a generator, a directory walk), and no file is held
 * in memory, so a batch of any size runs in the same memory. A model that fails never stops the
 * others; a request that meets a 429, a 5xx or a lost connection is tried again (`maxAttempts`),
 * and a 429's `Retry-After` pauses every model. With a `journal`, each model's item id, fix id and
 * outcome are on disk as soon as they are known; a re-run with the same journal skips the models
 * repaired, follows the repairs under way instead of uploading again, and retries the failures
 * from where they failed.
 *
 * @example
 * for await (const result of repairMany(client, ["a.stl", "b.obj"], { journal: "repair-journal.json" })) {
 *   console.log(result.source, result.status, result.error?.message ?? "");
 * }
 * @throws {RepairJournalError} when the journal cannot be read or written (the batch stops: it could not be resumed).
 */
export async function* repairMany(
  client: MakeprintableClient,
  models: Iterable<BatchModel> | AsyncIterable<BatchModel>,
  options: RepairManyOptions = {},
): AsyncGenerator<ModelResult, void, undefined> {
  if (typeof models === "string") throw new TypeError("repairMany takes a list of models: repairMany(client, [source])");
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new RangeError("concurrency must be an integer from 1 to 64");
  const { rateLimitTimeoutMs = RATE_LIMIT_TIMEOUT_MS } = options;
  if (!Number.isInteger(rateLimitTimeoutMs) || rateLimitTimeoutMs < 0) throw new RangeError("rateLimitTimeoutMs must be a whole number of ms, 0 or more");
  const cwd = options.cwd ?? process.cwd();
  const journal = options.journal === undefined ? undefined : await RepairJournal.open(resolve(cwd, options.journal));
  // Ends the models under way when the caller stops reading (or the batch fails), as well as on `signal`.
  const ended = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, ended.signal]) : ended.signal;
  const batch = batchOf(client, { ...options, cwd, rateLimitTimeoutMs }, journal, signal);
  const iterator = (async function* () {
    yield* models;
  })();
  const inFlight = new Map<number, Promise<{ id: number; result: ModelResult }>>();
  let started = 0;
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && inFlight.size < concurrency && !signal.aborted && !options.stopStarting?.aborted) {
      const next = await iterator.next();
      if (next.done) exhausted = true;
      else {
        const id = started++;
        inFlight.set(
          id,
          repairOne(batch, next.value).then((result) => ({ id, result })),
        );
      }
    }
  };
  try {
    await fill();
    while (inFlight.size > 0) {
      const { id, result } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      yield result;
      await fill();
    }
    await journal?.flush();
  } finally {
    ended.abort();
    await Promise.allSettled(inFlight.values());
    await iterator.return(undefined);
  }
}

/** What every model of one batch shares. */
interface Batch {
  /** The caller's client, paced (see {@link pacedClient}). */
  client: MakeprintableClient;
  /** The caller's options, with the working folder and the rate-limit timeout settled. */
  options: RepairManyOptions & { cwd: string; rateLimitTimeoutMs: number };
  journal: RepairJournal | undefined;
  /** Stops the models under way. */
  signal: AbortSignal;
  sleep: Sleep;
  now: () => number;
  /** The jitter's random source. */
  random: () => number;
  /** How to poll: the caller's pauses, on the batch's timer. */
  wait: NonNullable<RepairProgressOptions["wait"]>;
  /** The sources of this run, so one given twice is repaired once. */
  seen: Set<string>;
}

function batchOf(client: MakeprintableClient, options: Batch["options"], journal: RepairJournal | undefined, signal: AbortSignal): Batch {
  const sleep: Sleep = options.sleep ?? ((ms, abort) => delay(ms, undefined, { signal: abort }));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const paced = pacedClient(client, new Pacing(now, sleep), signal, random);
  return { client: paced, options, journal, signal, sleep, now, random, wait: { ...options.wait, sleep }, seen: new Set() };
}

const isRateLimited = (error: unknown) => error instanceof APIError && error.status === 429;

/**
 * Runs one step of a model until it succeeds, fails for good, or the signal stops it; counts the
 * retries. A 429 is the API setting the pace, not a failure: the paced client has paused the batch,
 * and the step is tried again in its turn, for up to `rateLimitTimeoutMs`. Other failures the
 * client would retry are tried `maxAttempts` times in all, after a backoff.
 */
async function attempt<T>(batch: Batch, step: () => Promise<T>, count: { retries: number }): Promise<T> {
  const { signal, options, now } = batch;
  let limitedSince: number | undefined;
  for (let failures = 0; ; count.retries++) {
    try {
      return await step();
    } catch (thrown) {
      // A wait that lost the API says why: the 429, the 5xx or the lost connection.
      const error = thrown instanceof WaitInterruptedError ? thrown.cause : thrown;
      if (signal.aborted || !isRetryable(error)) throw thrown;
      if (isRateLimited(error)) {
        limitedSince ??= now();
        if (now() - limitedSince < options.rateLimitTimeoutMs) continue;
        throw thrown;
      }
      if (++failures >= (options.maxAttempts ?? 5)) throw thrown;
      await batch.sleep(backoffMs(failures - 1, batch.random), signal);
    }
  }
}

// The fix an earlier attempt started for the item, if its answer was lost (a killed process, a 5xx after the fact).
async function fixStartedFor(batch: Batch, itemId: number): Promise<number | undefined> {
  const fixes = fixesOf(await unwrap(batch.client.GET("/fixes", { signal: batch.signal })));
  return fixes.find((fix) => fix.item_id === itemId && !isFixFailed(fix))?.id;
}

/** Takes one model through upload, repair and download, each step journalled; resolves with its result, never rejects but for the journal. */
async function repairOne(batch: Batch, model: BatchModel): Promise<ModelResult> {
  const { client, options, journal, signal } = batch;
  const { cwd, overwrite = false } = options;
  const { source, output: givenOutput } = typeof model === "string" ? { source: model, output: undefined } : model;
  const key = keyOf(source, cwd);
  const recorded = journal?.get(key);
  const count = { retries: 0 };
  // A model recorded with an item keeps the output it was checked against.
  const output = recorded?.itemId !== undefined ? recorded.output : resolve(cwd, givenOutput ?? defaultOutput(source, cwd, options.outDir));
  const ids = { itemId: recorded?.itemId, fixId: recorded?.fixFailed ? undefined : recorded?.fixId };
  const result = (status: ModelResult["status"], more: Partial<ModelResult> = {}): ModelResult => ({
    source,
    output,
    status,
    ...ids,
    retries: count.retries,
    ...more,
  });
  if (batch.seen.has(key)) return result("skipped");
  batch.seen.add(key);
  if (recorded?.stage === "done") return result("skipped", { bytes: recorded.bytes });
  const record = (entry: Omit<JournalEntry, "output">) => journal?.record(key, { output, ...entry });
  try {
    if (ids.itemId === undefined) {
      const { upload } = await uploadSource(source, cwd);
      await mkdir(dirname(output), { recursive: true });
      await checkOutput(output, overwrite);
      options.onStage?.(source, "uploading");
      ids.itemId = (await attempt(batch, () => unwrap(uploadItem(client, upload, { signal })), count)).id;
      await record({ stage: "uploaded", itemId: ids.itemId });
    }
    const itemId = ids.itemId;
    if (ids.fixId === undefined) {
      // An earlier run, or an attempt that got a 5xx or lost its connection, may have started the
      // repair; one that got a 429 did not (the API refused it before acting).
      let maybeSent = recorded?.itemId !== undefined && recorded.fixId === undefined;
      ids.fixId = await attempt(
        batch,
        async () => {
          const found = maybeSent ? await fixStartedFor(batch, itemId) : undefined;
          try {
            return found ?? (await startFix(client, itemId, sourceFileName(source), options.fix, signal)).id;
          } catch (error) {
            maybeSent = !isRateLimited(error);
            throw error;
          }
        },
        count,
      );
      await record({ stage: "repairing", itemId, fixId: ids.fixId });
    }
    const fixId = ids.fixId;
    options.onStage?.(source, "repairing");
    // A repaired file in place for a repair the journal has under way was written by a run killed before it could record it.
    let bytes = recorded?.stage === "repairing" && recorded.fixId === fixId && !overwrite ? await isFile(output) : undefined;
    if (bytes === undefined) {
      const onStage = (stage: string) => stage === "downloading" && options.onStage?.(source, "downloading");
      bytes = (await attempt(batch, () => downloadFix(client, fixId, { signal, wait: batch.wait, onStage, output, overwrite }), count)).bytes;
    }
    await record({ stage: "done", itemId, fixId, bytes });
    return result("repaired", { bytes });
  } catch (error) {
    if (error instanceof RepairJournalError) throw error;
    const reason = error instanceof Error ? error : new Error(String(error));
    // Stopped: the journal keeps the last step, and a re-run goes on from there.
    if (signal.aborted) return result("stopped", { error: reason });
    const fixFailed = error instanceof FixFailedError;
    await record({ stage: "failed", ...ids, error: { code: codeOf(reason), message: reason.message }, fixFailed });
    return result("failed", { error: reason });
  }
}

/** An error's stable code: a Makeprintable error's (`MKP_…`), a file system's (`ENOENT` …), else its name. */
const codeOf = (error: Error): string => String((error as { code?: unknown }).code ?? error.name);
