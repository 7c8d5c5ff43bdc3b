#!/usr/bin/env node
// Runs the generator from its TypeScript sources (load.mjs strips their types), no build step needed.
import { loadGenerator } from "./load.mjs";

const { main } = await loadGenerator("cli.js");
process.exitCode = await main(process.argv.slice(2));
