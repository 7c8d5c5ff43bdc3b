import { defineProject } from "vitest/config";

export default defineProject({
  // Child processes (servers, tsc, the generator) under a busy machine: generous per-test time.
  test: { name: "bench", isolate: false, include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
