#!/usr/bin/env node
// The `mkp` command: `mkp login`. All logic lives in run-cli.ts, which tests drive in-process.
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
