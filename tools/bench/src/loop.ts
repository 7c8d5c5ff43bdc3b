import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT, run, runOk, type ChildResult } from "./child.js";
import type { Section } from "./report.js";

export interface LoopOptions {
  /** A temporary folder for the clone. */
  workDir: string;
  /** The source file the changed-only loop edits (relative to the root): one package's, with few dependents. */
  sourceFile: string;
  /** The test file the changed-only loop edits. */
  testFile: string;
}

const seconds = (result: ChildResult) => `${(result.wallMs / 1000).toFixed(0)} s`;
const cpu = (result: ChildResult) => (result.cpuSeconds === undefined || Number.isNaN(result.cpuSeconds) ? "–" : `${result.cpuSeconds.toFixed(0)} s`);
/** The last line `pnpm test` prints, `N passed, N failed`. */
const summary = (result: ChildResult) => result.stdout.trim().split("\n").at(-1) ?? "";
const verdict = (result: ChildResult, targetMs: number) => (result.code === 0 && result.wallMs <= targetMs ? "met" : "missed");

/**
 * The maintainer's test loops on a fresh clone of this commit, as `.ci/run` starts it: `pnpm install
 * --frozen-lockfile` (from pnpm's store), then the full `pnpm test` (wall time and its summary line), then
 * `pnpm test:changed` after editing one source file and after editing one test file. Each runs once: a
 * run takes minutes, and its wall time is the figure a maintainer waits for.
 */
export async function measureLoop(options: LoopOptions): Promise<Section> {
  const clone = join(options.workDir, "loop-clone");
  await runOk("git", ["clone", "--quiet", "--no-hardlinks", REPO_ROOT, clone]);
  const inClone = { cwd: clone, measureMemory: true };
  await runOk("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], { cwd: clone });
  const full = await run("pnpm", ["test"], inClone);
  await appendFile(join(clone, options.sourceFile), "\n// an edit the changed-only loop has to test\n");
  const source = await run("pnpm", ["test:changed"], inClone);
  await run("git", ["checkout", "--", options.sourceFile], { cwd: clone });
  await runOk("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], { cwd: clone });
  await appendFile(join(clone, options.testFile), "\n// an edit the changed-only loop has to test\n");
  const test = await run("pnpm", ["test:changed"], inClone);
  const row = (what: string, result: ChildResult, target: string) => [
    what,
    seconds(result),
    cpu(result),
    result.code === 0 ? "passed" : `exit ${result.code}`,
    target,
  ];
  return {
    title: "Test loops",
    method:
      "A fresh `git clone` of this commit in a temporary folder, `pnpm install --frozen-lockfile`, then each loop once, timed by `/usr/bin/time -v` " +
      "(wall; CPU is user + system of the whole process tree): the full `pnpm test` as CI runs it (no build cache: every package builds), " +
      `then \`pnpm test:changed\` after appending a comment to ${options.sourceFile} (its package and every package that depends on it), ` +
      `then after appending one to ${options.testFile} (that file only).`,
    tables: [
      {
        columns: ["loop", "wall", "CPU", "result", "target (wall)"],
        rows: [
          row(`\`pnpm test\`, fresh clone (${summary(full)})`, full, "≤ 240 s"),
          row(`\`pnpm test:changed\`, one source file (${options.sourceFile})`, source, "≤ 60 s"),
          row(`\`pnpm test:changed\`, one test file (${options.testFile})`, test, "≤ 60 s"),
        ],
      },
    ],
    headlines: [
      { what: "`pnpm test` on a fresh clone, wall", result: `${seconds(full)} (${summary(full)})`, target: "≤ 240 s, green", verdict: verdict(full, 240_000) },
      { what: "`pnpm test:changed` after a one-file source edit, wall", result: seconds(source), target: "≤ 60 s, green", verdict: verdict(source, 60_000) },
      { what: "`pnpm test:changed` after a one-file test edit, wall", result: seconds(test), target: "≤ 60 s, green", verdict: verdict(test, 60_000) },
    ],
    notes: [],
  };
}
