// One run of one code-generation pipeline, in a process of its own so that its peak memory is its
// own. Always started with tsx, like `pnpm generate` (the generator runs from its TypeScript sources).
//   codegen-worker pipeline <spec> <out dir>            bundle + openapi-typescript + bundled JSON (our stages)
//   codegen-worker openapi-typescript <spec> <out dir>  openapi-typescript alone, from the file
// Prints {"ms":…, "maxRssKb":…, "files": {name: bytes}}.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** What a run reports on its last stdout line. */
export interface CodegenWorkerResult {
  ms: number;
  maxRssKb: number;
  files: Record<string, number>;
  /** Milliseconds per stage, where the mode has stages. */
  stages: Record<string, number>;
}

interface CodegenModule {
  bundleSpec(specPath: string): Promise<{ document: Record<string, unknown> }>;
  GENERATED_HEADER: string;
}
interface EmitTypesModule {
  emitTypes(document: Record<string, unknown>): Promise<string>;
}

const [mode, spec, out] = process.argv.slice(2);
if (!mode || !spec || !out) throw new Error("usage: codegen-worker <pipeline|openapi-typescript> <spec> <out dir>");

// Specifiers in variables: the generator's sources are TypeScript that tsx loads at run time.
const codegenIndex = "@mkp/codegen/src/index.ts";
const codegenEmitTypes = "@mkp/codegen/src/emit-types.ts";

const started = performance.now();
const files: Record<string, string> = {};
const stages: Record<string, number> = {};
let mark = started;
const stage = (name: string) => {
  const now = performance.now();
  stages[name] = now - mark;
  mark = now;
};
if (mode === "pipeline") {
  // The stages of the generator's generate() that apply to any spec; the constant emitter needs
  // Makeprintable's own security schemes and is left out (it takes ~1 ms on our spec).
  const { bundleSpec, GENERATED_HEADER } = (await import(codegenIndex)) as CodegenModule;
  const { emitTypes } = (await import(codegenEmitTypes)) as EmitTypesModule;
  stage("load modules");
  const { document } = await bundleSpec(spec);
  stage("bundle (redocly)");
  const types = await emitTypes(document);
  files["schema.ts"] = `${GENERATED_HEADER}\n${types}`;
  stage("types (openapi-typescript)");
  files["openapi.json"] = `${JSON.stringify({ "x-generated": "by @mkp/codegen", ...document }, null, 2)}\n`;
  stage("bundled JSON");
} else if (mode === "openapi-typescript") {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  stage("load modules");
  const ast = await openapiTS(pathToFileURL(spec), { silent: true, alphabetize: false });
  files["schema.ts"] = astToString(ast);
  stage("types (openapi-typescript)");
} else {
  throw new Error(`unknown mode ${mode}`);
}
await mkdir(out, { recursive: true });
for (const [name, content] of Object.entries(files)) await writeFile(join(out, name), content);
stage("write files");
const ms = performance.now() - started;
const result: CodegenWorkerResult = {
  ms,
  maxRssKb: process.resourceUsage().maxRSS,
  files: Object.fromEntries(Object.entries(files).map(([name, content]) => [name, Buffer.byteLength(content)])),
  stages,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
