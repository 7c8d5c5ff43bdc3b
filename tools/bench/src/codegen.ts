import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { lastJson, runOk, worker, type ChildResult } from "./child.js";
import type { CodegenWorkerResult } from "./codegen-worker.js";
import type { Section, Table } from "./report.js";
import { formatNumber, formatRatio, formatSpread, median, spread } from "./stats.js";
import { createRequire } from "node:module";

export interface CodegenOptions {
  /** Runs of every measurement (interleaved). */
  rounds: number;
  /** The large spec, already copied to a temporary folder. */
  largeSpec: string;
  /** What to call it in the report. */
  largeSpecName: string;
  /** A temporary folder for outputs. */
  workDir: string;
  /** Time `pnpm generate` in the repository (it rewrites nothing when the generated files are fresh). */
  generateOurSpec: boolean;
  /** Time the no-op `pnpm build`. */
  noopBuild: boolean;
  /** Also run openapi-typescript's API in the same worker (separates the worker's cost from our stages'). Default: true. */
  apiHarness?: boolean;
}

export const TARGET = 1.2;
const OURS = "our pipeline (`pnpm generate`'s stages)";
const OTS_CLI = "openapi-typescript CLI alone";
const OTS_API = "openapi-typescript API alone (same worker)";

const require = createRequire(import.meta.url);
const OTS_BIN = join(require.resolve("openapi-typescript/package.json"), "../bin/cli.js");

interface Run {
  variant: string;
  round: number;
  wallMs: number;
  cpuSeconds: number;
  maxRssKb: number;
  stages?: Record<string, number>;
}

const mb = (kb: number) => kb / 1024;
const measured = (child: ChildResult) => ({ wallMs: child.wallMs, cpuSeconds: child.cpuSeconds ?? Number.NaN, maxRssKb: child.maxRssKb ?? Number.NaN });

async function codegenWorker(mode: "pipeline" | "openapi-typescript", spec: string, out: string): Promise<{ child: ChildResult; result: CodegenWorkerResult }> {
  // The worker loads the generator as `pnpm generate` does: its TypeScript sources, through tsx.
  const { file, execArgv } = worker("codegen-worker");
  // Run in the spec's folder, away from the repository's redocly.yaml.
  const child = await runOk(process.execPath, [...execArgv, file, mode, spec, out], { measureMemory: true, cwd: dirname(spec) });
  return { child, result: lastJson<CodegenWorkerResult>(child) };
}

/** Runs every variant once per round, in a rotated order. */
async function interleave(rounds: number, variants: [string, () => Promise<Omit<Run, "variant" | "round">>][]): Promise<Run[]> {
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const [variant, measure] = variants[(i + round) % variants.length]!;
      runs.push({ variant, round, ...(await measure()) });
    }
  }
  return runs;
}

function ratiosPerRound(runs: readonly Run[], variant: string, against: string, pick: (run: Run) => number): number[] {
  return [...new Set(runs.map((r) => r.round))].flatMap((round) => {
    const a = runs.find((r) => r.round === round && r.variant === variant);
    const b = runs.find((r) => r.round === round && r.variant === against);
    return a && b ? [pick(a) / pick(b)] : [];
  });
}

function runTable(runs: readonly Run[], against?: string): Table {
  const variants = [...new Set(runs.map((r) => r.variant))];
  const columns = ["", "wall s", "CPU s", "peak memory MB"];
  if (against) columns.push("wall vs CLI", "CPU vs CLI", "memory vs CLI");
  return {
    columns,
    rows: variants.map((variant) => {
      const mine = runs.filter((r) => r.variant === variant);
      const row = [
        variant,
        formatSpread(spread(mine.map((r) => r.wallMs / 1000))),
        formatSpread(spread(mine.map((r) => r.cpuSeconds))),
        formatSpread(spread(mine.map((r) => mb(r.maxRssKb)))),
      ];
      if (against) {
        for (const pick of [(r: Run) => r.wallMs, (r: Run) => r.cpuSeconds, (r: Run) => r.maxRssKb]) {
          row.push(variant === against ? "1" : formatSpread(spread(ratiosPerRound(runs, variant, against, pick)), "×"));
        }
      }
      return row;
    }),
  };
}

/** Our pipeline, openapi-typescript's CLI and (unless told not to) its API on the large spec, interleaved. */
function runLargeSpec(options: CodegenOptions, out: (name: string) => string): Promise<Run[]> {
  const { rounds, largeSpec } = options;
  return interleave(rounds, [
    [
      OURS,
      async () => {
        const { child, result } = await codegenWorker("pipeline", largeSpec, out("pipeline"));
        return { ...measured(child), stages: result.stages };
      },
    ],
    [
      OTS_CLI,
      async () => {
        await mkdir(out("cli"), { recursive: true });
        // In the spec's folder: in the repository, the CLI would pick up our redocly.yaml's APIs instead.
        const child = await runOk(process.execPath, [OTS_BIN, largeSpec, "-o", join(out("cli"), "schema.ts")], {
          measureMemory: true,
          cwd: dirname(largeSpec),
        });
        return measured(child);
      },
    ],
    ...(options.apiHarness === false
      ? []
      : [
          [
            OTS_API,
            async () => {
              const { child, result } = await codegenWorker("openapi-typescript", largeSpec, out("api"));
              return { ...measured(child), stages: result.stages };
            },
          ] as [string, () => Promise<Omit<Run, "variant" | "round">>],
        ]),
  ]);
}

/** `pnpm build` `count` times: the first may have work to do, the others are no-op builds. */
function runBuilds(count: number): Promise<Run[]> {
  return interleave(count, [
    [
      "no-op `pnpm build` (turbo, all cached)",
      async () => {
        const child = await runOk("pnpm", ["build"], { measureMemory: true });
        const cached = /Cached:\s+(\d+) cached, (\d+) total/.exec(child.stdout);
        return { ...measured(child), stages: { cached: Number(cached?.[1]), total: Number(cached?.[2]) } };
      },
    ],
  ]);
}

/** Where the in-process time of our pipeline and of openapi-typescript's API goes, stage by stage. */
function stagesTable(large: readonly Run[], largeSpecName: string): Table {
  const stageNames = [...new Set(large.flatMap((r) => (r.variant === OURS || r.variant === OTS_API ? Object.keys(r.stages ?? {}) : [])))];
  return {
    caption: `Where our pipeline's time goes on ${largeSpecName} (in-process ms, median):`,
    columns: ["stage", OURS, OTS_API],
    rows: stageNames.map((stage) => [
      stage,
      ...[OURS, OTS_API].map((variant) => {
        const values = large.filter((r) => r.variant === variant && r.stages?.[stage] !== undefined).map((r) => r.stages![stage]!);
        return values.length ? formatNumber(median(values)) : "–";
      }),
    ]),
  };
}

/** `pnpm generate` on our spec, our pipeline vs openapi-typescript on the large spec, and the no-op build. */
export async function measureCodegen(options: CodegenOptions): Promise<Section & { largeSchema: string }> {
  const { rounds, workDir } = options;
  const out = (name: string) => join(workDir, name);

  const ourSpec = await interleave(options.generateOurSpec ? rounds : 0, [
    [
      "`pnpm generate` (our spec)",
      async () => {
        const child = await runOk("pnpm", ["generate"], { measureMemory: true });
        return measured(child);
      },
    ],
  ]);

  const large = await runLargeSpec(options, out);
  const build = await runBuilds(options.noopBuild ? rounds + 1 : 0);
  // The first build may have had work to do; the ones after it are the no-op builds.
  const noop = build.filter((r) => r.round > 0);
  const allCached = noop.every((r) => r.stages?.cached === r.stages?.total);

  const stageTable = stagesTable(large, options.largeSpecName);
  const ratio = median(ratiosPerRound(large, OURS, OTS_CLI, (r) => r.cpuSeconds));
  const wallRatio = median(ratiosPerRound(large, OURS, OTS_CLI, (r) => r.wallMs));
  const apiRatio = median(ratiosPerRound(large, OURS, OTS_API, (r) => r.cpuSeconds));
  return {
    title: "Code generation",
    method:
      `Each command runs in a child process of its own; wall time is measured around it and peak memory is ` +
      `\`/usr/bin/time -v\`'s maximum resident set size (for \`pnpm\` commands: the largest process of the tree) and its ` +
      `user + system CPU time, which the verdict uses because other work shares the machine. ` +
      `${rounds} runs of each, interleaved. On ${options.largeSpecName}, copied to a temporary folder, our pipeline is ` +
      `the stages of \`generate()\` from \`tools/codegen\` that apply to any spec, in its order — one Redocly parse, check ` +
      `(openapi-typescript's rules) and bundle, the bundled JSON, openapi-typescript's transform of the bundled document — ` +
      `with the generator loaded as \`pnpm generate\` loads it (its TypeScript sources, through tsx); ` +
      `the spec-constant emitter is left out because it requires Makeprintable's own ` +
      `security schemes (it takes about a millisecond on our spec). It is compared with openapi-typescript's CLI on ` +
      `the same file, and with openapi-typescript's \`openapiTS()\` in the same worker process (which separates the worker's ` +
      `cost from the cost of our stages). The no-op build is \`pnpm build\` (\`turbo run build\`) run once, then ${rounds} more times with nothing changed.`,
    tables: [
      ...(ourSpec.length ? [{ caption: "Our spec:", ...runTable(ourSpec) }] : []),
      { caption: `${options.largeSpecName}:`, ...runTable(large, OTS_CLI) },
      stageTable,
      ...(noop.length ? [{ caption: "No-op build:", ...runTable(noop) }] : []),
    ],
    headlines: [
      ...(ourSpec.length
        ? [
            {
              what: "`pnpm generate` on our spec (wall)",
              result: formatSpread(spread(ourSpec.map((r) => r.wallMs / 1000)), "s"),
              target: "",
              verdict: "" as const,
            },
          ]
        : []),
      {
        what: `our pipeline vs openapi-typescript CLI alone, ${options.largeSpecName}`,
        result: `${formatRatio(ratio)} CPU, ${formatRatio(wallRatio)} wall`,
        target: `≤ ${TARGET.toFixed(1)}×`,
        verdict: ratio <= TARGET ? "met" : "missed",
      },
      ...(options.apiHarness === false
        ? []
        : [{ what: `our pipeline vs openapi-typescript API in the same worker (CPU)`, result: formatRatio(apiRatio), target: "", verdict: "" as const }]),
      ...(noop.length
        ? [
            {
              what: "no-op `pnpm build` (turbo cache)",
              result: `${formatSpread(spread(noop.map((r) => r.wallMs / 1000)), "s")}${allCached ? "" : " (not every task was cached!)"}`,
              target: "",
              verdict: "" as const,
            },
          ]
        : []),
    ],
    notes: allCached ? [] : ["Some no-op builds were not served entirely from turbo's cache: see the task counts in the build output."],
    largeSchema: join(out("cli"), "schema.ts"),
  };
}
