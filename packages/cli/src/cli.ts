#!/usr/bin/env node
// The `mkp` command. All logic lives in run-cli.ts, which tests drive in-process; this file wires
// the process to it: its arguments, streams and environment, and Ctrl-C.
import { runCli } from "./run-cli.js";

const interrupt = new AbortController();
// The first Ctrl-C stops what is under way cleanly (the command says how to resume); a second one exits at once.
process.once("SIGINT", () => {
  interrupt.abort();
  process.once("SIGINT", () => process.exit(130));
});

// A reader that stops early (`mkp items list | head`) closes the pipe: that ends mkp quietly, as
// it does `cat` or `git log`, instead of an unhandled EPIPE with its stack.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
