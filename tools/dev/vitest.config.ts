import { defineProject } from "vitest/config";

// The repository's own scripts (pnpm test's counting); fixtures are run by the tests, never collected.
export default defineProject({
  test: { name: "dev", include: ["test/**/*.test.mjs"], testTimeout: 60_000 },
});
