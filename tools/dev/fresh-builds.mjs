// Vitest's global setup (vitest.config.ts): before any test file runs, turbo builds the packages of
// the projects in this run and everything they depend on. Tests load sibling packages' `dist` (a
// CLI's bin, a client's exports); one built from other sources — another branch, an edit not yet
// built — fails in dozens of places for one cause, or passes when it should not. Unchanged packages
// come from turbo's cache (about a second). A build that fails stops the run before any test, with
// turbo's output naming every failing package. `pnpm vitest run --project X` goes through here too.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The workspace package at a project's root, if it has one (a project may be a plain folder of tests). */
function packageName(root) {
  const file = join(root, "package.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).name : undefined;
}

/** @param {import("vitest/node").TestProject} project */
export default async function freshBuilds(project) {
  const names = project.vitest.projects.map((each) => packageName(each.config.root)).filter((name) => name !== undefined);
  if (names.length === 0) return;
  // `name...`: the package and every package it depends on.
  const filters = names.map((name) => `--filter=${name}...`);
  const args = ["exec", "turbo", "run", "build", "--output-logs=errors-only", "--continue=dependencies-successful", ...filters];
  try {
    await run("pnpm", args, { cwd: project.vitest.config.root, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(
      "The build failed, so no test ran: tests would load a dist that does not match the sources.\n" +
        `Fix what turbo names below, then run the tests again.\n\n${error.stdout ?? ""}${error.stderr ?? ""}`,
    );
  }
}
