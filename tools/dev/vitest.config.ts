import { defineProject } from "vitest/config";

// The repository's own scripts (pnpm test's counting); fixtures are run by the tests, never collected.
export default defineProject({
  // The tests start vitest on fixtures: a second or two alone, many more under load.
  test: { name: "dev", isolate: false, include: ["test/**/*.test.mjs"], testTimeout: 60_000, hookTimeout: 60_000 },
});
