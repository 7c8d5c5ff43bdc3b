#!/usr/bin/env node
// `pnpm generate`: the one command after a spec edit. Regenerates the client's files from the spec
// (mkp-codegen) and the READMEs' operation tables (mkp-release readme-tables), scaffolds the samples
// of any new operation (pnpm docs:samples), then prints what still needs a person (pnpm spec:status).
// `--check` checks the generated files and tables; `--watch` only runs mkp-codegen.
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const run = (command, commandArgs) => spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" }).status ?? 1;

const generated = run(process.execPath, ["tools/codegen/bin/mkp-codegen.mjs", ...args]);
if (generated !== 0) process.exit(generated);
// The READMEs' operation, tool and command tables follow the constants just written (--check: fail if stale).
const tables = run(process.execPath, ["tools/release/bin/mkp-release.mjs", "readme-tables", ...args.filter((arg) => arg === "--check")]);
if (tables !== 0 || args.length > 0) process.exit(tables);
const scaffolded = run("pnpm", ["--filter", "@mkp/docs", "run", "samples"]);
if (scaffolded !== 0) process.exit(scaffolded);
process.exit(run(process.execPath, ["tools/release/bin/mkp-release.mjs", "spec-status"]));
