import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "mock-server",
    // The files share their worker's loaded modules (DEVELOPERS.md, "Testing").
    isolate: false,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
