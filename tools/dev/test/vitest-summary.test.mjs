// pnpm test's count of a vitest run, on a real JSON report: a file whose beforeAll throws leaves its
// tests skipped and vitest's own failed-test count at 0, yet it must count as a failure.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { countVitestReport } from "../vitest-summary.mjs";

const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, "fixtures/hook-throws");
let scratch;
let report;
let exitCode;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "mkp-vitest-summary-"));
  const outputFile = join(scratch, "report.json");
  const vitest = join(import.meta.dirname, "../../../node_modules/vitest/vitest.mjs");
  exitCode = await run(process.execPath, [vitest, "run", "--config", "vitest.config.mjs", "--reporter=json", `--outputFile=${outputFile}`], {
    cwd: FIXTURE,
  }).then(
    () => 0,
    (error) => error.code,
  );
  report = JSON.parse(await readFile(outputFile, "utf8"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

it("a beforeAll that throws counts as one failure, though vitest reports no failed test", () => {
  expect({ exitCode, numFailedTests: report.numFailedTests, numPassedTests: report.numPassedTests }).toEqual({
    exitCode: 1,
    numFailedTests: 0,
    numPassedTests: 1,
  });
  const counted = countVitestReport(report, exitCode);
  expect(counted.passed).toBe(1);
  expect(counted.failed).toBe(1);
  expect(counted.failedFiles.map((file) => file.split("/").at(-1))).toEqual(["hook-throws.fixture.mjs"]);
});

it("a red run with an empty report still counts one failure; a missing report too", () => {
  const empty = { numPassedTests: 0, numFailedTests: 0, testResults: [] };
  expect(countVitestReport(empty, 1)).toEqual({ passed: 0, failed: 1, failedFiles: [] });
  expect(countVitestReport(empty, 0)).toEqual({ passed: 0, failed: 0, failedFiles: [] });
  expect(countVitestReport(undefined, 1).failed).toBe(1);
});
