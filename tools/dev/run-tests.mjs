#!/usr/bin/env node
// The one test command (`pnpm test`): every check and every test suite, then one plain summary
// line `N passed, N failed` that CI reads. Vitest tests count one each; every other check counts
// as one test. The first stages are gates (generated files, lints, the build and type-check): the
// first one that fails stops the run and is named in one message, because what runs after it would
// fail for the same cause, many times over. The last step is the mutation test of @mkp/oauth:
// Stryker in incremental mode from the committed packages/oauth/stryker-incremental.json (seconds
// on unchanged code), failing under 85 %; `--no-mutation` skips it while you iterate (CI never does).
import { spawn } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { countVitestReport } from "./vitest-summary.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const reportFile = resolve(root, "reports/vitest.json");
// Packed once per run, by check:packages; the consumer test installs the same tarballs.
const packedDir = resolve(root, "reports/packed");
let noMutation;
try {
  noMutation = parseArgs({ options: { "no-mutation": { type: "boolean", default: false } } }).values["no-mutation"];
} catch (error) {
  console.error(`${error.message}. Usage: pnpm test [--no-mutation]`);
  process.exit(2);
}

/**
 * Each check: a name and a command; `gate: true` stops the run when it fails; `vitest: true` marks
 * the run whose JSON report is counted. An array of checks runs side by side (each one mostly
 * single-threaded, none reading another's output), each one's output printed whole when it ends.
 */
const steps = [
  { name: "generated files are fresh (pnpm generate --check)", command: ["pnpm", "generate", "--check"], gate: true },
  { name: "spec lint has zero problems (redocly lint)", command: ["pnpm", "lint:spec"], gate: true },
  { name: "code lint and format have zero findings, no tracker ids (pnpm lint)", command: ["pnpm", "lint"], gate: true },
  {
    name: "build and strict type-check (turbo run build typecheck)",
    // Every package whose dependencies built is built and checked, so one run names every failing package.
    command: ["pnpm", "exec", "turbo", "run", "build", "typecheck", "--output-logs=errors-only", "--continue=dependencies-successful"],
    gate: true,
  },
  [
    { name: "each published entry point's public API matches its committed report (pnpm api:check)", command: ["pnpm", "api:check"] },
    // After the build: spec:diff reports what the sandbox answers from examples (it imports @mkp/mock-server's dist).
    { name: "spec changes are covered by changesets (pnpm spec:diff)", command: ["pnpm", "spec:diff"] },
    {
      name: "publishable packages pass publint and attw (pnpm check:packages)",
      command: ["node", "tools/release/bin/mkp-release.mjs", "check-packages", "--out", packedDir],
    },
    { name: "size budgets hold (pnpm size)", command: ["pnpm", "size"] },
    {
      name: "the Debian packages the tests run are there (chromium, curl, python3 + requests, php + curl, tmux)",
      command: ["node", "tools/dev/ensure-debian-packages.mjs"],
    },
  ],
  { name: "vitest", command: ["pnpm", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`], vitest: true },
  ...(noMutation
    ? []
    : [
        {
          name: "@mkp/oauth mutation score is at least 85 % (Stryker, incremental from the committed baseline)",
          command: ["node", "tools/dev/mutation.mjs", "oauth", "--scratch-baseline"],
        },
      ]),
];

/**
 * Runs one check and resolves with its exit code. `buffered`: its output is kept and printed in one
 * block when it ends, so checks running side by side never interleave their lines.
 */
function runStep(step, buffered) {
  return new Promise((resolveStep) => {
    const started = Date.now();
    if (!buffered) console.log(`\n▶ ${step.name}`);
    const child = spawn(step.command[0], step.command.slice(1), {
      cwd: root,
      stdio: buffered ? ["ignore", "pipe", "pipe"] : "inherit",
      env: { ...process.env, MKP_PACKED_DIR: packedDir },
    });
    const output = [];
    child.stdout?.on("data", (chunk) => output.push(chunk));
    child.stderr?.on("data", (chunk) => output.push(chunk));
    let spawnFailed = false;
    child.on("error", (error) => {
      spawnFailed = true;
      output.push(Buffer.from(`${error.message}\n`));
    });
    // "close" comes after "exit" or, when the command could not start, after "error".
    child.on("close", (exitCode, signal) => {
      const code = spawnFailed ? 127 : (exitCode ?? (signal ? 1 : 0));
      if (buffered) process.stdout.write(`\n▶ ${step.name}\n${Buffer.concat(output).toString()}`);
      else if (spawnFailed) process.stdout.write(Buffer.concat(output).toString());
      console.log(`${code === 0 ? "✓" : "✗"} ${step.name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      resolveStep(code);
    });
  });
}

let passed = 0;
let failed = 0;
const failures = [];

/** Adds one finished check to the totals. */
async function count(step, code) {
  if (step.vitest) {
    const report = await readFile(reportFile, "utf8").then(JSON.parse, () => undefined);
    const counted = countVitestReport(report, code);
    passed += counted.passed;
    failed += counted.failed;
    if (!report) failures.push(`${step.name} (no report)`);
    else if (counted.failed > 0)
      failures.push(
        `${step.name} (${report.numFailedTests} failed tests, ${counted.failedFiles.length} files failed outside a test: a hook threw or the file did not load)`,
      );
  } else if (code === 0) {
    passed += 1;
  } else {
    failed += 1;
    failures.push(step.name);
  }
}

await mkdir(dirname(reportFile), { recursive: true });
// A report or tarballs left by an earlier run must never be read as this run's.
await rm(reportFile, { force: true });
await rm(packedDir, { recursive: true, force: true });
for (const [index, stage] of steps.entries()) {
  const group = Array.isArray(stage) ? stage : [stage];
  const codes = await Promise.all(group.map((step) => runStep(step, group.length > 1)));
  for (const [at, step] of group.entries()) await count(step, codes[at]);
  const gate = group.find((step, at) => step.gate && codes[at] !== 0);
  if (gate) {
    const skipped = steps.slice(index + 1).flat().length;
    console.log(`\n✗ Stopped at the first failing stage: ${gate.name}.`);
    console.log(`  Its output above names the cause. Fix it and run \`pnpm test\` again; the ${skipped} later steps did not run.`);
    break;
  }
}

if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
