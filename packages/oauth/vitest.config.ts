import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "oauth",
    include: ["test/**/*.test.ts"],
    // oidc-provider (the third-party server of the interop tests) announces its development defaults.
    onConsoleLog: (log) => !log.startsWith("oidc-provider "),
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
