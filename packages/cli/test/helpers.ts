import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
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

/** A `bin` directory in `directory` holding `mkp` (a link to the built bin): put first on PATH, a test types `mkp …` as a person does. */
export async function mkpOnPath(directory: string): Promise<string> {
  const bin = join(directory, "bin");
  await mkdir(bin);
  await symlink(MKP, join(bin, "mkp"));
  return `${bin}:${process.env.PATH ?? ""}`;
}

/** A TCP relay to a loopback server whose connections the test can cut, as a dropped network does. */
export interface Relay {
  /** `http://127.0.0.1:<port>`: the target as reached through the relay. */
  url: string;
  /** Cuts every open connection and refuses new ones until {@link restore}. */
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startRelay(target: string): Promise<Relay> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let dropped = false;
  const server = createServer((socket) => {
    if (dropped) return void socket.destroy();
    const upstream = connect(Number(port), hostname);
    for (const end of [socket, upstream]) {
      open.add(end);
      end.on("close", () => open.delete(end));
      end.on("error", () => {
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cut = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    drop: () => {
      dropped = true;
      cut();
    },
    restore: () => {
      dropped = false;
    },
    close: () => {
      cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
