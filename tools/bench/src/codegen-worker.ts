// One run of one code-generation pipeline, in a process of its own so that its peak memory is its
// own. The generator is loaded the way `pnpm generate` loads it: its TypeScript sources, through tsx.
//   codegen-worker pipeline <spec> <out dir>            parse/check/bundle + bundled JSON + openapi-typescript's transform (our stages)
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
  bundleSpec(specPath: string): Promise<{ document: Record<string, unknown>; config: unknown }>;
  emitBundledJson(document: Record<string, unknown>): string;
  emitTypes(document: Record<string, unknown>, config: unknown): string;
  GENERATED_HEADER: string;
}

const [mode, spec, out] = process.argv.slice(2);
if (!mode || !spec || !out) throw new Error("usage: codegen-worker <pipeline|openapi-typescript> <spec> <out dir>");

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
  // In generate()'s order: one parse, check and bundle, then the emitters (the types last).
  const { bundleSpec, emitBundledJson, emitTypes, GENERATED_HEADER } = (await import("@mkp/codegen")) as CodegenModule;
  stage("load modules");
  const { document, config } = await bundleSpec(spec);
  stage("parse, check, bundle (redocly)");
  files["openapi.json"] = emitBundledJson(document);
  stage("bundled JSON");
  files["schema.ts"] = `${GENERATED_HEADER}\n${emitTypes(document, config)}`;
  stage("types (openapi-typescript transform)");
} else if (mode === "openapi-typescript") {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  stage("load modules");
  const ast = await openapiTS(pathToFileURL(spec), { silent: true, alphabetize: false });
  files["schema.ts"] = astToString(ast);
  stage("openapiTS(): parse, check, bundle, transform");
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
