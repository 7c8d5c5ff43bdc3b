import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { REPO_ROOT } from "./child.js";
import { measureClientOverhead, type ClientOverheadOptions } from "./client-overhead.js";
import { measureCodegen, type CodegenOptions } from "./codegen.js";
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
  size: boolean;
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

const TITLES = {
  client: "Client overhead",
  codegen: "Code generation",
  typecheck: "Consumer type-check",
  sandbox: "Sandbox token exchanges",
  docs: "Docs",
  size: "Bundle sizes",
} as const;

export async function runBench(config: BenchConfig): Promise<BenchResult> {
  const started = performance.now();
  const startLoad = load();
  const loadDuring = sampleLoad();
  const workDir = await mkdtemp(join(tmpdir(), "mkp-bench-"));
  const failed: string[] = [];
  const sections: Section[] = [];
  let largeSpec: string | undefined;
  let largeSchema: string | undefined;

  async function measure(title: string, run: () => Promise<Section>): Promise<void> {
    config.log(`▶ ${title}`);
    const t = performance.now();
    try {
      sections.push(await run());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push(`${title}: ${message}`);
      sections.push(notMeasured(title, `the measurement failed: ${message.split("\n")[0]}`));
    }
    config.log(`  ${title}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }

  try {
    if (config.largeSpec) {
      // Work on a copy: the fixture is read-only and must never end up in the repository.
      largeSpec = join(workDir, "large-spec", basename(config.largeSpec));
      await mkdir(dirname(largeSpec), { recursive: true });
      await copyFile(config.largeSpec, largeSpec);
    }
    const { client, codegen, typecheck } = config;
    if (client) await measure(TITLES.client, () => measureClientOverhead(client));
    else sections.push(notMeasured(TITLES.client, "skipped"));

    if (!codegen) sections.push(notMeasured(TITLES.codegen, "skipped"));
    else if (!largeSpec) sections.push(notMeasured(TITLES.codegen, "the large spec was not found (set MKP_BENCH_LARGE_SPEC)"));
    else {
      const spec = largeSpec;
      await measure(TITLES.codegen, async () => {
        const section = await measureCodegen({ ...codegen, largeSpec: spec, largeSpecName: config.largeSpecName, workDir });
        largeSchema = section.largeSchema;
        return section;
      });
    }

    if (typecheck) {
      const { largeScale = true, ...options } = typecheck;
      const schema = largeScale ? largeSchema : undefined;
      await measure(TITLES.typecheck, () => measureTypecheck({ ...options, largeSchema: schema, largeSpecName: config.largeSpecName, workDir }));
    } else sections.push(notMeasured(TITLES.typecheck, "skipped"));

    const { sandbox, docs } = config;
    if (!sandbox) sections.push(notMeasured(TITLES.sandbox, "skipped"));
    else if (!sandboxAvailable()) sections.push(notMeasured(TITLES.sandbox, "@mkp/mock-server and its benchmark script have not landed"));
    else await measure(TITLES.sandbox, () => measureSandbox(sandbox));

    if (!docs) sections.push(notMeasured(TITLES.docs, "skipped"));
    else if (!docsAvailable()) sections.push(notMeasured(TITLES.docs, "@mkp/docs has not landed (its build script is still the scaffold's placeholder)"));
    else await measure(TITLES.docs, () => measureDocs(docs));

    if (!config.size) sections.push(notMeasured(TITLES.size, "skipped"));
    else if (!sizeLimitAvailable()) sections.push(notMeasured(TITLES.size, "the size-limit configuration of issue 7 (`.size-limit.json`) has not landed"));
    else await measure(TITLES.size, () => measureSizes());
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
