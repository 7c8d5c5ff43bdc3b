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
 * the run whose JSON report is counted.
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

function runStep(command) {
  return new Promise((resolveStep) => {
    const child = spawn(command[0], command.slice(1), { cwd: root, stdio: "inherit", env: { ...process.env, MKP_PACKED_DIR: packedDir } });
    child.on("exit", (code, signal) => resolveStep(code ?? (signal ? 1 : 0)));
    child.on("error", () => resolveStep(127));
  });
}

let passed = 0;
let failed = 0;
const failures = [];
await mkdir(dirname(reportFile), { recursive: true });
// A report or tarballs left by an earlier run must never be read as this run's.
await rm(reportFile, { force: true });
await rm(packedDir, { recursive: true, force: true });
for (const [index, step] of steps.entries()) {
  console.log(`\n▶ ${step.name}`);
  const started = Date.now();
  const code = await runStep(step.command);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${code === 0 ? "✓" : "✗"} ${step.name} (${seconds}s)`);
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
    if (step.gate) {
      const skipped = steps.length - index - 1;
      console.log(`\n✗ Stopped at the first failing stage: ${step.name}.`);
      console.log(`  Its output above names the cause. Fix it and run \`pnpm test\` again; the ${skipped} later steps did not run.`);
      break;
    }
  }
}

if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
