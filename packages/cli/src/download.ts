import { randomUUID } from "node:crypto";
import { constants, createWriteStream } from "node:fs";
import { copyFile, link, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { CliError } from "./errors.js";

/** `part.stl` → `part.fixed.stl`; `part` → `part.fixed`. */
export function repairedName(fileName: string): string {
  const extension = extname(fileName);
  return `${basename(fileName, extension)}.fixed${extension}`;
}

/**
 * Where the repaired file goes: `--out` (a file, or a directory to put the default name in), else
 * the default name in `directory`. Refuses an existing file unless `force`, before anything is sent.
 */
export async function outputPath(out: string | undefined, directory: string, inputName: string, cwd: string, force: boolean): Promise<string> {
  let path = out === undefined ? join(directory, repairedName(inputName)) : resolve(cwd, out);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) path = join(path, repairedName(inputName));
  if (!force && (await stat(path).catch(() => undefined))) {
    throw new CliError(`${path} exists: pass --force to overwrite it, or --out to write elsewhere`);
  }
  return path;
}

/**
 * Downloads `url` to `path`: into a temporary file beside it, then moved in place (renamed over it
 * with `force`, else linked, which fails rather than overwrite a file that appeared meanwhile).
 * No credential is sent: download links are capability URLs, possibly on another host.
 * @returns the number of bytes written.
 */
export async function download(url: string, path: string, options: { force: boolean; signal?: AbortSignal | undefined; resume: string }): Promise<number> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new CliError(`the API gave a download link that is not a URL: ${options.resume}`);
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") throw new CliError(`the API gave a download link that is not http(s): ${options.resume}`);
  let response: Response;
  try {
    response = await fetch(target, { signal: options.signal ?? null });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new CliError(`cannot download the repaired file from ${target.origin} (${(error as Error).message}): ${options.resume}`);
  }
  if (!response.ok || !response.body) throw new CliError(`the download answered ${response.status}: ${options.resume}`);
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.part`);
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(temporary, { flags: "wx", mode: 0o644 }), options.signal ? { signal: options.signal } : {});
    const { size } = await stat(temporary);
    if (options.force) {
      await rename(temporary, path);
    } else {
      // A file system without hard links gets an exclusive copy instead: it still never overwrites.
      await link(temporary, path)
        .catch((error: NodeJS.ErrnoException) => (error.code === "EPERM" || error.code === "ENOTSUP" ? copyFile(temporary, path, constants.COPYFILE_EXCL) : Promise.reject(error)))
        .catch((error: NodeJS.ErrnoException) => {
          throw error.code === "EEXIST" ? new CliError(`${path} appeared meanwhile: pass --force to overwrite it, or --out to write elsewhere`) : error;
        });
    }
    return size;
  } finally {
    await rm(temporary, { force: true });
  }
}
