import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "client",
    // The files share their worker's loaded modules (DEVELOPERS.md, "Testing").
    isolate: false,
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
