import { defineProject } from "vitest/config";

// The suite Stryker runs against each mutant (stryker.config.json): the in-process tests only.
// Left out: the browser test and the CLI/smoke tests (they run the built `dist`, which Stryker does
// not mutate) and the type tests; the interop test against oidc-provider stays in `pnpm test`.
export default defineProject({
  test: {
    name: "oauth-mutation",
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser.test.ts", "test/cli.test.ts", "test/smoke.test.ts", "test/interop-oidc-provider.test.ts"],
    onConsoleLog: (log) => !log.startsWith("oidc-provider "),
  },
});
