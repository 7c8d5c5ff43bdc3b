import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "web-app",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One browser for the file; tests inside it run one after another.
    fileParallelism: false,
  },
});
