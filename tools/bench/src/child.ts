import { spawn, type SpawnOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root: three levels above this file (`tools/bench/src`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** This package's folder. */
export const PACKAGE_ROOT = resolve(REPO_ROOT, "tools/bench");

const require = createRequire(import.meta.url);
/** `--import` argument that lets Node run TypeScript sources (the generator runs this way too). */
export const TSX_IMPORT = ["--import", pathToFileURL(require.resolve("tsx")).href];

/** A worker script next to this module (`src/x.ts`), and the Node flags that run it through tsx. */
export function worker(name: string): { file: string; execArgv: string[] } {
  return { file: fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), execArgv: [...TSX_IMPORT] };
}

/** What a finished child process left behind. */
export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident memory of the process tree's largest process, in kB (from `/usr/bin/time -v`). */
  maxRssKb?: number;
  /** User + system CPU time of the process tree, in seconds (from `/usr/bin/time -v`). */
  cpuSeconds?: number;
}

export const TIME_BIN = "/usr/bin/time";
const hasTime = existsSync(TIME_BIN);

/** Runs a command to completion and collects its output; `measureMemory` wraps it in `/usr/bin/time -v`. */
export function run(command: string, args: string[], options: SpawnOptions & { measureMemory?: boolean } = {}): Promise<ChildResult> {
  const { measureMemory, ...spawnOptions } = options;
  const wrap = measureMemory && hasTime;
  const [bin, argv] = wrap ? [TIME_BIN, ["-v", command, ...args]] : [command, args];
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(bin, argv, { cwd: REPO_ROOT, ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const wallMs = performance.now() - started;
      const result: ChildResult = { code: code ?? (signal ? 128 : 0), stdout, stderr, wallMs };
      if (wrap) {
        // time -v appends its report to the command's stderr: take the figures, keep the rest.
        const at = stderr.lastIndexOf("\tCommand being timed:");
        const report = at >= 0 ? stderr.slice(at) : "";
        result.stderr = at >= 0 ? stderr.slice(0, at) : stderr;
        const figure = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(report)?.[1] ?? Number.NaN);
        result.maxRssKb = figure("Maximum resident set size \\(kbytes\\)");
        result.cpuSeconds = figure("User time \\(seconds\\)") + figure("System time \\(seconds\\)");
      }
      resolveRun(result);
    });
  });
}

/** Runs a command and fails with its output when it exits non-zero. */
export async function runOk(command: string, args: string[], options: SpawnOptions & { measureMemory?: boolean } = {}): Promise<ChildResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${command} ${args.join(" ")} exited with ${result.code}:\n${tail}`);
  }
  return result;
}

/** The last line of a worker's stdout, parsed as JSON (workers print their result last). */
export function lastJson<T>(result: ChildResult): T {
  const line = result.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`worker printed no JSON result:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  }
}
