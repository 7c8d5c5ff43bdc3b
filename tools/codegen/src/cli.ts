import { watch } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { generate, staleFiles, writeGenerated } from "./generate.ts";
import { layoutFor, REPO_ROOT } from "./paths.ts";
import { SpecError } from "./spec-error.ts";

const USAGE = `usage: mkp-codegen [--check | --watch]

  (no flag)  regenerate packages/client/src/generated/* and packages/client/openapi.json
  --check    exit 1 with a diff when the committed generated files are stale
  --watch    regenerate on every save of a file under spec/
`;

const rel = (path: string) => relative(process.cwd(), path) || path;

async function runOnce(): Promise<number> {
  const started = performance.now();
  const { files } = await generate(layoutFor());
  const written = await writeGenerated(files);
  const ms = Math.round(performance.now() - started);
  for (const file of files) console.log(`${written.includes(file.path) ? "wrote    " : "unchanged"} ${rel(file.path)}`);
  console.log(`generated ${files.length} files from spec/openapi.yaml in ${ms} ms`);
  return 0;
}

async function check(): Promise<number> {
  const { files } = await generate(layoutFor());
  const diffs = await staleFiles(files);
  if (diffs.length === 0) {
    console.log(`generated files are fresh (${files.length} checked)`);
    return 0;
  }
  process.stdout.write(diffs.join("\n"));
  console.error(`\n${diffs.length} generated file(s) are stale: run \`pnpm generate\` and commit the result.`);
  return 1;
}

async function watchSpec(): Promise<number> {
  const specDir = `${REPO_ROOT}/spec`;
  const report = (error: unknown) => console.error(error instanceof SpecError ? error.message : error);
  await runOnce().catch(report);
  console.log(`watching ${rel(specDir)} (Ctrl-C to stop)`);
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const watcher = watch(specDir, { recursive: true }, () => {
    clearTimeout(timer);
    // Editors save in several writes; regenerate once they settle.
    timer = setTimeout(() => {
      running = running.then(() => runOnce().then(() => undefined, report));
    }, 100);
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      watcher.close();
      clearTimeout(timer);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running;
  return 0;
}

/** Runs the generator with command-line arguments; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let flags: { check?: boolean | undefined; watch?: boolean | undefined };
  try {
    flags = parseArgs({ args, options: { check: { type: "boolean" }, watch: { type: "boolean" } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    if (flags.check) return await check();
    if (flags.watch) return await watchSpec();
    return await runOnce();
  } catch (error) {
    if (error instanceof SpecError) {
      console.error(`spec error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
