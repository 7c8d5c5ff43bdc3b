import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "web-app",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The files share their worker's loaded modules (DEVELOPERS.md, "Testing").
    isolate: false,
  },
});
