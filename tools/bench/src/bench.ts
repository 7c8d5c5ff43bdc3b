import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { measureBatch, type BatchOptions } from "./batch.js";
import { REPO_ROOT } from "./child.js";
import { measureClientOverhead, type ClientOverheadOptions } from "./client-overhead.js";
import { measureCodegen, type CodegenOptions } from "./codegen.js";
import { measureLoop, type LoopOptions } from "./loop.js";
import { describeCommit, describeMachine, load, sampleLoad } from "./machine.js";
import { notMeasured, renderMarkdown, renderText, type RunInfo, type Section } from "./report.js";
import { docsAvailable, measureDocs, type DocsOptions } from "./docs.js";
import { measureSandbox, sandboxAvailable, type SandboxOptions } from "./sandbox.js";
import { measureSizes, sizeLimitAvailable } from "./size.js";
import { measureTypecheck, type TypecheckOptions } from "./typecheck.js";

/** The large real spec the scaling measurements use, looked up next to the repository. */
export const LARGE_SPEC_NAME = "Stripe's spec (4.2 MB YAML)";
export function defaultLargeSpec(): string | undefined {
  const candidates = [
    process.env.MKP_BENCH_LARGE_SPEC,
    resolve(REPO_ROOT, "../shared/fixtures/stripe-openapi-2023-09.yaml"),
    resolve(REPO_ROOT, "../../shared/fixtures/stripe-openapi-2023-09.yaml"),
  ];
  return candidates.find((file): file is string => file !== undefined && file !== "" && existsSync(file));
}

/** What to measure and how much; `false` skips a measurement. */
export interface BenchConfig {
  client: ClientOverheadOptions | false;
  codegen: Omit<CodegenOptions, "workDir" | "largeSpec" | "largeSpecName"> | false;
  /** `largeScale: false` type-checks our spec only. */
  typecheck: (Omit<TypecheckOptions, "workDir" | "largeSchema" | "largeSpecName"> & { largeScale?: boolean }) | false;
  sandbox: SandboxOptions | false;
  docs: DocsOptions | false;
  batch: BatchOptions | false;
  size: boolean;
  /** The test loops on a fresh clone; only when asked for by name (it runs the whole `pnpm test`). */
  loop: Omit<LoopOptions, "workDir"> | false;
  /** The large spec (copied to a temporary folder before use); undefined: not measured. */
  largeSpec: string | undefined;
  largeSpecName: string;
  /** Where to write the markdown report; undefined: don't write. */
  out: string | undefined;
  command: string;
  log: (line: string) => void;
}

/** The report, and whether any measurement failed (rather than being skipped). */
export interface BenchResult {
  sections: Section[];
  markdown: string;
  text: string;
  failed: string[];
}

/** What every suite is given: the run's settings, a temporary folder, and what earlier suites left for later ones. */
export interface SuiteContext {
  config: BenchConfig;
  workDir: string;
  /** A temporary copy of the large spec, when there is one. */
  largeSpec: string | undefined;
  /** openapi-typescript's output for the large spec, written by the codegen suite for the type-check suite. */
  largeSchema?: string | undefined;
}

/**
 * One measurement of `pnpm bench`, reported as one section of bench/RESULTS.md. To add one: a
 * module with its `measure…` function, an entry here, its options in {@link BenchConfig} and in
 * cli.ts (a quick and a full size); see tools/bench/README.md.
 */
export interface Suite {
  /** The name `--only` takes. */
  name: string;
  title: string;
  /** Why it cannot run in this configuration (skipped, an input missing), or undefined. */
  unavailable(context: SuiteContext): string | undefined;
  run(context: SuiteContext): Promise<Section>;
}

/** The suites, in the order they run and are reported. */
export const SUITES: readonly Suite[] = [
  {
    name: "client",
    title: "Client overhead",
    unavailable: ({ config }) => (config.client ? undefined : "skipped"),
    run: ({ config }) => measureClientOverhead(config.client as ClientOverheadOptions),
  },
  {
    name: "codegen",
    title: "Code generation",
    unavailable: ({ config, largeSpec }) => (!config.codegen ? "skipped" : largeSpec ? undefined : "the large spec was not found (set MKP_BENCH_LARGE_SPEC)"),
    async run(context) {
      const options = context.config.codegen as Exclude<BenchConfig["codegen"], false>;
      const section = await measureCodegen({
        ...options,
        largeSpec: context.largeSpec!,
        largeSpecName: context.config.largeSpecName,
        workDir: context.workDir,
      });
      context.largeSchema = section.largeSchema;
      return section;
    },
  },
  {
    name: "typecheck",
    title: "Consumer type-check",
    unavailable: ({ config }) => (config.typecheck ? undefined : "skipped"),
    run(context) {
      const { largeScale = true, ...options } = context.config.typecheck as Exclude<BenchConfig["typecheck"], false>;
      const largeSchema = largeScale ? context.largeSchema : undefined;
      return measureTypecheck({ ...options, largeSchema, largeSpecName: context.config.largeSpecName, workDir: context.workDir });
    },
  },
  {
    name: "sandbox",
    title: "Sandbox token exchanges",
    unavailable: ({ config }) => (!config.sandbox ? "skipped" : sandboxAvailable() ? undefined : "@mkp/mock-server and its benchmark script have not landed"),
    run: ({ config }) => measureSandbox(config.sandbox as SandboxOptions),
  },
  {
    name: "docs",
    title: "Docs",
    unavailable: ({ config }) =>
      !config.docs ? "skipped" : docsAvailable() ? undefined : "@mkp/docs has not landed (its build script is still the scaffold's placeholder)",
    run: ({ config }) => measureDocs(config.docs as DocsOptions),
  },
  {
    name: "batch",
    title: "Batch repair",
    unavailable: ({ config }) => (config.batch ? undefined : "skipped"),
    run: ({ config }) => measureBatch(config.batch as BatchOptions),
  },
  {
    name: "size",
    title: "Bundle sizes",
    unavailable: ({ config }) => (!config.size ? "skipped" : sizeLimitAvailable() ? undefined : "the size-limit configuration (`.size-limit.json`) is missing"),
    run: () => measureSizes(),
  },
  {
    name: "loop",
    title: "Test loops",
    unavailable: ({ config }) => (config.loop ? undefined : "skipped (runs only with --only loop)"),
    run: ({ config, workDir }) => measureLoop({ ...(config.loop as Omit<LoopOptions, "workDir">), workDir }),
  },
];

/** Runs one suite, or says why it did not; a failure becomes a "not measured" section and an entry of `failed`. */
async function runSuite(suite: Suite, context: SuiteContext, failed: string[]): Promise<Section> {
  const why = suite.unavailable(context);
  if (why !== undefined) return notMeasured(suite.title, why);
  context.config.log(`▶ ${suite.title}`);
  const started = performance.now();
  try {
    return await suite.run(context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failed.push(`${suite.title}: ${message}`);
    return notMeasured(suite.title, `the measurement failed: ${message.split("\n")[0]}`);
  } finally {
    context.config.log(`  ${suite.title}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Copies the large spec into the temporary folder: the fixture is read-only and must never end up in the repository. */
async function copyLargeSpec(source: string | undefined, workDir: string): Promise<string | undefined> {
  if (!source) return undefined;
  const copy = join(workDir, "large-spec", basename(source));
  await mkdir(dirname(copy), { recursive: true });
  await copyFile(source, copy);
  return copy;
}

export async function runBench(config: BenchConfig): Promise<BenchResult> {
  const started = performance.now();
  const startLoad = load();
  const loadDuring = sampleLoad();
  const workDir = await mkdtemp(join(tmpdir(), "mkp-bench-"));
  const failed: string[] = [];
  const sections: Section[] = [];
  try {
    const context: SuiteContext = { config, workDir, largeSpec: await copyLargeSpec(config.largeSpec, workDir) };
    for (const suite of SUITES) sections.push(await runSuite(suite, context, failed));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const info: RunInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    machine: describeMachine(),
    node: process.version,
    commit: describeCommit(config.out),
    command: config.command,
    durationSeconds: (performance.now() - started) / 1000,
    load: `${startLoad} at the start, ${load()} at the end; during the run ${loadDuring.stop()}`,
  };
  const markdown = renderMarkdown(info, sections);
  if (config.out) {
    await mkdir(dirname(config.out), { recursive: true });
    await writeFile(config.out, markdown);
  }
  return { sections, markdown, text: renderText(sections), failed };
}
