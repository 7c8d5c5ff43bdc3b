import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// One run over every workspace package that has a vitest config of its own.
export default defineConfig({
  test: {
    // Every run first builds what its projects load (cached when nothing changed): see the file.
    globalSetup: ["tools/dev/fresh-builds.mjs"],
    // One test file per core. Vitest's default leaves one core free (one worker on a 2-core
    // machine), but most files here wait on child processes, sockets and a browser, not on the CPU.
    maxWorkers: availableParallelism(),
    projects: ["packages/*/vitest.config.ts", "tools/*/vitest.config.ts", "examples/*/vitest.config.ts"],
  },
});
