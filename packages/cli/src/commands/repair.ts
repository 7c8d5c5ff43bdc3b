import { APIUserAbortError, isFixDone, unwrap, uploadItem, waitForFix, type components, type Fix, type ItemUploadInput, type MakeprintableClient } from "@mkp/client";
import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import type { Run } from "../context.js";
import { download, outputPath } from "../download.js";
import { CliError, EXIT } from "../errors.js";
import { byteSize, printable } from "../output.js";
import { fixProgress } from "../progress.js";
import type { Program } from "../run-cli.js";
import { specOption } from "../spec-options.js";

type FixRequest = components["schemas"]["FixRequest"];

interface RepairOptions {
  out?: string;
  name?: string;
  /** One of the spec's presets: commander checked it against the choices. */
  quality?: NonNullable<FixRequest["print_quality"]>;
  wallThickness?: number;
  preOptimize?: number;
  postOptimize?: number;
  force?: boolean;
  json?: boolean;
}

/** How to pick up a repair that `mkp` stopped waiting for. */
export const resumeHint = (fixId: number) => `resume with \`mkp fixes get ${fixId} --download\``;

/**
 * Waits for the fix (a progress bar or plain lines on stderr), then downloads the repaired file to
 * `path`. Ctrl-C stops the wait with exit 130 and the command that resumes it.
 */
export async function waitAndDownload(run: Run, client: MakeprintableClient, fixId: number, label: string, path: string, force: boolean): Promise<{ fix: Fix; bytes: number }> {
  const progress = fixProgress(run.io.stderr, label);
  const stopped = (error: unknown) => {
    if (error instanceof APIUserAbortError || run.signal?.aborted) {
      return new CliError(`stopped waiting for fix ${fixId}; the repair goes on at Makeprintable: ${resumeHint(fixId)}`, EXIT.interrupted);
    }
    return error;
  };
  let fix: Fix;
  try {
    // waitForFix hands each polled fix to `isDone`: that is where the progress comes from.
    fix = await waitForFix(client, fixId, { signal: run.signal, maxIntervalMs: 2000, isDone: (polled) => (progress.update(polled), isFixDone(polled)) });
  } catch (error) {
    throw stopped(error);
  } finally {
    progress.stop();
  }
  if (typeof fix.download_url !== "string") throw new CliError(`fix ${fixId} is done but has no download link: please report it`);
  try {
    return { fix, bytes: await download(fix.download_url, path, { force, signal: run.signal, resume: resumeHint(fixId) }) };
  } catch (error) {
    throw stopped(error);
  }
}

function uploadSource(run: Run, source: string): { isUrl: boolean; name: string; directory: string; path: string } {
  if (/^https?:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new CliError(`${printable(source)} is not a valid URL`, EXIT.usage);
    }
    const name = basename(decodeURIComponent(url.pathname)) || "model";
    return { isUrl: true, name, directory: run.cwd, path: url.href };
  }
  const path = resolve(run.cwd, source);
  return { isUrl: false, name: basename(path), directory: dirname(path), path };
}

/** `mkp repair <file|url>`: upload → fix → wait → download. */
export function addRepairCommand(program: Program): void {
  program.command
    .command("repair")
    .description("upload a 3D model, repair it and download the repaired file")
    .argument("<file|url>", "a 3D file (or a zip holding one), or an http(s) URL Makeprintable downloads it from")
    .option("-o, --out <path>", "where to write the repaired file (default: <name>.fixed.<ext> beside the input)")
    .addOption(specOption("createFix", "name", "--name <name>", "a name for the repaired model (default: the file's name without its extension)"))
    .addOption(specOption("createFix", "print_quality", "--quality <preset>"))
    .addOption(specOption("createFix", "wall_thickness", "--wall-thickness <mm>"))
    .addOption(specOption("createFix", "pre_optimize", "--pre-optimize <n>"))
    .addOption(specOption("createFix", "post_optimize", "--post-optimize <n>"))
    .option("-f, --force", "overwrite the output file if it exists")
    .option("--json", "print the result as JSON (with the download link)")
    .addHelpText("after", "\nExample:\n  mkp repair part.stl --quality high   # writes part.fixed.stl\n")
    .action(async (sourceArgument: string, options: RepairOptions) => {
      const run = program.run();
      const source = uploadSource(run, sourceArgument);
      let upload: ItemUploadInput;
      if (source.isUrl) {
        upload = { fileUrl: source.path };
      } else {
        const found = await stat(source.path).catch(() => undefined);
        if (!found) throw new CliError(`no such file: ${source.path}: check the path, or give an http(s) URL`);
        if (!found.isFile()) throw new CliError(`${source.path} is not a regular file: give a 3D file such as part.stl (or a zip holding one)`);
        upload = { file: await openAsBlob(source.path), fileName: source.name };
      }
      const force = options.force ?? false;
      // Refused before anything is sent: an existing file is never overwritten without --force.
      const path = await outputPath(options.out, source.directory, source.name, run.cwd, force);
      const { client } = await run.client();

      if (!options.json) run.note(`Uploading ${printable(source.name)}…`);
      let item;
      let started;
      try {
        item = await unwrap(uploadItem(client, upload, run.signal ? { signal: run.signal } : {}));
        const body = {
          item_id: item.id,
          name: options.name ?? basename(source.name, extname(source.name)),
          ...(options.quality !== undefined && { print_quality: options.quality }),
          ...(options.wallThickness !== undefined && { wall_thickness: options.wallThickness }),
          ...(options.preOptimize !== undefined && { pre_optimize: options.preOptimize }),
          ...(options.postOptimize !== undefined && { post_optimize: options.postOptimize }),
        };
        started = await unwrap(client.POST("/fixes", { body, ...(run.signal && { signal: run.signal }) }));
      } catch (error) {
        if (error instanceof APIUserAbortError) throw new CliError(`interrupted before the repair started${item ? ` (item ${item.id} was uploaded)` : ""}`, EXIT.interrupted);
        throw error;
      }
      const { fix, bytes } = await waitAndDownload(run, client, started.id, source.name, path, force);
      if (options.json) {
        run.json({ item, fix, download_url: fix.download_url, output: path, bytes });
      } else {
        run.out(`Repaired ${printable(source.name)} → ${printable(path)} (fix ${fix.id}, ${byteSize(bytes)})`);
      }
    });
}
