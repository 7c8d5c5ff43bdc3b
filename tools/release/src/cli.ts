import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { apiReports, formatApiReports } from "./api-report.ts";
import { ChangesetFormatError } from "./changesets.ts";
import { runReadmeExamples } from "./example.ts";
import { checkPackages, formatPackageChecks } from "./check-packages.ts";
import { releaseLayout, type ReleaseLayout } from "./paths.ts";
import { SpecDiffError } from "./rate-spec-change.ts";
import { release } from "./release.ts";
import { writeReleasedSpec } from "./released-spec.ts";
import { evaluateBudgets, formatBudgets, measureSizes } from "./size.ts";
import { checkSpecChange } from "./spec-diff.ts";
import { specStatus } from "./spec-status.ts";
import { writeReadmeTables } from "./readme-tables.ts";

const USAGE = `usage: mkp-release <command> [--root <dir>]

  spec-diff       fail unless pending changesets bump @mkp/client and every package that ships it as
                  much as the spec change needs (redocly diff against spec/released/openapi.json) and
                  @mkp/docs a patch; and unless the changes since the base commit (merge base with
                  main, or $MKP_SPEC_BASE) come with a changeset added or edited since then
  spec-status     what still needs a person after a spec edit: samples to review, operations the
                  sandbox answers from examples, parameters it ignores, operations without an mkp
                  command, the changeset spec-diff asks for
  readme-tables   write the READMEs' operation, tool and command tables from the spec (pnpm generate
                  runs it); --check: fail naming the READMEs whose tables are stale
  snapshot-spec   make the current spec the released baseline (pnpm version-packages runs it)
  check-packages  pack every publishable package once (pnpm pack), then publint --strict and attw
                  --profile esm-only on each tarball; --out DIR keeps the tarballs there (and
                  DIR/packed.json), for the consumer test of the same run (MKP_PACKED_DIR)
  api-report      write each published entry point's API report (<package>/api/*.api.md, API Extractor
                  on the built .d.ts); --check: fail naming each package whose public API differs
  size            size-limit budgets (.size-limit.json) and what @mkp/oauth adds to @mkp/client
  example         run the README's examples against a sandbox started for them (pnpm example)
  publish         build, run every check, changeset publish; --dry-run: the packaging checks and
                  each tarball's contents, nothing published
`;

/** The command line's options, as every command reads them. */
interface Options {
  root?: string | undefined;
  "dry-run"?: boolean | undefined;
  check?: boolean | undefined;
  out?: string | undefined;
  help?: boolean | undefined;
}

async function readmeTables(layout: ReleaseLayout, check: boolean): Promise<number> {
  const files = await writeReadmeTables(layout.root, check);
  if (check && files.length > 0) {
    console.error(`readme-tables: the operation tables of ${files.join(", ")} differ from the spec: run \`pnpm generate\``);
    return 1;
  }
  console.log(files.length === 0 ? "readme-tables: every README table matches the spec" : `readme-tables: wrote\n  ${files.join("\n  ")}`);
  return 0;
}

async function packAndCheck(layout: ReleaseLayout, keepIn: string | undefined): Promise<number> {
  const out = keepIn === undefined ? await mkdtemp(join(tmpdir(), "mkp-packed-")) : resolve(keepIn);
  try {
    // A kept folder holds this run's tarballs only.
    if (keepIn !== undefined) await rm(out, { recursive: true, force: true }).then(() => mkdir(out, { recursive: true }));
    const checks = await checkPackages(layout.packagesDir, out);
    console.log(formatPackageChecks(checks, layout.packagesDir));
    return checks.every((check) => check.ok) ? 0 : 1;
  } finally {
    if (keepIn === undefined) await rm(out, { recursive: true, force: true });
  }
}

/** Prints a report on stdout when it passed, on stderr when not; the exit code. */
function reported(ok: boolean, report: string): number {
  (ok ? console.log : console.error)(report);
  return ok ? 0 : 1;
}

/** Each command by name: what it runs, given the options and the repository's layout. */
const COMMANDS: Record<string, (values: Options, layout: ReleaseLayout) => Promise<number>> = {
  "spec-diff": async (_, layout) => {
    const result = await checkSpecChange(layout);
    return reported(result.ok, result.report);
  },
  "spec-status": async (_, layout) => {
    console.log((await specStatus(layout)).report);
    return 0;
  },
  "readme-tables": (values, layout) => readmeTables(layout, values.check === true),
  "snapshot-spec": async (_, layout) => {
    const changed = await writeReleasedSpec(layout);
    console.log(`${changed ? "wrote    " : "unchanged"} ${relative(process.cwd(), layout.releasedSpec) || layout.releasedSpec}`);
    return 0;
  },
  "check-packages": (values, layout) => packAndCheck(layout, values.out),
  "api-report": async (values, layout) => {
    const update = values.check !== true;
    const results = await apiReports(layout.packagesDir, update);
    return reported(update || results.every((result) => result.outcome === "same"), formatApiReports(results, layout.root, update));
  },
  size: async (_, layout) => {
    const lines = evaluateBudgets(await measureSizes(layout.root));
    return reported(
      lines.every((line) => line.ok),
      formatBudgets(lines),
    );
  },
  example: (_, layout) => runReadmeExamples(layout),
  publish: (values, layout) => release(layout, { dryRun: values["dry-run"] === true }),
};

/** Runs one command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed: { values: Options; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        root: { type: "string" },
        "dry-run": { type: "boolean" },
        check: { type: "boolean" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`mkp-release: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = values.help ? undefined : positionals[0];
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    console.error(USAGE);
    return command === undefined ? 0 : 2;
  }
  try {
    return await run(values, releaseLayout(values.root));
  } catch (error) {
    if (error instanceof SpecDiffError || error instanceof ChangesetFormatError) {
      console.error(`mkp-release ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
