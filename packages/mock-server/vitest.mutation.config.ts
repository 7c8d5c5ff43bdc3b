import { defineProject } from "vitest/config";

// The suite Stryker runs against each mutant (stryker.config.json): the in-process tests only.
// Left out: the browser test, the CLI test (a child process Stryker cannot trace) and the slow
// fast-check properties; all three stay in `pnpm test`.
export default defineProject({
  test: {
    name: "mock-server-mutation",
    include: ["test/**/*.test.ts"],
    exclude: ["test/consent-page.browser.test.ts", "test/cli.test.ts", "test/properties.test.ts"],
    testTimeout: 30_000,
  },
});
