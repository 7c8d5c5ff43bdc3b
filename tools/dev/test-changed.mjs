#!/usr/bin/env node
// `pnpm test:changed [base]`: checks what the working tree's change (against HEAD, or against
// `base`, e.g. `main`) can affect, and nothing else. Biome on the changed files; turbo's build and
// type-check of the touched packages and of every package that depends on them; then vitest on:
//   - only the changed test files, where a package's change is test files and nothing else;
//   - the whole package and every package that depends on it, for any other change in it (a
//     source, a helper, a sample): dependents load its `dist` (bins, exports), which vitest's own
//     `--changed` cannot follow, since it sees imports of source files only;
//   - everything, when a file outside the packages changed (the spec, a root config).
// Stops at the first stage that fails, like `pnpm test`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const base = process.argv[2] ?? "HEAD";
const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
const turboPackages = (...filters) =>
  JSON.parse(execFileSync("pnpm", ["exec", "turbo", "ls", ...filters, "--output=json"], { cwd: root, encoding: "utf8" })).packages.items;

/** A test file (`*.test.ts`, `*.test.mjs`, `*.test-d.ts`): nothing but vitest reads it. A helper under `test/` is not one. */
const isTestFile = (file) => /\.test(-d)?\.[cm]?[jt]s$/.test(file);

// Committed since `base` (where this branch left it), uncommitted, and new files.
const committed = base === "HEAD" ? [] : git("diff", "--name-only", `${base}...HEAD`);
const changed = [...new Set([...committed, ...git("diff", "--name-only", "HEAD"), ...git("ls-files", "-o", "--exclude-standard")])];
if (changed.length === 0) {
  console.log(`test:changed: nothing changed against ${base}`);
  process.exit(0);
}

// Each folder with tests of its own: the workspace packages, and tools/dev (scripts, no package).
const units = [...turboPackages().map(({ name, path }) => ({ name, path })), { name: undefined, path: "tools/dev" }];
const unitOf = (file) => units.filter((unit) => file.startsWith(`${unit.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];

const outside = changed.filter((file) => !unitOf(file));
const testFiles = new Map();
const sourceUnits = new Set();
for (const file of changed) {
  const unit = unitOf(file);
  if (!unit) continue;
  if (isTestFile(file) && !existsSync(resolve(root, file))) continue; // a deleted test: nothing to run
  if (isTestFile(file)) testFiles.set(unit, [...(testFiles.get(unit) ?? []), file]);
  else sourceUnits.add(unit);
}

/**
 * The vitest project of a folder (the `name` in its vitest.config.ts): naming the projects lets the
 * global setup build only what they load, not every package.
 */
function projectOf(path) {
  const config = resolve(root, path, "vitest.config.ts");
  return existsSync(config) ? /\bname: "([^"]+)"/.exec(readFileSync(config, "utf8"))?.[1] : undefined;
}

/** @type {string[]} vitest's file filters (a folder prefix or a file); none means every test. */
let filters = [];
/** @type {string[]} the projects those filters fall in; none means every project. */
let projects = [];
let turboFilters = [];
if (outside.length > 0) {
  console.log(`test:changed: ${outside.slice(0, 3).join(", ")}${outside.length > 3 ? "…" : ""} is outside the packages: every test runs`);
} else {
  // A changed source reaches its package and every package that depends on it (turbo's `...name`).
  const dependentFilters = [...sourceUnits].flatMap((unit) => (unit.name ? [`--filter=...${unit.name}`] : []));
  const dependents = dependentFilters.length > 0 ? turboPackages(...dependentFilters) : [];
  const whole = new Set([...dependents.map((item) => item.path), ...[...sourceUnits].map((unit) => unit.path)]);
  filters = [...[...whole].map((path) => `${path}/`), ...[...testFiles].filter(([unit]) => !whole.has(unit.path)).flatMap(([, files]) => files)];
  const paths = [...whole, ...[...testFiles.keys()].map((unit) => unit.path)];
  projects = paths.map(projectOf);
  if (projects.includes(undefined)) projects = [];
  turboFilters = [...dependentFilters, ...[...testFiles.keys()].flatMap((unit) => (unit.name ? [`--filter=${unit.name}`] : []))];
  console.log(`test:changed: ${changed.length} changed file(s) against ${base}; testing ${filters.join(" ")}`);
}

const stages = [
  {
    name: "lint and format of the changed files (biome)",
    command: ["pnpm", "exec", "biome", "check", "--no-errors-on-unmatched", ...changed.filter((file) => existsSync(resolve(root, file)))],
  },
  {
    name: "build and type-check of what the change reaches (turbo)",
    command: ["pnpm", "exec", "turbo", "run", "build", "typecheck", "--output-logs=errors-only", "--continue=dependencies-successful", ...turboFilters],
    skip: outside.length === 0 && turboFilters.length === 0,
  },
  {
    name: "vitest",
    command: ["pnpm", "vitest", "run", "--passWithNoTests", ...[...new Set(projects)].map((name) => `--project=${name}`), ...filters],
    skip: outside.length === 0 && filters.length === 0,
  },
];
for (const stage of stages) {
  if (stage.skip) continue;
  console.log(`\n▶ ${stage.name}`);
  const { status } = spawnSync(stage.command[0], stage.command.slice(1), { cwd: root, stdio: "inherit" });
  if (status !== 0) {
    console.log(`\n✗ test:changed stopped at: ${stage.name}`);
    process.exit(status ?? 1);
  }
}
console.log("\n✓ test:changed: everything the change reaches passed");
