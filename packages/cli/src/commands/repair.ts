import type { components, Fix } from "@mkp/client";
import { checkOutput, checkSource, isUrl, repairedFileName, repairModel, sourceFileName, type RepairProgressOptions, type RepairResult } from "@mkp/node";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Run } from "../context.js";
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

/**
 * Where a repaired file goes: `--out` (a file, or a directory to put the default name in), else
 * `<name>.fixed.<ext>` in `directory`. Checked before anything is sent.
 */
export async function outputPath(run: Run, out: string | undefined, directory: string, inputName: string, force: boolean): Promise<string> {
  let path = out === undefined ? join(directory, repairedFileName(inputName)) : resolve(run.cwd, out);
  if ((await stat(path).catch(() => undefined))?.isDirectory()) path = join(path, repairedFileName(inputName));
  await checkOutput(path, force);
  return path;
}

/**
 * What a resume hint repeats so that `mkp fixes get` writes where this command would have: the
 * output path (relative to the working directory when it is below it), unless it is the name
 * `fixes get` picks anyway, and the person's own --force and --json.
 */
export function resumeChoices(run: Run, output: string, inputName: string, options: { force?: boolean; json?: boolean }) {
  const below = relative(run.cwd, output);
  const out = below && !below.startsWith("..") && !isAbsolute(below) ? below : output;
  return { out: out === repairedFileName(inputName) ? undefined : out, force: options.force, json: options.json };
}

/** The progress options for a repair of `label`: a bar or plain lines on stderr, stopped when the wait ends. */
export function progressFor(run: Run, label: string, quiet: boolean): RepairProgressOptions & { stop(): void } {
  const progress = fixProgress(run.io.stderr, label);
  return {
    signal: run.signal,
    wait: { maxIntervalMs: 2000 },
    onStage: (stage) => {
      if (stage === "uploading" && !quiet) run.note(`Uploading ${printable(label)}…`);
      if (stage === "downloading") progress.stop();
    },
    onProgress: (fix: Fix) => progress.update(fix),
    stop: () => progress.stop(),
  };
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
    .action(async (source: string, options: RepairOptions) => {
      const run = program.run();
      const name = sourceFileName(source);
      const force = options.force ?? false;
      // Refused before anything is sent: a source that cannot be a model, and an existing file without --force.
      await checkSource(source, run.cwd);
      const output = await outputPath(run, options.out, isUrl(source) ? run.cwd : dirname(resolve(run.cwd, source)), name, force);
      run.resumeWith(resumeChoices(run, output, name, options));
      const { client } = await run.client();
      const progress = progressFor(run, name, options.json ?? false);
      let result: RepairResult;
      try {
        result = await repairModel(
          client,
          {
            source,
            output,
            overwrite: force,
            cwd: run.cwd,
            fix: {
              name: options.name,
              print_quality: options.quality,
              wall_thickness: options.wallThickness,
              pre_optimize: options.preOptimize,
              post_optimize: options.postOptimize,
            },
          },
          progress,
        );
      } finally {
        progress.stop();
      }
      const { item, fix, bytes } = result;
      if (options.json) return run.json({ item, fix, download_url: fix.download_url, output, bytes });
      run.out(`Repaired ${printable(name)} → ${printable(output)} (fix ${fix.id}, ${byteSize(bytes)})`);
    });
}
