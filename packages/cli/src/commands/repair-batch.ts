import { adviceFor, isUrl, repairedFileName, repairMany, shellWord, type BatchModel, type FixOptions, type ModelResult } from "@mkp/node";
import { opendir, stat } from "node:fs/promises";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { CliError, EXIT } from "../errors.js";
import type { Run } from "../context.js";
import { printable } from "../output.js";
import { batchView } from "../batch-view.js";

/** The journal's name when `--journal` is not given: in `--out-dir`, else in the working directory. */
export const JOURNAL_NAME = "mkp-repair-journal.json";

// The files a folder holds that are taken as models: 3D formats Makeprintable reads, and zips.
const MODEL_EXTENSIONS = new Set(["stl", "obj", "3mf", "ply", "amf", "off", "wrl", "vrml", "x3d", "dae", "fbx", "gltf", "glb", "step", "stp", "zip"]);
// A repaired file (`part.fixed.stl`) is an output of an earlier run, never a model to repair.
const isModelFile = (name: string) => !name.startsWith(".") && !/\.fixed\.[^.]+$/.test(name) && MODEL_EXTENSIONS.has(extname(name).slice(1).toLowerCase());

/** What `mkp repair` takes in batch mode. */
export interface BatchOptions {
  concurrency: number;
  outDir?: string | undefined;
  journal?: string | undefined;
  force: boolean;
  json: boolean;
  fix: FixOptions;
  /** The flags that are repeated in the resume hint (`--quality high` …). */
  fixFlags: string[];
}

/** The models of a folder, depth first in name order, read one directory at a time; `skip` (the output folder) is not entered. */
async function* modelsIn(folder: string, skip: string | undefined): AsyncGenerator<string> {
  const entries: { name: string; folder: boolean }[] = [];
  for await (const entry of await opendir(folder)) {
    if (entry.isDirectory() && !entry.name.startsWith(".")) entries.push({ name: entry.name, folder: true });
    else if (entry.isFile() && isModelFile(entry.name)) entries.push({ name: entry.name, folder: false });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (!entry.folder) yield path;
    else if (path !== skip) yield* modelsIn(path, skip);
  }
}

/**
 * The models the arguments name, in order: files and URLs as given, folders walked. A model from a
 * folder keeps its place below that folder in `--out-dir`; elsewhere it goes beside its file.
 */
async function* modelsOf(run: Run, sources: readonly string[], outDir: string | undefined): AsyncGenerator<BatchModel> {
  for (const source of sources) {
    const path = isUrl(source) ? undefined : resolve(run.cwd, source);
    if (path === undefined || !(await stat(path).catch(() => undefined))?.isDirectory()) {
      yield source;
      continue;
    }
    for await (const file of modelsIn(path, outDir)) {
      // Shown and journalled as the folder was given, then the file's place below it.
      const name = relative(path, file);
      const model = join(source, name);
      yield outDir === undefined ? model : { source: model, output: join(outDir, dirname(name), repairedFileName(basename(name))) };
    }
  }
}

/** The command that picks the batch up where it stopped: the same models, the same journal and choices. */
export function resumeCommand(sources: readonly string[], options: BatchOptions, journal: string): string {
  const words = ["mkp", "repair", ...sources];
  if (options.outDir !== undefined) words.push("--out-dir", options.outDir);
  words.push("--journal", journal, "--concurrency", String(options.concurrency), ...options.fixFlags);
  if (options.force) words.push("--force");
  if (options.json) words.push("--json");
  return words.map(shellWord).join(" ");
}

/** One model's result as a `--json` line: the sandbox's and the API's ids, snake_case like the API. */
function jsonLine(result: ModelResult, reason: string | undefined) {
  const error = result.error && { code: String((result.error as { code?: unknown }).code ?? result.error.name), message: reason };
  return {
    type: "model",
    source: result.source,
    output: result.output,
    status: result.status,
    item_id: result.itemId ?? null,
    fix_id: result.fixId ?? null,
    bytes: result.bytes ?? null,
    retries: result.retries,
    ...(error && { error }),
  };
}

/**
 * `mkp repair a.stl b.obj models/`: many models through `repairMany`, with a live view (or plain
 * lines), a summary, and a journal so that the same command resumes. Ctrl-C (`run.signal`) starts no
 * new model and waits for those under way; a second Ctrl-C leaves at once (the bin exits).
 * @throws {CliError} (exit 1) when a model failed, (exit 130) when Ctrl-C left models undone: both say how to resume.
 */
export async function repairBatch(run: Run, sources: readonly string[], options: BatchOptions): Promise<void> {
  const outDir = options.outDir === undefined ? undefined : resolve(run.cwd, options.outDir);
  const journal = resolve(run.cwd, options.journal ?? join(outDir ?? run.cwd, JOURNAL_NAME));
  let total = 0;
  for await (const _ of modelsOf(run, sources, outDir)) total++;
  if (total === 0)
    throw new CliError(
      `no models found in ${sources.map(printable).join(", ")}: give 3D files (${[...MODEL_EXTENSIONS].slice(0, 4).join(", ")} …) or folders holding them`,
      EXIT.usage,
    );
  const { client } = await run.client();
  const resume = resumeCommand(sources, options, journal);
  const view = batchView(run, total, options.json);
  const failures: { source: string; reason: string }[] = [];
  const counts = { repaired: 0, skipped: 0, failed: 0, stopped: 0 };
  const onInterrupt = () =>
    view.note(
      `Stopping: no new uploads; waiting for the models under way. Press Ctrl-C again to leave now (their repairs go on at Makeprintable).\nTo resume: ${resume}`,
    );
  run.signal?.addEventListener("abort", onInterrupt, { once: true });
  try {
    for await (const result of repairMany(client, modelsOf(run, sources, outDir), {
      concurrency: options.concurrency,
      journal,
      overwrite: options.force,
      fix: options.fix,
      cwd: run.cwd,
      stopStarting: run.signal,
      wait: { maxIntervalMs: 2000 },
      onStage: (source, stage) => view.stage(source, stage),
    })) {
      counts[result.status]++;
      const reason = result.error && adviceFor(result.error, { ...run.adviceContext(), surface: "mkp" }).message;
      if (result.status === "failed") failures.push({ source: result.source, reason: reason ?? "" });
      if (options.json) run.out(JSON.stringify(jsonLine(result, reason)));
      view.ended(result, reason);
    }
  } finally {
    run.signal?.removeEventListener("abort", onInterrupt);
    view.stop();
  }
  const stopped = total - counts.repaired - counts.skipped - counts.failed;
  const summary = { ...counts, stopped, total, seconds: view.seconds(), journal };
  if (options.json) run.out(JSON.stringify({ type: "summary", ...summary, failures }));
  else {
    run.out(
      `${counts.repaired} repaired, ${counts.skipped} already done, ${counts.failed} failed${stopped ? `, ${stopped} not started or stopped` : ""} of ${total} in ${summary.seconds.toFixed(1)} s (journal: ${printable(journal)})`,
    );
    for (const failure of failures) run.out(`  failed: ${printable(failure.source)}: ${printable(failure.reason)}`);
  }
  if (failures.length > 0) throw new CliError(`${failures.length} of ${total} models failed (listed above); to retry only them: ${resume}`, EXIT.failure);
  if (stopped > 0) throw new CliError(`stopped with ${stopped} of ${total} models not done; to resume: ${resume}`, EXIT.interrupted);
}
