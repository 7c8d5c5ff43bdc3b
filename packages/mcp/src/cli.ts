#!/usr/bin/env node
// `mkp-mcp` (also `mkp mcp`): the Makeprintable MCP server on stdio. All logic is in server.ts.
import { parseServerArguments, usage, UsageError } from "./arguments.js";
import { runMcpServer } from "./server.js";

try {
  const parsed = parseServerArguments(process.argv.slice(2));
  if (parsed.help) process.stdout.write(usage());
  else await runMcpServer(parsed);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`mkp-mcp: ${error.message}\n`);
  process.exitCode = 2;
}
