import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startMockServer, type MockServer } from "@mkp/mock-server";

/** The built bin, as `npx mkp` runs it. */
export const MKP = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");

/** A sandbox whose clock only moves when the test moves it, so a repair goes exactly as far as the test says. */
export interface Sandbox {
  server: MockServer;
  apiKey: string;
  /** Moves the sandbox's clock on. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** Fixes are queued for 1 s, then processing for 10 s (1 % per 100 ms), on the sandbox's clock. */
export const TIMING = { queuedMs: 1000, processingMs: 10_000 };

export async function startSandbox(options: Parameters<typeof startMockServer>[0] = {}): Promise<Sandbox> {
  const clock = { t: Date.now() };
  const server = await startMockServer({ strict: true, now: () => clock.t, fixTiming: TIMING, ...options });
  return {
    server,
    apiKey: server.demo.apiKey,
    advance: (ms) => {
      clock.t += ms;
    },
    close: () => server.close(),
  };
}

/** A running `mkp`: its output so far, ways to wait for it, and its exit. */
export interface MkpProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp, stream?: "stderr" | "stdout"): Promise<void>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `mkp args…` as a real process, with exactly `env` (plus PATH) and `cwd`. */
export function startMkp(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): MkpProcess {
  const child = spawn(process.execPath, [MKP, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  const output = { stdout: "", stderr: "" };
  const waiters: { pattern: RegExp; stream: "stdout" | "stderr"; resolve: () => void; reject: (error: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (!waiter.pattern.test(output[waiter.stream])) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk;
    check();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk;
    check();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveExit) => {
    child.on("close", (code) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`mkp exited (${code}) before printing ${waiter.pattern}: ${output.stderr}`));
      resolveExit({ code, ...output });
    });
  });
  return {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    waitFor: (pattern, stream = "stderr") =>
      new Promise<void>((resolveWait, reject) => {
        waiters.push({ pattern, stream, resolve: resolveWait, reject });
        check();
      }),
    exited,
  };
}

/** Runs `mkp args…` to its end. */
export function mkp(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  return startMkp(args, options).exited;
}

/** A temporary directory, removed by the returned function. */
export async function temporaryDirectory(prefix = "mkp-cli-"): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
