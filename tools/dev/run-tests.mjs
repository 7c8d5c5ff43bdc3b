#!/usr/bin/env node
// The one test command (`pnpm test`): every check and every test suite, then one plain summary
// line `N passed, N failed` that CI reads. Vitest tests count one each; every other check counts
// as one test. The last step is the mutation test of @mkp/oauth: Stryker in incremental mode from the
// committed packages/oauth/stryker-incremental.json (seconds on unchanged code), failing under 85 %;
// `--no-mutation` skips it while you iterate (CI never does).
import { spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const reportFile = resolve(root, "reports/vitest.json");
let noMutation;
try {
  noMutation = parseArgs({ options: { "no-mutation": { type: "boolean", default: false } } }).values["no-mutation"];
} catch (error) {
  console.error(`${error.message}. Usage: pnpm test [--no-mutation]`);
  process.exit(2);
}

/** Each check: a name and a command; `vitest: true` marks the run whose JSON report is counted. */
const steps = [
  { name: "generated files are fresh (pnpm generate --check)", command: ["pnpm", "generate", "--check"] },
  { name: "spec lint has zero problems (redocly lint)", command: ["pnpm", "lint:spec"] },
  { name: "code lint and format have zero findings, no tracker ids (pnpm lint)", command: ["pnpm", "lint"] },
  {
    name: "build and strict type-check (turbo run build typecheck)",
    command: ["pnpm", "exec", "turbo", "run", "build", "typecheck", "--output-logs=errors-only"],
  },
  // After the build: spec:diff reports what the sandbox answers from examples (it imports @mkp/mock-server's dist).
  { name: "spec changes are covered by changesets (pnpm spec:diff)", command: ["pnpm", "spec:diff"] },
  { name: "publishable packages pass publint and attw (pnpm check:packages)", command: ["pnpm", "check:packages"] },
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
    const child = spawn(command[0], command.slice(1), { cwd: root, stdio: "inherit", env: process.env });
    child.on("exit", (code, signal) => resolveStep(code ?? (signal ? 1 : 0)));
    child.on("error", () => resolveStep(127));
  });
}

let passed = 0;
let failed = 0;
const failures = [];
await mkdir(dirname(reportFile), { recursive: true });
for (const step of steps) {
  console.log(`\n▶ ${step.name}`);
  const started = Date.now();
  const code = await runStep(step.command);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (step.vitest) {
    const report = await readFile(reportFile, "utf8").then(JSON.parse, () => undefined);
    if (report) {
      passed += report.numPassedTests;
      failed += report.numFailedTests + (report.numTotalTestSuites > 0 && report.numTotalTests === 0 ? 1 : 0);
      // A suite that failed to load has no tests to count: count it as one failure.
      const broken = report.testResults.filter((suite) => suite.status === "failed" && suite.assertionResults.length === 0);
      failed += broken.length;
      if (report.numFailedTests + broken.length > 0 || code !== 0)
        failures.push(`${step.name} (${report.numFailedTests} failed tests, ${broken.length} broken files)`);
      if (code !== 0 && report.numFailedTests + broken.length === 0) failed += 1;
    } else {
      failed += 1;
      failures.push(`${step.name} (no report)`);
    }
  } else if (code === 0) {
    passed += 1;
  } else {
    failed += 1;
    failures.push(step.name);
  }
  console.log(`${code === 0 ? "✓" : "✗"} ${step.name} (${seconds}s)`);
}

if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
