// How `pnpm test` counts a vitest run from its JSON report: every test that passed or failed counts
// one. A file can fail with no failed test in it — it did not load, or a hook (`beforeAll`,
// `afterAll`) threw, which leaves its tests skipped — so such a file counts as one failure of its own.
// An exit code that says "failed" when the report shows nothing (an unhandled error, a global setup
// that threw) counts as one failure too: a red run never reads `0 failed`.

/**
 * @param {{ numPassedTests: number, numFailedTests: number,
 *   testResults: { name: string, status: string, message?: string, assertionResults: { status: string }[] }[] } | undefined} report
 * @param {number} exitCode vitest's exit code
 * @returns {{ passed: number, failed: number, failedFiles: string[] }} the counts and the files that failed without a failed test
 */
export function countVitestReport(report, exitCode) {
  if (!report) return { passed: 0, failed: 1, failedFiles: [] };
  const failedFiles = report.testResults
    .filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"))
    .map((file) => file.name);
  let failed = report.numFailedTests + failedFiles.length;
  if (exitCode !== 0 && failed === 0) failed = 1;
  return { passed: report.numPassedTests, failed, failedFiles };
}
