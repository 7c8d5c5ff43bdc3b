import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "oauth",
    // The files share their worker's loaded modules (DEVELOPERS.md, "Testing").
    isolate: false,
    include: ["test/**/*.test.ts"],
    // oidc-provider (the third-party server of the interop tests) announces its development defaults.
    onConsoleLog: (log) => !log.startsWith("oidc-provider "),
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
