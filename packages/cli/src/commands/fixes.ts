import { fixesOf, isFixDone, NotFoundError, unwrap, type Fix, type MakeprintableClient } from "@mkp/client";
import { OPERATION_INPUTS } from "@mkp/client/internal";
import { downloadFix } from "@mkp/node";
import { byteSize, fieldTable, printable, table } from "../output.js";
import { percentOf } from "../progress.js";
import type { Program } from "../run-cli.js";
import { numberParser } from "../spec-options.js";
import { outputPath, progressFor, resumeChoices } from "./repair.js";

const fixId = numberParser(OPERATION_INPUTS.getFix.schema.properties.id);

// The repaired item's file name, for the default output name; a deleted item leaves `fix-<id>`.
async function fileNameOf(client: MakeprintableClient, fix: Fix, signal: AbortSignal | undefined): Promise<string> {
  if (fix.item_id === undefined) return `fix-${fix.id}`;
  try {
    const item = await unwrap(client.GET("/items/{id}", { params: { path: { id: fix.item_id } }, ...(signal && { signal }) }));
    return `${item.file_name}.${item.file_ext}`;
  } catch (error) {
    if (error instanceof NotFoundError) return `fix-${fix.id}`;
    throw error;
  }
}

/** `mkp fixes list|get`. */
export function addFixCommands(program: Program): void {
  const fixes = program.command.command("fixes").description("your repairs: list them, show one, download its result");

  fixes
    .command("list")
    .description("list your repairs")
    .option("--json", "print the list as JSON")
    .action(async (options: { json?: boolean }) => {
      const run = program.run();
      const { client } = await run.client();
      const list = fixesOf(await unwrap(client.GET("/fixes", run.signal ? { signal: run.signal } : {})));
      if (options.json) return run.json(list);
      if (list.length === 0) return run.out("No repairs yet: start one with `mkp repair <file>`.");
      run.out(
        table(
          ["id", "item", "status", "progress", "download"],
          list.map((fix) => [fix.id, fix.item_id, fix.status, `${percentOf(fix)}%`, fix.download_url]),
        ),
      );
    });

  fixes
    .command("get")
    .description("show a repair; with --download, wait for it and download the repaired file")
    .argument("<id>", "the fix's id", fixId)
    .option("--download", "wait until the repair is done, then download the repaired file")
    .option("-o, --out <path>", "with --download: where to write it (default: <name>.fixed.<ext> here)")
    .option("-f, --force", "with --download: overwrite the output file if it exists")
    .option("--json", "print the fix (and the download) as JSON")
    .action(async (id: number, options: { download?: boolean; out?: string; force?: boolean; json?: boolean }) => {
      const run = program.run();
      run.whenNotFound(`no fix ${id} in this account: see \`mkp fixes list\``);
      const { client } = await run.client();
      const fix = await unwrap(client.GET("/fixes/{id}", { params: { path: { id } }, ...(run.signal && { signal: run.signal }) }));
      if (!options.download) {
        if (options.json) return run.json(fix);
        return run.out(
          fieldTable([
            ["id", fix.id],
            ["item", fix.item_id],
            ["status", fix.status],
            ["progress", `${percentOf(fix)}%`],
            ["done", isFixDone(fix) ? "yes" : "no"],
            ["download", fix.download_url],
          ]),
        );
      }
      const name = await fileNameOf(client, fix, run.signal);
      const force = options.force ?? false;
      const path = await outputPath(run, options.out, run.cwd, name, force);
      run.resumeWith(resumeChoices(run, path, name, options));
      const progress = progressFor(run, name, true);
      let done: Awaited<ReturnType<typeof downloadFix>>;
      try {
        done = await downloadFix(client, id, { ...progress, output: path, overwrite: force });
      } finally {
        progress.stop();
      }
      if (options.json) return run.json({ fix: done.fix, download_url: done.fix.download_url, output: path, bytes: done.bytes });
      run.out(`Downloaded fix ${id} → ${printable(path)} (${byteSize(done.bytes)})`);
    });
}
