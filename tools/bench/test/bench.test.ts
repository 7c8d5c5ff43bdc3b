import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runBench, type BenchResult } from "../src/bench.js";
import { REPO_ROOT, TSX_IMPORT } from "../src/child.js";
import { describeCommit, sampleLoad } from "../src/machine.js";
import { BARE, blockRatios, meanMicros, medianMicros, OURS, RAW } from "../src/client-overhead.js";
import type { ClientBlockResult } from "../src/client-worker.js";
import { renderMarkdown, type Section } from "../src/report.js";
import { formatNumber, formatSpread, median, spread } from "../src/stats.js";
import { consumerSource, operationsOf } from "../src/typecheck.js";

const run = promisify(execFile);

describe("statistics", () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])("median of %j is %d", (values, want) => {
    expect(median(values)).toBe(want);
  });

  it("formats a spread as median (min–max)", () => {
    expect(formatSpread(spread([0.95, 0.97, 1.01]), "×")).toBe("0.970× (0.950–1.01)");
    expect(formatSpread(spread([2]), "s")).toBe("2.00 s");
    expect(formatNumber(12345.6)).toBe("12 346");
  });
});

describe("client CPU per request in a block", () => {
  const block = (variant: string, turnCpuP50Ms: number, turnCpuMeanMs: number, batch: number): ClientBlockResult => ({
    variant,
    block: 0,
    batch,
    turns: 4,
    turnCpuP50Ms,
    turnCpuMeanMs,
    rme: 1,
    wallMs: 1,
  });

  it("is tinybench's median (or mean) turn over the requests per turn", () => {
    const r = block("v", 0.42, 0.715, 4);
    expect(medianMicros(r)).toBeCloseTo(105, 9);
    expect(meanMicros(r)).toBeCloseTo(178.75, 9);
  });

  it("gives block ratios of requests per CPU-second against the peer, by the median turn unless told", () => {
    const results = [block(BARE, 0.4, 0.8, 4), block(OURS[0], 0.44, 0.44, 4)];
    expect(blockRatios(results, OURS[0], BARE)[0]).toBeCloseTo(100 / 110, 12);
    expect(blockRatios(results, OURS[0], BARE, meanMicros)[0]).toBeCloseTo(800 / 440, 12);
  });
});

describe("consumer generation", () => {
  it("finds every operation of our spec in openapi-typescript's output", async () => {
    const { OPERATIONS } = await import("@mkp/client/internal");
    const schema = await readFile(resolve(REPO_ROOT, "packages/client/src/generated/schema.ts"), "utf8");
    const found = operationsOf(schema).map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(found.sort()).toEqual(
      Object.values(OPERATIONS)
        .map((op) => `${op.method} ${op.path}`)
        .sort(),
    );
  });

  it("writes one typed call per operation", () => {
    const source = consumerSource('import type { paths } from "x";', "make()", [{ path: "/items/{id}", method: "get" }]);
    expect(source).toContain('declare const init0: MaybeOptionalInit<paths["/items/{id}"], "get">;');
    expect(source).toContain('await client.GET("/items/{id}", init0);');
  });
});

describe("pnpm bench, with tiny counts", () => {
  let dir: string;
  let result: BenchResult;
  let written: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mkp-bench-test-"));
    const out = join(dir, "RESULTS.md");
    result = await runBench({
      client: {
        network: { batch: 5, roundsPerBlock: 4, blocks: 2, warmupRequests: 5 },
        inProcess: { batch: 20, roundsPerBlock: 1, blocks: 2, warmupRequests: 20 },
      },
      // Our own small spec stands in for the large one; nothing in the repository is regenerated or rebuilt.
      codegen: { rounds: 1, generateOurSpec: false, noopBuild: false, apiHarness: false },
      typecheck: { rounds: 1, smallRounds: 1, largeScale: false },
      sandbox: { rounds: 1, exchanges: 20 },
      // The docs are built by `pnpm test`'s build step already: load the page, skip timing another build.
      docs: { buildRounds: 0, loadRounds: 1 },
      batch: { models: 4, concurrencies: [1, 2], fixMs: 20, pollMs: 5, rateLimit: { perSecond: 20, models: 4, concurrency: 2 }, memoryModels: 2 },
      size: true,
      // The test loops run the whole `pnpm test` on a clone: measured only when named, never here.
      loop: false,
      largeSpec: resolve(REPO_ROOT, "spec/openapi.yaml"),
      largeSpecName: "our spec as the large one",
      out,
      command: "vitest",
      log: () => {},
    });
    written = await readFile(out, "utf8");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("measures everything it can without a failure", () => {
    expect(result.failed).toEqual([]);
  });

  it("writes the markdown it returns, with the run's facts and every section", () => {
    expect(written).toBe(result.markdown);
    expect(written).toMatch(/^# Benchmark results\n/);
    expect(written).toMatch(/\| Node \| v\d+\.\d+\.\d+ \|/);
    expect(written).toMatch(/\| date \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \|/);
    const headings = [...written.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      "Summary",
      "1. Client overhead",
      "2. Code generation",
      "3. Consumer type-check",
      "4. Sandbox token exchanges",
      "5. Docs",
      "6. Batch repair",
      "7. Bundle sizes",
      "8. Test loops",
    ]);
    expect(written).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("keeps every markdown table rectangular", () => {
    const tables = written.split("\n\n").filter((block) => block.startsWith("| "));
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) {
      const widths = table
        .trim()
        .split("\n")
        .map((line) => line.replaceAll("\\|", "").split("|").length);
      expect(new Set(widths).size, table).toBe(1);
    }
  });

  it("compares every client variant with bare openapi-fetch over the network", () => {
    const client = result.sections[0] as Section & { network: ClientBlockResult[] };
    const variants = new Set(client.network.map((r) => r.variant));
    expect([...variants].sort()).toEqual([...OURS, BARE, RAW, "axios"].sort());
    for (const r of client.network) {
      expect(r.batch * r.turns).toBe(20);
      expect(r.turnCpuMeanMs).toBeGreaterThan(0);
      expect(r.turnCpuP50Ms).toBeGreaterThan(0);
    }
    const summary = written.slice(written.indexOf("## Summary"), written.indexOf("## 1."));
    expect(summary).toMatch(
      /\| @mkp\/client \(API key\) vs bare openapi-fetch \(requests per client CPU-second\) \| \d+\.\d{3}× \| ≥ 0\.93× \| (✓ met|✗ missed) \|/,
    );
    expect(summary).toMatch(/\| @mkp\/client \(API key\) vs bare openapi-fetch, mean turn \(secondary\) \| \d+\.\d{3}× \| – \| – \|/);
    expect(written).toContain("| variant | requests / CPU-s | vs bare openapi-fetch | vs raw fetch | vs bare, mean turn | vs raw, mean turn |");
  });

  it("compares our generator with openapi-typescript and type-checks both consumers", () => {
    expect(written).toMatch(/\| our pipeline \(`pnpm generate`'s stages\) \| [\d.]+ \|/);
    expect(written).toMatch(/\| openapi-typescript CLI alone \| [\d.]+ \|/);
    expect(written).toMatch(/\| through `@mkp\/client` \| [\d.]+ \|/);
    expect(written).toMatch(/\| through bare openapi-fetch \| [\d.]+ \|/);
  });

  it("says what was not measured, and why, instead of inventing figures", () => {
    for (const section of result.sections.filter((s) => s.notMeasured !== undefined)) {
      expect(section.notMeasured).not.toBe("");
      expect(written).toContain(`Not measured: ${section.notMeasured}`);
    }
  });
});

describe("the report", () => {
  it("renders a section that was not measured with its reason", () => {
    const markdown = renderMarkdown({ date: "d", machine: "m", node: "v20", commit: "c", command: "pnpm bench", durationSeconds: 1, load: "1" }, [
      { title: "Docs", method: "", tables: [], headlines: [], notes: [], notMeasured: "@mkp/docs has not landed" },
    ]);
    expect(markdown).toContain("## 1. Docs\n\nNot measured: @mkp/docs has not landed");
  });

  it("describes the load average sampled during the run, not only at its ends", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const sampler = sampleLoad(5);
      vi.advanceTimersByTime(30);
      const described = sampler.stop();
      expect(described).toMatch(/^median \d+\.\d\d, \d+\.\d\d–\d+\.\d\d \(8 samples, every 0\.005 s\)$/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("runs from its TypeScript sources through tsx, as `pnpm bench` does", async () => {
    const cli = resolve(REPO_ROOT, "tools/bench/src/cli.ts");
    const help = await run(process.execPath, [...TSX_IMPORT, cli, "--help"], { cwd: REPO_ROOT });
    expect(help.stdout).toMatch(/^usage: pnpm bench/);
  });

  it("names the commit, and does not count the report it is about to overwrite as a change", async () => {
    const head = (await run("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT })).stdout.trim();
    const dirty = (
      await run("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/RESULTS.md"], { cwd: REPO_ROOT })
    ).stdout.trim();
    expect(describeCommit(resolve(REPO_ROOT, "bench/RESULTS.md"))).toBe(dirty ? `${head}+changes` : head);
  });

  it("names the commit when the report goes outside the repository", async () => {
    const head = (await run("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT })).stdout.trim();
    const dirty = (await run("git", ["status", "--porcelain", "--untracked-files=no", "--", "."], { cwd: REPO_ROOT })).stdout.trim();
    expect(describeCommit(join(tmpdir(), "RESULTS.md"))).toBe(dirty ? `${head}+changes` : head);
  });
});
