import {
  APIConnectionError,
  APIUserAbortError,
  InternalServerError,
  RateLimitError,
  isFixDone,
  unwrap,
  uploadItem,
  waitForFix,
  type components,
  type Fix,
  type Item,
  type ItemUploadInput,
  type MakeprintableClient,
  type WaitForFixOptions,
} from "@mkp/client";
import { mayCarryCredential } from "@mkp/client/internal";
import { randomUUID } from "node:crypto";
import { constants, createWriteStream, openAsBlob } from "node:fs";
import { copyFile, link, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { DownloadError, FixFailedError, OutputExistsError, RepairInputError, RepairStoppedError, WaitInterruptedError } from "./errors.js";

type FixRequest = components["schemas"]["FixRequest"];
/** How to repair: the fields of `POST /fixes` besides the item (name, print quality, wall thickness, optimisation); undefined ones are left out. */
export type FixOptions = { [K in Exclude<keyof FixRequest, "item_id">]?: FixRequest[K] | undefined };

/** What the repair reports while it goes: each fix a poll returned. */
export interface RepairProgressOptions {
  /** Stops the wait or the download (a {@link RepairStoppedError}); the repair itself goes on. */
  signal?: AbortSignal | undefined;
  /** Called with the fix each poll returns (status, progress). */
  onProgress?: ((fix: Fix) => void) | undefined;
  /** Called as each stage starts. */
  onStage?: ((stage: "uploading" | "repairing" | "downloading") => void) | undefined;
  /** How to poll: `waitForFix`'s pauses, timeout and the wait between polls. */
  wait?: Pick<WaitForFixOptions, "intervalMs" | "maxIntervalMs" | "timeoutMs" | "sleep"> | undefined;
}

/** The input of {@link repairModel}. */
export interface RepairModelInput {
  /** A local 3D file (or a zip holding one), relative to `cwd`, or an http(s) URL Makeprintable downloads. */
  source: string;
  /** Where to write the repaired file, relative to `cwd`. Its directory must exist. */
  output: string;
  /** Replace `output` if it exists. Default: false (refused before anything is sent). */
  overwrite?: boolean | undefined;
  /** How to repair. `name` defaults to the source's file name without its extension. */
  fix?: FixOptions | undefined;
  /** The directory relative paths start from. Default: `process.cwd()`. */
  cwd?: string | undefined;
}

/** What {@link repairModel} did. */
export interface RepairResult {
  item: Item;
  fix: Fix;
  /** The absolute path of the repaired file. */
  output: string;
  /** Its size in bytes. */
  bytes: number;
}

/** `part.stl` → `part.fixed.stl`; `part` → `part.fixed`: the default name of a repaired file. */
export function repairedFileName(fileName: string): string {
  const extension = extname(fileName);
  return `${basename(fileName, extension)}.fixed${extension}`;
}

/**
 * Whether a fix ended without a repaired file: its status is `failed` or `error` (any case). The API
 * does not publish its status values; these are the sandbox's.
 */
export const isFixFailed = (fix: Pick<Fix, "status">): boolean => typeof fix.status === "string" && /^(failed|error)$/i.test(fix.status);

/** Whether `source` is an http(s) URL (else a path). */
export const isUrl = (source: string) => /^https?:\/\//i.test(source);

/** The file name a source gives the item: a path's last part, or a URL path's. */
export function sourceFileName(source: string): string {
  if (!isUrl(source)) return basename(source);
  try {
    return basename(decodeURIComponent(new URL(source).pathname)) || "model";
  } catch {
    return "model";
  }
}

// The API publishes no list of the formats it repairs, so only what evidently is not a 3D model is
// refused before upload: text, documents, images, sound and video. Anything else is the API's call.
const NOT_A_MODEL = new Set(
  "txt text md log csv tsv json pdf doc docx odt rtf xls xlsx ods ppt pptx html htm jpg jpeg png gif bmp webp heic tif tiff svg mp3 wav ogg mp4 mov avi mkv exe dll".split(
    " ",
  ),
);

/**
 * Checks a source of {@link repairModel} without reading it: not empty, an http(s) URL or a path;
 * a path must be a regular file, not empty, whose extension does not show it is something else.
 * @returns the absolute path, or `undefined` for a URL.
 * @throws {RepairInputError} (`source`) naming what is wrong and the fix.
 */
export async function checkSource(source: string, cwd: string = process.cwd()): Promise<string | undefined> {
  if (source.trim() === "") throw new RepairInputError("source", "the source is empty: give a 3D file such as part.stl, or an http(s) URL");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1];
  if (scheme !== undefined && !isUrl(source)) {
    throw new RepairInputError(
      "source",
      `${scheme}:// URLs cannot be used: give an http(s) URL Makeprintable can download, or download the file and give its path`,
    );
  }
  if (isUrl(source)) {
    if (!URL.canParse(source)) throw new RepairInputError("source", `${source.slice(0, 200)} is not a valid URL`);
    return undefined;
  }
  const path = resolve(cwd, source);
  const found = await stat(path).catch(() => undefined);
  if (!found) throw new RepairInputError("source", `no such file: ${path}: check the path, or give an http(s) URL`);
  if (!found.isFile()) throw new RepairInputError("source", `${path} is not a regular file: give a 3D file such as part.stl (or a zip holding one)`);
  const extension = extname(path).slice(1).toLowerCase();
  if (NOT_A_MODEL.has(extension)) {
    throw new RepairInputError(
      "source",
      `${path} is a .${extension} file, not a 3D model: give the model itself, such as part.stl or part.obj (or a zip holding one)`,
    );
  }
  if (found.size === 0) throw new RepairInputError("source", `${path} is empty (0 bytes): give a 3D file with the model in it`);
  return path;
}

/**
 * Reads what `POST /items` uploads: a regular file (never a directory, a device or a FIFO), or an
 * http(s) URL for Makeprintable to download. The checks are {@link checkSource}'s.
 * @throws {RepairInputError} (`source`) naming the path and the fix.
 */
export async function uploadSource(source: string, cwd: string = process.cwd()): Promise<{ upload: ItemUploadInput; name: string }> {
  const path = await checkSource(source, cwd);
  if (path === undefined) return { upload: { fileUrl: new URL(source).href }, name: sourceFileName(source) };
  return { upload: { file: await openAsBlob(path), fileName: basename(path) }, name: basename(path) };
}

/**
 * Checks where a repaired file may go: not a directory or another non-regular file, in an existing
 * directory, and not an existing file unless `overwrite`.
 * @throws {OutputExistsError} when it exists and `overwrite` is not set.
 * @throws {RepairInputError} (`output`) otherwise.
 */
export async function checkOutput(path: string, overwrite: boolean): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new RepairInputError("output", `${path} is a directory: give a file path such as ${join(path, "part.fixed.stl")}`);
  if (existing && !existing.isFile()) throw new RepairInputError("output", `${path} is not a regular file`);
  if (existing && !overwrite) throw new OutputExistsError(path);
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new RepairInputError("output", `${dirname(path)} is not a directory: create it first, or write elsewhere`);
}

/** How long a download may take, headers and body, by default: 30 minutes. */
export const DOWNLOAD_TIMEOUT_MS = 30 * 60_000;
/** The largest repaired file downloaded by default: 2 GiB (the API publishes no size). */
export const DOWNLOAD_MAX_BYTES = 2 ** 31;
const MAX_REDIRECTS = 20;

/** What {@link downloadFile} takes besides the link and the path. */
export interface DownloadOptions {
  fixId: number;
  /** Replace `path` if it exists. Default: false. */
  overwrite?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** How long the whole download may take, in ms. Default: {@link DOWNLOAD_TIMEOUT_MS}. */
  timeoutMs?: number | undefined;
  /** The largest file accepted, in bytes. Default: {@link DOWNLOAD_MAX_BYTES}. */
  maxBytes?: number | undefined;
}

/**
 * Sends the download's GET, following redirects itself: each address must be https, or plain http
 * on this machine (the one transport rule), since a file fetched over plain http elsewhere could be
 * changed on the way. Nothing is sent to an address that fails the rule.
 */
async function openDownload(url: string, fixId: number, signal: AbortSignal): Promise<Response> {
  let target = new URL(url);
  for (let redirects = 0; ; redirects++) {
    if (!mayCarryCredential(target)) {
      const how = redirects === 0 ? "is" : "redirected to";
      throw new DownloadError(
        fixId,
        `the download link of fix ${fixId} ${how} plain http to ${target.hostname}: the file could be changed on the way, so it is not fetched`,
      );
    }
    const response = await fetch(target, { signal, redirect: "manual" });
    const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
    if (location === null || redirects === MAX_REDIRECTS) return response;
    await response.body?.cancel();
    target = new URL(location, target);
  }
}

/** Passes the bytes through, failing once more than `maxBytes` went by. */
function sizeCap(maxBytes: number, tooLarge: () => Error): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? tooLarge() : null, chunk);
    },
  });
}

/**
 * Downloads `url` to `path` without any credential (download links are capability URLs, possibly
 * on another host): into a temporary file beside it, then moved in place — renamed over it with
 * `overwrite`, else linked, which fails rather than replace a file that appeared meanwhile. The
 * whole download has a deadline (`timeoutMs`) and a size cap (`maxBytes`, checked against the
 * Content-Length before reading, and against the bytes as they arrive).
 * @returns the number of bytes written.
 */
export async function downloadFile(url: string, path: string, options: DownloadOptions): Promise<number> {
  const { fixId, signal, timeoutMs = DOWNLOAD_TIMEOUT_MS, maxBytes = DOWNLOAD_MAX_BYTES } = options;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new DownloadError(fixId, `fix ${fixId} gave a download link that is not an http(s) URL`);
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new DownloadError(fixId, `the download of fix ${fixId} did not finish within ${timeoutMs} ms (timeoutMs): try again, or raise timeoutMs`, {
          retryable: true,
        }),
      ),
    timeoutMs,
  );
  const both = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  const tooLarge = () =>
    new DownloadError(fixId, `the repaired file of fix ${fixId} is larger than ${maxBytes} bytes (maxBytes): raise maxBytes to download it`);
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.part`);
  try {
    let response: Response;
    try {
      response = await openDownload(url, fixId, both);
    } catch (error) {
      if (signal?.aborted || error instanceof DownloadError) throw error;
      if (deadline.signal.aborted) throw deadline.signal.reason;
      throw new DownloadError(fixId, `cannot download the repaired file of fix ${fixId} from ${new URL(url).origin} (${(error as Error).message})`, {
        retryable: true,
      });
    }
    if (!response.ok || !response.body) {
      const { status } = response;
      throw new DownloadError(fixId, `the download of fix ${fixId} answered ${status}`, {
        status,
        retryable: status === 408 || status === 429 || status >= 500,
      });
    }
    if (Number(response.headers.get("content-length")) > maxBytes) {
      await response.body.cancel();
      throw tooLarge();
    }
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      sizeCap(maxBytes, tooLarge),
      createWriteStream(temporary, { flags: "wx", mode: 0o644 }),
      { signal: both },
    ).catch((error: unknown) => {
      if (signal?.aborted || error instanceof DownloadError) throw error;
      if (deadline.signal.aborted) throw deadline.signal.reason;
      // A body that breaks off is a failed download the same link may still give; the file system's own errors stay as they are.
      if ((error as NodeJS.ErrnoException).syscall !== undefined) throw error;
      throw new DownloadError(fixId, `the download of fix ${fixId} broke off (${(error as Error).message})`, { retryable: true, cause: error });
    });
    const { size } = await stat(temporary);
    if (options.overwrite) {
      await rename(temporary, path);
    } else {
      // A file system without hard links gets an exclusive copy instead: it still never overwrites.
      await link(temporary, path)
        .catch((error: NodeJS.ErrnoException) =>
          error.code === "EPERM" || error.code === "ENOTSUP" ? copyFile(temporary, path, constants.COPYFILE_EXCL) : Promise.reject(error),
        )
        .catch((error: NodeJS.ErrnoException) => {
          throw error.code === "EEXIST" ? new OutputExistsError(path) : error;
        });
    }
    return size;
  } finally {
    clearTimeout(timer);
    await rm(temporary, { force: true });
  }
}

/**
 * Waits for a repair (each poll goes to `onProgress`) and downloads the repaired file to `output`:
 * how `mkp fixes get <id> --download` picks up a repair it stopped waiting for.
 * @throws {RepairStoppedError} when `signal` aborts.
 * @throws {WaitInterruptedError} when the wait loses the API (no answer, 429 or 5xx after the retries).
 * @throws {FixFailedError} when the repair ended failed.
 * @throws {DownloadError} when the fix has no usable download link or the download fails.
 * @throws {OutputExistsError} when `output` appeared meanwhile and `overwrite` is not set.
 * @throws {FixTimeoutError} and the `APIError`s of `waitForFix`.
 */
export async function downloadFix(
  client: MakeprintableClient,
  fixId: number,
  options: RepairProgressOptions & { output: string; overwrite?: boolean | undefined },
): Promise<{ fix: Fix; bytes: number }> {
  const { signal, onProgress, onStage } = options;
  const stopped = (error: unknown) => (error instanceof APIUserAbortError || signal?.aborted ? new RepairStoppedError(fixId, undefined) : error);
  // The repair goes on when the wait loses the API (no answer, or it keeps failing): say so, with the fix to pick up.
  const lost = (error: unknown) =>
    error instanceof APIConnectionError || error instanceof InternalServerError || error instanceof RateLimitError
      ? new WaitInterruptedError(fixId, error)
      : error;
  let fix: Fix;
  onStage?.("repairing");
  try {
    // waitForFix hands each polled fix to `isDone`: that is where the progress comes from.
    fix = await waitForFix(client, fixId, {
      ...options.wait,
      signal,
      isDone: (polled) => {
        onProgress?.(polled);
        return isFixDone(polled) || isFixFailed(polled);
      },
    });
  } catch (error) {
    throw lost(stopped(error));
  }
  if (isFixFailed(fix)) throw new FixFailedError(fixId, String(fix.status));
  if (typeof fix.download_url !== "string") throw new DownloadError(fixId, `fix ${fixId} is done but has no download link`);
  onStage?.("downloading");
  try {
    return { fix, bytes: await downloadFile(fix.download_url, options.output, { overwrite: options.overwrite, signal, fixId }) };
  } catch (error) {
    throw stopped(error);
  }
}

/**
 * Starts the repair of an uploaded item (`POST /fixes`): `name` without its extension names it
 * unless `fix.name` does; undefined fields are left out.
 */
export async function startFix(client: MakeprintableClient, itemId: number, name: string, fix: FixOptions = {}, signal?: AbortSignal): Promise<Fix> {
  const given = Object.fromEntries(Object.entries(fix).filter(([, value]) => value !== undefined)) as Omit<FixRequest, "item_id">;
  const body = { name: basename(name, extname(name)), ...given, item_id: itemId };
  return await unwrap(client.POST("/fixes", { body, ...(signal && { signal }) }));
}

/**
 * The main job on a machine: uploads a model (`POST /items`), starts its repair (`POST /fixes`),
 * waits for it and writes the repaired file. The source and the output are checked before
 * anything is sent; an existing output is never replaced without `overwrite`.
 *
 * @example
 * const { fix, output } = await repairModel(client, { source: "part.stl", output: "part.fixed.stl", fix: { print_quality: "high" } });
 * @throws {RepairInputError} (with `field`) for an unusable source or output, before any request.
 * @throws {RepairStoppedError} when `signal` aborts; with `fixId` once the repair started.
 * @throws the errors of {@link downloadFix} and the client's `APIError`s.
 */
export async function repairModel(client: MakeprintableClient, input: RepairModelInput, options: RepairProgressOptions = {}): Promise<RepairResult> {
  const cwd = input.cwd ?? process.cwd();
  const { upload, name } = await uploadSource(input.source, cwd);
  const output = resolve(cwd, input.output);
  await checkOutput(output, input.overwrite ?? false);
  const { signal } = options;
  let item: Item | undefined;
  let started: Fix;
  options.onStage?.("uploading");
  try {
    item = await unwrap(uploadItem(client, upload, signal ? { signal } : {}));
    started = await startFix(client, item.id, name, input.fix, signal);
  } catch (error) {
    if (error instanceof APIUserAbortError || signal?.aborted) throw new RepairStoppedError(undefined, item?.id);
    throw error;
  }
  const { fix, bytes } = await downloadFix(client, started.id, { ...options, output, overwrite: input.overwrite });
  return { item, fix, output, bytes };
}
