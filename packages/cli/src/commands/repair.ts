import type { components, Fix } from "@mkp/client";
import { checkOutput, checkSource, isUrl, repairedFileName, repairModel, sourceFileName, type RepairProgressOptions, type RepairResult } from "@mkp/node";
import { InvalidArgumentError } from "commander";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Run } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { byteSize, printable } from "../output.js";
import { fixProgress } from "../progress.js";
import type { Program } from "../run-cli.js";
import { specOption } from "../spec-options.js";
import { JOURNAL_NAME, repairBatch } from "./repair-batch.js";

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
  concurrency?: number;
  outDir?: string;
  journal?: string;
}

/** `--concurrency`: how many models at once, 1–64. */
function concurrencyOf(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new InvalidArgumentError("give a whole number from 1 to 64.");
  return count;
}

/** Whether the arguments ask for a batch: several sources, a folder, or a batch-only option. */
async function isBatch(run: Run, sources: string[], options: RepairOptions): Promise<boolean> {
  if (sources.length > 1 || options.concurrency !== undefined || options.outDir !== undefined || options.journal !== undefined) return true;
  const [source] = sources as [string];
  // An empty source is not "this folder": it is refused as the one model it names (`mkp repair ""`).
  return source !== "" && !isUrl(source) && !!(await stat(resolve(run.cwd, source)).catch(() => undefined))?.isDirectory();
}

/** The repair options as flags, for the batch's resume command. */
function fixFlags(options: RepairOptions): string[] {
  const given: [string, unknown][] = [
    ["--quality", options.quality],
    ["--wall-thickness", options.wallThickness],
    ["--pre-optimize", options.preOptimize],
    ["--post-optimize", options.postOptimize],
  ];
  return given.filter(([, value]) => value !== undefined).flatMap(([flag, value]) => [flag, String(value)]);
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

/** `mkp repair <file|url|folder>...`: upload → fix → wait → download, for one model or many. */
export function addRepairCommand(program: Program): void {
  program.command
    .command("repair")
    .description("upload 3D models, repair them and download the repaired files")
    .argument("<file|url|folder...>", "3D files (or zips holding one), http(s) URLs Makeprintable downloads, or folders of models")
    .option("-o, --out <path>", "where to write the repaired file (default: <name>.fixed.<ext> beside the input)")
    .addOption(specOption("createFix", "name", "--name <name>", "a name for the repaired model (default: the file's name without its extension)"))
    .addOption(specOption("createFix", "print_quality", "--quality <preset>"))
    .addOption(specOption("createFix", "wall_thickness", "--wall-thickness <mm>"))
    .addOption(specOption("createFix", "pre_optimize", "--pre-optimize <n>"))
    .addOption(specOption("createFix", "post_optimize", "--post-optimize <n>"))
    .option("-f, --force", "overwrite the output file if it exists")
    .option("--json", "print the result as JSON (with the download link); for many models, one JSON line per model, then a summary line")
    .option("-c, --concurrency <n>", "for many models: how many are under way at once (default: 8)", concurrencyOf)
    .option("--out-dir <dir>", "for many models: where the repaired files go (default: beside each file); a folder's models keep their place below it")
    .option("--journal <file>", `for many models: the journal that lets the same command resume (default: ${JOURNAL_NAME} in --out-dir, else here)`)
    .addHelpText(
      "after",
      "\nExamples:\n  mkp repair part.stl --quality high        # writes part.fixed.stl\n  mkp repair models/ *.obj --out-dir fixed   # many at once; run it again to resume\n",
    )
    .action(async (sources: string[], options: RepairOptions) => {
      const run = program.run();
      if (await isBatch(run, sources, options)) {
        if (options.out !== undefined) throw new CliError("--out names one output file: for many models use --out-dir", EXIT.usage);
        if (options.name !== undefined) throw new CliError("--name names one model: in a batch each is named after its file", EXIT.usage);
        const fix = {
          print_quality: options.quality,
          wall_thickness: options.wallThickness,
          pre_optimize: options.preOptimize,
          post_optimize: options.postOptimize,
        };
        const batch = {
          concurrency: options.concurrency ?? 8,
          outDir: options.outDir,
          journal: options.journal,
          force: options.force ?? false,
          json: options.json ?? false,
          fix,
        };
        return await repairBatch(run, sources, { ...batch, fixFlags: fixFlags(options) });
      }
      const [source] = sources as [string];
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
