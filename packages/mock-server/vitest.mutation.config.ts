import { defineProject } from "vitest/config";

// The suite Stryker runs against each mutant (stryker.config.json): only the tests of the authorize
// and token handling, over real HTTP. Left out (they stay in `pnpm test`): the browser test, the
// CLI test (a child process Stryker cannot trace), the fast-check properties, the resource and
// validator tests. `isolate: false` keeps the modules (and the compiled spec validators) loaded
// between mutant runs: Stryker switches mutants at run time, so nothing needs re-importing.
export default defineProject({
  test: {
    name: "mock-server-mutation",
    include: [
      "test/authorize.test.ts",
      "test/consent-page.test.ts",
      "test/decision.test.ts",
      "test/token.test.ts",
      "test/protected.test.ts",
      "test/state.test.ts",
    ],
    isolate: false,
    testTimeout: 30_000,
  },
});
