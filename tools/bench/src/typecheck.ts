import { cp, mkdir, readdir, readFile, realpath, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { REPO_ROOT, runOk } from "./child.js";
import type { Section, Table } from "./report.js";
import { formatInteger, formatNumber, formatRatio, formatSpread, median, spread } from "./stats.js";

export interface TypecheckOptions {
  /** Interleaved runs at the large spec's scale. */
  rounds: number;
  /** Interleaved runs on our spec (cheap, and noisier: more of them). */
  smallRounds: number;
  /** openapi-typescript's output for the large spec (a `paths` interface); without it only our spec is measured. */
  largeSchema?: string | undefined;
  largeSpecName: string;
  /** Call at most this many operations of the large spec (default: all). */
  maxOperations?: number | undefined;
  workDir: string;
}

export const TARGET = 1.1;
const require = createRequire(import.meta.url);
const TSC = join(dirname(require.resolve("typescript/package.json")), "bin/tsc");
const CLIENT_ROOT = resolve(REPO_ROOT, "packages/client");

/** One operation of a spec as openapi-typescript's `paths` lists it. */
export interface OperationRef {
  path: string;
  method: string;
}

/** The operations in openapi-typescript's output: `"path": { get: …; post?: never; … }` inside `interface paths`. */
export function operationsOf(schemaText: string): OperationRef[] {
  const start = schemaText.indexOf("export interface paths {");
  if (start < 0) throw new Error("no `export interface paths` in the schema");
  const end = schemaText.indexOf("\n}\n", start);
  const operations: OperationRef[] = [];
  let path: string | undefined;
  for (const line of schemaText.slice(start, end).split("\n")) {
    const pathMatch = /^ {4}"([^"]+)": \{$/.exec(line);
    if (pathMatch) path = pathMatch[1];
    const methodMatch = /^ {8}(get|put|post|delete|options|head|patch|trace): /.exec(line);
    if (methodMatch && path !== undefined) operations.push({ path, method: methodMatch[1]! });
  }
  return operations;
}

/** A consumer module that calls every operation once, each through its own typed init. */
export function consumerSource(imports: string, createClient: string, operations: readonly OperationRef[]): string {
  const lines = [imports, 'import type { MaybeOptionalInit } from "openapi-fetch";', "", `const client = ${createClient};`, ""];
  operations.forEach(({ path, method }, i) => {
    const p = JSON.stringify(path);
    lines.push(
      `declare const init${i}: MaybeOptionalInit<paths[${p}], "${method}">;`,
      `export async function call${i}() {`,
      `  const { data, error } = await client.${method.toUpperCase()}(${p}, init${i});`,
      `  return error === undefined ? data : error;`,
      `}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023", "DOM", "DOM.Iterable"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  },
};

async function linkPackage(dir: string, name: string, target: string): Promise<void> {
  const link = join(dir, "node_modules", name);
  await mkdir(dirname(link), { recursive: true });
  await symlink(await realpath(target), link, "dir").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
}

interface Project {
  dir: string;
  operations: number;
  tsconfigs: Record<string, string>;
}

/** The two consumers of one set of operations: `ours.ts` through our client, `bare.ts` through bare openapi-fetch. */
async function writeConsumers(dir: string, client: string, schema: string, operations: readonly OperationRef[]): Promise<void> {
  await writeFile(join(dir, "ours.ts"), consumerSource(`import { createClient, type paths } from "${client}";`, 'createClient({ apiKey: "key" })', operations));
  const bareImports = `import createClient from "openapi-fetch";\nimport type { paths } from "${schema}";`;
  await writeFile(join(dir, "bare.ts"), consumerSource(bareImports, 'createClient<paths>({ baseUrl: "http://127.0.0.1" })', operations));
}

/** A consumer of the real `@mkp/client` and one of bare openapi-fetch over the same `paths`. */
async function ourSpecProject(dir: string): Promise<Project> {
  await mkdir(dir, { recursive: true });
  await linkPackage(dir, "@mkp/client", CLIENT_ROOT);
  await linkPackage(dir, "openapi-fetch", join(CLIENT_ROOT, "node_modules/openapi-fetch"));
  const operations = operationsOf(await readFile(join(CLIENT_ROOT, "src/generated/schema.ts"), "utf8"));
  await writeConsumers(dir, "@mkp/client", "@mkp/client", operations);
  return { dir, operations: operations.length, tsconfigs: await writeTsconfigs(dir) };
}

/**
 * The large spec's types behind our client: a copy of `@mkp/client`'s declarations whose
 * `generated/schema.d.ts` re-exports the large schema, next to a bare openapi-fetch consumer of
 * the very same schema file.
 */
async function largeSpecProject(dir: string, schema: string, maxOperations?: number): Promise<Project> {
  await mkdir(dir, { recursive: true });
  await linkPackage(dir, "openapi-fetch", join(CLIENT_ROOT, "node_modules/openapi-fetch"));
  const schemaText = await readFile(schema, "utf8");
  await writeFile(join(dir, "schema.d.ts"), schemaText);
  const client = join(dir, "mkp-client");
  await cp(join(CLIENT_ROOT, "dist"), client, { recursive: true, filter: (source) => !source.endsWith(".js") && !source.endsWith(".map") });
  if (!(await readdir(join(client, "generated"))).includes("schema.d.ts")) throw new Error("@mkp/client has no dist/generated/schema.d.ts: run pnpm build");
  await writeFile(join(client, "generated/schema.d.ts"), 'export * from "../../schema.js";\n');
  const operations = operationsOf(schemaText).slice(0, maxOperations);
  await writeConsumers(dir, "./mkp-client/index.js", "./schema.js", operations);
  return { dir, operations: operations.length, tsconfigs: await writeTsconfigs(dir) };
}

async function writeTsconfigs(dir: string): Promise<Record<string, string>> {
  const tsconfigs: Record<string, string> = {};
  await writeFile(join(dir, "package.json"), '{ "type": "module", "private": true }\n');
  for (const name of ["ours", "bare"]) {
    const file = join(dir, `tsconfig.${name}.json`);
    await writeFile(file, JSON.stringify({ ...TSCONFIG, files: [`${name}.ts`] }, null, 2));
    tsconfigs[name] = file;
  }
  return tsconfigs;
}

interface Run {
  variant: string;
  round: number;
  wallMs: number;
  cpuSeconds: number;
  checkSeconds: number;
  instantiations: number;
  memoryKb: number;
}

function diagnostic(output: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+([\\d.]+)`, "m").exec(output);
  return match ? Number(match[1]) : Number.NaN;
}

async function runTsc(project: Project, rounds: number): Promise<Run[]> {
  const runs: Run[] = [];
  const variants = Object.entries(project.tsconfigs);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const [variant, tsconfig] = variants[(i + round) % variants.length]!;
      const child = await runOk(process.execPath, [TSC, "-p", tsconfig, "--extendedDiagnostics"], { cwd: project.dir, measureMemory: true });
      runs.push({
        variant,
        round,
        wallMs: child.wallMs,
        cpuSeconds: child.cpuSeconds ?? Number.NaN,
        checkSeconds: diagnostic(child.stdout, "Check time"),
        instantiations: diagnostic(child.stdout, "Instantiations"),
        memoryKb: diagnostic(child.stdout, "Memory used"),
      });
    }
  }
  return runs;
}

function ratios(runs: readonly Run[], pick: (run: Run) => number): number[] {
  return [...new Set(runs.map((r) => r.round))].flatMap((round) => {
    const a = runs.find((r) => r.round === round && r.variant === "ours");
    const b = runs.find((r) => r.round === round && r.variant === "bare");
    return a && b ? [pick(a) / pick(b)] : [];
  });
}

const LABELS: Record<string, string> = { ours: "through `@mkp/client`", bare: "through bare openapi-fetch" };

function table(caption: string, runs: readonly Run[]): Table {
  return {
    caption,
    columns: ["consumer", "tsc wall s", "tsc CPU s", "check time s", "instantiations", "memory MB", "wall vs bare", "CPU vs bare"],
    rows: ["ours", "bare"].map((variant) => {
      const mine = runs.filter((r) => r.variant === variant);
      return [
        LABELS[variant]!,
        formatSpread(spread(mine.map((r) => r.wallMs / 1000))),
        formatSpread(spread(mine.map((r) => r.cpuSeconds))),
        formatSpread(spread(mine.map((r) => r.checkSeconds))),
        formatInteger(median(mine.map((r) => r.instantiations))),
        formatNumber(median(mine.map((r) => r.memoryKb / 1024))),
        variant === "bare" ? "1" : formatSpread(spread(ratios(runs, (r) => r.wallMs)), "×"),
        variant === "bare" ? "1" : formatSpread(spread(ratios(runs, (r) => r.cpuSeconds)), "×"),
      ];
    }),
  };
}

function headline(what: string, runs: readonly Run[]): Section["headlines"][number] {
  const wall = median(ratios(runs, (r) => r.wallMs));
  const cpu = median(ratios(runs, (r) => r.cpuSeconds));
  const instantiations = median(ratios(runs, (r) => r.instantiations));
  return {
    what,
    result: `${formatRatio(cpu)} CPU, ${formatRatio(wall)} wall, ${formatRatio(instantiations)} instantiations`,
    target: `≤ ${TARGET.toFixed(1)}×`,
    verdict: cpu <= TARGET ? "met" : "missed",
  };
}

/** `tsc --noEmit` of a consumer calling every operation, through our client and through bare openapi-fetch. */
export async function measureTypecheck(options: TypecheckOptions): Promise<Section> {
  const small = await ourSpecProject(join(options.workDir, "typecheck-our-spec"));
  const large = options.largeSchema
    ? await largeSpecProject(join(options.workDir, "typecheck-large-spec"), options.largeSchema, options.maxOperations)
    : undefined;
  const smallRuns = await runTsc(small, options.smallRounds);
  const largeRuns = large ? await runTsc(large, options.rounds) : [];
  const tables = [table(`Our spec (${small.operations} operations):`, smallRuns)];
  const headlines = [headline(`type-check through @mkp/client vs bare openapi-fetch, our spec (${small.operations} operations)`, smallRuns)];
  if (large) {
    tables.push(table(`${options.largeSpecName} (${large.operations} operations):`, largeRuns));
    headlines.push(headline(`type-check through @mkp/client vs bare openapi-fetch, ${options.largeSpecName} (${large.operations} operations)`, largeRuns));
  }
  return {
    title: "Consumer type-check",
    method:
      `A generated consumer module calls every operation once (each in its own function, with an init of ` +
      `openapi-fetch's \`MaybeOptionalInit\` type for that operation, then reads \`data\`/\`error\`), through ` +
      `\`createClient\` of \`@mkp/client\` or through bare openapi-fetch's \`createClient<paths>\` over the same ` +
      `types. \`tsc --noEmit --extendedDiagnostics\` (TypeScript ${require("typescript/package.json").version as string}, ` +
      `strict, \`skipLibCheck\`) in a child process, ${options.smallRounds} (our spec) and ${options.rounds} (large spec) interleaved runs each. For ` +
      `${options.largeSpecName}, openapi-typescript's output stands in for our generated schema: the client's ` +
      `published declarations are copied and their \`generated/schema.d.ts\` re-exports that one file, which the ` +
      `bare consumer imports too. The verdict uses tsc's CPU time (\`/usr/bin/time -v\`, user + system) because other ` +
      `work shares the machine; instantiation counts are exact and machine-independent.`,
    tables,
    headlines,
    notes: large ? [] : [`${options.largeSpecName}: not measured (no large spec).`],
  };
}
