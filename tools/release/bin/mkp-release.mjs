#!/usr/bin/env node
// Runs the TypeScript sources directly (like mkp-codegen), so the release tools need no build step;
// the tsconfig's `paths` point the workspace packages they import at their sources too.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
