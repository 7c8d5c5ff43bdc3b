import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import mutationSuite from "../vitest.mutation.config.js";

// `pnpm test` (and so CI) runs Stryker in incremental mode from the committed
// stryker-incremental.json: only mutants whose source or covering test file changed are tested
// again. This keeps that file in step with the code, so CI stays fast and its score is the one the
// README reports. Refresh it with `pnpm test:mutation oauth` and commit it.
const root = new URL("../", import.meta.url);
const read = (path: string) => readFile(new URL(path, root), "utf8");
const incremental = JSON.parse(await read("stryker-incremental.json")) as {
  files: Record<string, { source: string; mutants: { status: string }[] }>;
  testFiles: Record<string, { source: string }>;
};
const stryker = JSON.parse(await read("stryker.config.json")) as { mutate: string[]; thresholds: { break: number } };

const tree = async (dir: string) => (await readdir(new URL(dir, root), { recursive: true })).map((name) => `${dir}/${name}`);
const excluded = (list: readonly string[] | undefined) => new Set(list ?? []);

describe("stryker-incremental.json (the mutation-test baseline CI starts from)", () => {
  it("records the mutated source files as they are now", async () => {
    // stryker.config.json mutates src/**/*.ts except the files it lists with "!".
    const skipped = excluded(stryker.mutate.filter((glob) => glob.startsWith("!")).map((glob) => glob.slice(1)));
    expect(stryker.mutate.filter((glob) => !glob.startsWith("!"))).toEqual(["src/**/*.ts"]);
    const mutated = (await tree("src")).filter((path) => path.endsWith(".ts") && !skipped.has(path)).sort();
    expect(Object.keys(incremental.files).sort()).toEqual(mutated);
    const stale = [];
    for (const path of mutated) if ((await read(path)) !== incremental.files[path]!.source) stale.push(path);
    expect(stale, "stale: run `pnpm test:mutation oauth` and commit packages/oauth/stryker-incremental.json").toEqual([]);
  });

  it("records the mutation suite's test files as they are now", async () => {
    const skipped = excluded(mutationSuite.test?.exclude);
    const suite = (await tree("test")).filter((path) => path.endsWith(".test.ts") && !skipped.has(path)).sort();
    expect(Object.keys(incremental.testFiles).sort()).toEqual(suite);
    const stale = [];
    for (const path of suite) if ((await read(path)) !== incremental.testFiles[path]!.source) stale.push(path);
    expect(stale, "stale: run `pnpm test:mutation oauth` and commit packages/oauth/stryker-incremental.json").toEqual([]);
  });

  it("holds a score at or above the break threshold", () => {
    const count: Record<string, number> = {};
    for (const file of Object.values(incremental.files)) for (const { status } of file.mutants) count[status] = (count[status] ?? 0) + 1;
    const detected = (count["Killed"] ?? 0) + (count["Timeout"] ?? 0);
    const score = (100 * detected) / (detected + (count["Survived"] ?? 0) + (count["NoCoverage"] ?? 0));
    expect(score).toBeGreaterThanOrEqual(stryker.thresholds.break);
  });
});
