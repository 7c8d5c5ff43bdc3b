import { defineProject } from "vitest/config";

// The suite Stryker runs against each mutant (stryker.config.json): the in-process tests only.
// Left out: the browser test (Chromium runs the esbuild bundle, not Stryker's instrumented source),
// the oidc-provider interop test (slow to start; the sandbox tests drive the same code), the type
// tests, and the check of the committed baseline (mutation-baseline.test.ts). All of them stay in
// `pnpm test`.
export default defineProject({
  test: {
    name: "oauth-mutation",
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser.test.ts", "test/interop-oidc-provider.test.ts", "test/mutation-baseline.test.ts"],
  },
});
