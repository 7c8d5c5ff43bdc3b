#!/usr/bin/env node
// `pnpm bench`: measures every suite side by side with its peers, prints a table and writes bench/RESULTS.md.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { defaultLargeSpec, LARGE_SPEC_NAME, runBench, SUITES, type BenchConfig } from "./bench.js";
import { REPO_ROOT } from "./child.js";

const NAMES = SUITES.map((suite) => suite.name).join(",");
const USAGE = `usage: pnpm bench [--quick] [--only ${NAMES}] [--out FILE | --no-write] [--cpu-prof DIR] [--large-spec FILE]

  --quick          a few seconds per measurement: to try the bench, not to quote
  --only LIST      run only these suites (${SUITES.map((suite) => suite.name).join(", ")}; loop runs only when named)
  --out FILE       where to write the report (default: bench/RESULTS.md)
  --no-write       print the table, write nothing
  --cpu-prof DIR   write V8 CPU profiles of the client-overhead process into DIR
  --large-spec F   the large spec for the scaling measurements (default: Stripe's, from ../shared/fixtures)
`;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
    "no-write": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    "large-spec": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const only = values.only ? new Set(values.only.split(",").map((name) => name.trim())) : undefined;
const unknown = [...(only ?? [])].filter((name) => !SUITES.some((suite) => suite.name === name));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite(s): ${unknown.join(", ")}\n\n${USAGE}`);
  process.exit(2);
}
const wanted = (name: string) => !only || only.has(name);
const quick = values.quick;
const cpuProfileDir = values["cpu-prof"] ? resolve(values["cpu-prof"]) : undefined;

// The full run: ~5–8 minutes on a busy 2-core machine.
const config: BenchConfig = {
  client: wanted("client") && {
    // 48 turns per block for a steady median turn, 41 blocks for the median of the block ratios.
    network: quick ? { batch: 20, roundsPerBlock: 8, blocks: 3, warmupRequests: 100 } : { batch: 20, roundsPerBlock: 48, blocks: 41, warmupRequests: 2000 },
    inProcess: quick ? { batch: 250, roundsPerBlock: 4, blocks: 3, warmupRequests: 500 } : { batch: 250, roundsPerBlock: 8, blocks: 11, warmupRequests: 3000 },
    cpuProfileDir,
  },
  codegen: wanted("codegen") && { rounds: quick ? 1 : 3, generateOurSpec: true, noopBuild: true },
  typecheck: wanted("typecheck") && { rounds: quick ? 1 : 3, smallRounds: quick ? 1 : 4, maxOperations: quick ? 50 : undefined },
  sandbox: wanted("sandbox") && { rounds: quick ? 1 : 3, exchanges: quick ? 200 : 2000 },
  docs: wanted("docs") && { buildRounds: quick ? 1 : 2, loadRounds: quick ? 1 : 3 },
  batch: wanted("batch") && {
    models: quick ? 40 : 1000,
    concurrencies: [1, 4, 8, 16],
    fixMs: 200,
    pollMs: 50,
    rateLimit: { perSecond: 20, models: quick ? 20 : 300, concurrency: 8 },
    memoryModels: quick ? 10 : 100,
  },
  size: wanted("size"),
  // Named only: it clones the repository and runs the whole `pnpm test` (4 minutes or more).
  loop: only?.has("loop") === true && { sourceFile: "packages/docs/samples/listItems/sample.ts", testFile: "tools/codegen/test/codegen.test.ts" },
  largeSpec: values["large-spec"] ? resolve(values["large-spec"]) : defaultLargeSpec(),
  largeSpecName: values["large-spec"] ? "the given large spec" : LARGE_SPEC_NAME,
  out: values["no-write"] ? undefined : resolve(values.out ?? resolve(REPO_ROOT, "bench/RESULTS.md")),
  command: `pnpm bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`,
  log: (line) => console.error(line),
};

const result = await runBench(config);
console.log(result.text);
if (config.out) console.log(`\nwrote ${config.out}`);
if (result.failed.length) {
  console.error(`\n${result.failed.length} measurement(s) failed:\n${result.failed.map((f) => `  - ${f}`).join("\n")}`);
  process.exitCode = 1;
}
