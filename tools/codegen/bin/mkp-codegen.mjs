#!/usr/bin/env node
// Runs the generator from its TypeScript sources through tsx, as every tool of the repository
// runs, so `pnpm generate` works straight after `pnpm install`, without a build.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
