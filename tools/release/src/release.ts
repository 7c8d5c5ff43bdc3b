import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readPendingChangesets } from "./changesets.ts";
import { formatPacked, packPackages } from "./pack.ts";
import type { ReleaseLayout } from "./paths.ts";
import { runCommand } from "./run-command.ts";

/** The root scripts that check what ships; `--dry-run` runs these instead of the whole `pnpm test`. */
export const RELEASE_CHECKS = ["spec:diff", "check:packages", "size", "test:consumer"] as const;

async function step(title: string, command: string, args: string[], root: string): Promise<boolean> {
  console.log(`\n▶ ${title}: ${[command, ...args].join(" ")}`);
  const result = await runCommand(command, args, { cwd: root, echo: true });
  if (result.code !== 0) console.error(`✗ ${title} failed (exit ${result.code})`);
  return result.code === 0;
}

/**
 * `pnpm release`: build, check, then `changeset publish` (which publishes every package whose
 * version is not on the registry yet and tags it). With `dryRun`, runs the packaging checks and
 * lists each tarball's contents instead of publishing anything.
 */
export async function release(layout: ReleaseLayout, options: { dryRun: boolean }): Promise<number> {
  const pending = await readPendingChangesets(layout.changesetDir);
  if (pending.length > 0) {
    const message = `${pending.length} pending changeset(s) (${pending.map((changeset) => changeset.file).join(", ")}): run \`pnpm version-packages\` and commit the versions and changelogs first.`;
    if (!options.dryRun) {
      console.error(`release: ${message}`);
      return 1;
    }
    console.log(`release --dry-run: ${message}\nThe versions below are the current ones, before \`pnpm version-packages\`.`);
  }
  if (!(await step("build", "pnpm", ["build"], layout.root))) return 1;

  if (options.dryRun) {
    const scripts = (JSON.parse(await readFile(join(layout.root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const check of RELEASE_CHECKS.filter((name) => name in scripts)) {
      if (!(await step(check, "pnpm", [check], layout.root))) return 1;
    }
    const destination = await mkdtemp(join(tmpdir(), "mkp-release-"));
    try {
      const packed = await packPackages(layout.packagesDir, destination);
      console.log(`\nWould publish (changeset publish skips a version the registry already has):\n\n${formatPacked(packed)}`);
    } finally {
      await rm(destination, { recursive: true, force: true });
    }
    console.log("\nrelease --dry-run: nothing was published.");
    return 0;
  }

  if (!(await step("every test and check", "pnpm", ["test"], layout.root))) return 1;
  return (await step("publish", "pnpm", ["exec", "changeset", "publish"], layout.root)) ? 0 : 1;
}
