#!/usr/bin/env node
// `mkp-mcp` (also `mkp mcp`): the Makeprintable MCP server on stdio. All logic is in server.ts.
import { runMcpServer } from "./server.js";

await runMcpServer();
