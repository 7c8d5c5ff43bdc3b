import { defineConfig } from "vitest/config";

// One run over every workspace package that has a vitest config of its own.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "tools/*/vitest.config.ts", "examples/*/vitest.config.ts"],
  },
});
