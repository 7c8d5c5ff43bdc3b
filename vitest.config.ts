import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The projects whose files copy, build or install the repository (the spec-edit loop, the packed
 * packages' consumer): the longest files of the run. Vitest runs projects in name order, so these
 * would start in the middle of the run and the run would end waiting on one of them; they start first.
 */
const STARTS_FIRST = ["e2e", "release"];

class LongestProjectsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const at = STARTS_FIRST.indexOf(file.project.name);
      return at === -1 ? STARTS_FIRST.length : at;
    };
    // Array sort is stable: within a rank, vitest's own order (longest known first) stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

// One run over every workspace package that has a vitest config of its own.
export default defineConfig({
  test: {
    // Every run first builds what its projects load (cached when nothing changed): see the file.
    globalSetup: ["tools/dev/fresh-builds.mjs"],
    // One test file per core. Vitest's default leaves one core free (one worker on a 2-core
    // machine), but most files here wait on child processes, sockets and a browser, not on the CPU.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestProjectsFirst },
    projects: ["packages/*/vitest.config.ts", "tools/*/vitest.config.ts", "examples/*/vitest.config.ts"],
  },
});
