import { defineProject } from "vitest/config";

// The suite Stryker runs against each mutant (stryker.config.json): the runtime tests, without the
// type tests (`*.test-d.ts`), which a mutant of the runtime code cannot fail.
export default defineProject({
  test: {
    name: "client-mutation",
    include: ["test/**/*.test.ts"],
  },
});
