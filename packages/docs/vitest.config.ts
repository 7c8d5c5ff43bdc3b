import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "docs",
    // The files share their worker's loaded modules (DEVELOPERS.md, "Testing").
    isolate: false,
    include: ["test/**/*.test.ts"],
    // A real browser and real child processes: give them room on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
