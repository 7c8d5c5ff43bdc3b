#!/usr/bin/env node
// `pnpm test:mutation [oauth|client|mock-server ...]`: Stryker over the security-critical code of
// each package (its own stryker.config.json), one package after the other (the machine has 2 cores).
// Reports: reports/mutation/<package>/index.html and mutation.json. Exits non-zero when a package's
// score falls below its `thresholds.break` or Stryker fails.
// `--scratch-baseline` (what `pnpm test` passes) starts from a copy of the package's committed
// incremental file in reports/mutation/<package>/ and leaves the committed one untouched: Stryker
// rewrites the file it uses on every run (renumbered test ids), which would dirty the work tree.
import { spawn } from "node:child_process";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const packages = ["oauth", "client", "mock-server"];
// The package's `exports` hide bin/: find it next to its package.json.
const stryker = resolve(dirname(createRequire(resolve(root, "package.json")).resolve("@stryker-mutator/core/package.json")), "bin/stryker.js");

const chosen = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const scratchBaseline = process.argv.includes("--scratch-baseline");
const extra = process.argv.slice(2).filter((arg) => arg.startsWith("-") && arg !== "--scratch-baseline");
const unknown = chosen.filter((name) => !packages.includes(name));
if (unknown.length) {
  console.error(`Unknown package(s): ${unknown.join(", ")}. Choose from: ${packages.join(", ")}.`);
  process.exit(2);
}

/** With `--scratch-baseline`: a copy of the committed incremental file, and Stryker's option to use it. */
async function scratchCopy(name) {
  const dir = resolve(root, "packages", name);
  const { incrementalFile } = JSON.parse(await readFile(resolve(dir, "stryker.config.json"), "utf8"));
  if (!incrementalFile) return [];
  const copy = resolve(root, "reports/mutation", name, "stryker-incremental.json");
  await mkdir(dirname(copy), { recursive: true });
  await copyFile(resolve(dir, incrementalFile), copy);
  return ["--incrementalFile", copy];
}

async function run(name) {
  const options = scratchBaseline ? await scratchCopy(name) : [];
  return new Promise((done) => {
    const child = spawn(process.execPath, [stryker, "run", ...options, ...extra], { cwd: resolve(root, "packages", name), stdio: "inherit", env: process.env });
    child.on("exit", (code, signal) => done(code ?? (signal ? 1 : 0)));
    child.on("error", () => done(127));
  });
}

/** The mutation score over covered and uncovered mutants, as Stryker computes it. */
async function scoreOf(name) {
  const report = JSON.parse(await readFile(resolve(root, "reports/mutation", name, "mutation.json"), "utf8"));
  const counts = {};
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { score: valid === 0 ? 100 : (100 * detected) / valid, counts };
}

const results = [];
for (const name of chosen.length ? chosen : packages) {
  const started = Date.now();
  const code = await run(name);
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const summary = await scoreOf(name).catch(() => undefined);
  results.push({ name, code, minutes, summary });
}

console.log("\nMutation scores:");
for (const { name, code, minutes, summary } of results) {
  const score = summary ? `${summary.score.toFixed(2)} %` : "no report";
  const counts = summary
    ? Object.entries(summary.counts)
        .map(([status, n]) => `${status} ${n}`)
        .join(", ")
    : "";
  console.log(`  ${code === 0 ? "✓" : "✗"} @mkp/${name}: ${score} (${counts}) in ${minutes} min`);
}
process.exitCode = results.every((result) => result.code === 0) ? 0 : 1;
