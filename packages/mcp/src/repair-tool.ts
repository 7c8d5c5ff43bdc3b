import type { Fix, MakeprintableClient } from "@mkp/client";
import { checkSource, OutputExistsError, repairModel, RepairInputError, sourceFileName, type FixOptions } from "@mkp/node";
import { stat } from "node:fs/promises";
import type { OperationAnswer } from "./call-operation.js";
import { InputError, type FileFence } from "./fence.js";

/** A progress notification's content: how far (0–100 over the whole repair) and what is happening. */
export type ProgressReport = (progress: number, message: string) => Promise<void>;

/**
 * The files `repair_model` wrote since the server started, by real path, with the identity (device
 * and inode) each had then: a file replaced since, by the person or anyone, is no longer ours.
 * One per server, never shared between servers.
 */
export class WrittenFiles {
  readonly #written = new Map<string, string>();

  async remember(path: string): Promise<void> {
    const { dev, ino } = await stat(path);
    this.#written.set(path, `${dev}:${ino}`);
  }

  async wrote(path: string): Promise<boolean> {
    const found = await stat(path).catch(() => undefined);
    return found !== undefined && this.#written.get(path) === `${found.dev}:${found.ino}`;
  }
}

/** A check of `@mkp/node` that refused an input: the same refusal, named by field, for the model to correct. */
function asInputError(error: unknown): never {
  throw error instanceof RepairInputError ? new InputError(error.field, error.message) : error;
}

/** What `repair_model` may do beyond its arguments: the person's choices, and the files it wrote. */
export interface RepairContext {
  fence: FileFence;
  written: WrittenFiles;
  /** The person allowed replacing any file inside the fence (`--allow-overwrite`), not only the server's own. */
  allowOverwrite: boolean;
  signal: AbortSignal;
  report: ProgressReport | undefined;
}

/**
 * `repair_model`: `source` (a path inside the fence, or an http(s) URL the API fetches) and
 * `output` (a path inside the fence) are checked, then `repairModel` from `@mkp/node` uploads,
 * repairs, waits and writes the repaired file. An existing output is replaced only with
 * `overwrite` and only when this server wrote it, unless the person allowed more. Progress runs
 * 0 (uploading) → 1–99 (the fix's own 0–100 %) → 100 (downloading).
 * @throws {InputError} for a refused path or output, before any request.
 */
export async function repairTool(client: MakeprintableClient, args: Record<string, unknown>, context: RepairContext): Promise<OperationAnswer> {
  const { source, output, overwrite, ...fix } = args as { source: string; output: string; overwrite?: boolean } & FixOptions;
  const { fence, written, report } = context;
  // A URL of any scheme is the API's to fetch (checkSource refuses all but http(s)); a path must pass the fence.
  const from = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : await fence.readable("source", source);
  await checkSource(from).catch(asInputError);
  const to = await fence.writable("output", output);
  if (overwrite && !context.allowOverwrite && (await stat(to).catch(() => undefined)) && !(await written.wrote(to)))
    throw new InputError(
      "output",
      `${output} exists and this server did not write it: choose another output (the person can let the server replace files with --allow-overwrite)`,
    );
  const name = sourceFileName(source);
  // Progress notifications must grow: only a larger value is sent.
  let sent = -1;
  const progress = (value: number, message: string) => {
    if (!report || value <= sent) return;
    sent = value;
    void report(value, message).catch(() => {});
  };
  try {
    const result = await repairModel(
      client,
      { source: from, output: to, overwrite: overwrite ?? false, fix },
      {
        signal: context.signal,
        // An agent waits minutes at most: poll at least every 5 s so its progress moves.
        wait: { maxIntervalMs: 5000 },
        onStage: (stage) => {
          if (stage === "uploading") progress(0, `uploading ${name}`);
          if (stage === "downloading") progress(100, "downloading the repaired file");
        },
        onProgress: (polled: Fix) => {
          const percent = Math.max(0, Math.min(100, Number(polled.progress) || 0));
          progress(1 + Math.floor(percent * 0.98), `fix ${polled.id}: ${percent}%`);
        },
      },
    );
    await written.remember(result.output);
    return {
      structured: { item: result.item, fix: result.fix, output: result.output, bytes: result.bytes },
      summary: `Repaired ${name} → ${result.output} (fix ${result.fix.id}, ${result.bytes} bytes); the item, the fix and its download link follow as JSON.`,
    };
  } catch (error) {
    if (error instanceof OutputExistsError) {
      const replaceable = context.allowOverwrite || (await written.wrote(to));
      throw new InputError("output", `${output} exists: ${replaceable ? "pass overwrite: true to replace it, or choose" : "choose"} another output`);
    }
    return asInputError(error);
  }
}
