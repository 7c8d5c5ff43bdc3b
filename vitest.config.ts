import { defineConfig } from "vitest/config";

// One run over every workspace package that has a vitest config of its own.
export default defineConfig({
  test: {
    // Every run first builds what its projects load (cached when nothing changed): see the file.
    globalSetup: ["tools/dev/fresh-builds.mjs"],
    projects: ["packages/*/vitest.config.ts", "tools/*/vitest.config.ts", "examples/*/vitest.config.ts"],
  },
});
