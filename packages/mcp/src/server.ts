import { APIConnectionError, APIError, createClient, FixTimeoutError, MakeprintableError } from "@mkp/client";
import { CredentialError, DownloadError, RepairStoppedError, resolveBaseUrl, resolveCredential, type PlaceOptions } from "@mkp/node";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createRequire } from "node:module";
import type { Readable, Writable } from "node:stream";
import { callOperation, InvalidInputError } from "./call-operation.js";
import { repairTool } from "./repair-tool.js";
import { operationTools, REPAIR_MODEL, type OperationTool, type ToolDefinition } from "./tools.js";
import { InputValidator } from "./validate-input.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** Where `MAKEPRINTABLE_API_KEY`, `MAKEPRINTABLE_BASE_URL` and the config directory come from. Default: `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** The platform and home directory that place the config directory (tests). */
  place?: Omit<PlaceOptions, "env"> | undefined;
}

const INSTRUCTIONS =
  "Makeprintable repairs 3D models so that they print. To repair a local file or a URL in one step, call repair_model with the model and an absolute output path. " +
  "The other tools are the API's operations: list_items and get_item show the uploaded models, list_fixes and get_fix the repairs and their download links.";

/** What a tool call that failed at the API (or before it could reach it) says: a tool error, never a secret. */
function toolError(error: unknown): CallToolResult {
  const say = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });
  // The client's message names the URL, the reason and MAKEPRINTABLE_BASE_URL.
  if (error instanceof APIConnectionError) return say(error.message);
  // "404 No such item.": the status and the API's own words, credentials scrubbed by the client.
  if (error instanceof APIError) return say(`The API answered ${error.message}`);
  if (error instanceof FixTimeoutError) return say(`${error.message}; the repair goes on: follow it with get_fix (id ${error.fix.id})`);
  if (error instanceof RepairStoppedError)
    return say(error.fixId === undefined ? error.message : `${error.message}: follow it with get_fix (id ${error.fixId})`);
  if (error instanceof CredentialError || error instanceof DownloadError) return say(error.message);
  if (error instanceof MakeprintableError) return say(`${error.message} (${error.code})`);
  return say(`unexpected error (${error instanceof Error ? error.name : typeof error})`);
}

/**
 * The Makeprintable MCP server (not yet connected): one tool per operation of the spec and
 * `repair_model`. Each call takes the credential anew (`MAKEPRINTABLE_API_KEY`, else the login
 * `mkp login` stored), so a login made while the server runs is used at once. Bad arguments are
 * MCP errors naming the field; API errors are tool errors with the status and the API's message.
 */
export function createMcpServer(options: McpServerOptions = {}): Server {
  const env = options.env ?? process.env;
  const baseUrl = resolveBaseUrl(undefined, env);
  const operations = operationTools();
  const tools: ToolDefinition[] = [...operations, REPAIR_MODEL];
  const validator = new InputValidator(tools);
  const server = new Server({ name: "makeprintable", title: "Makeprintable", version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map(({ name, title, description, inputSchema, annotations }) => ({ name, title, description, inputSchema, annotations })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const tool = tools.find((candidate) => candidate.name === name);
    if (!tool) throw new InvalidInputError(`unknown tool ${JSON.stringify(name.slice(0, 100))}: the tools are ${tools.map((known) => known.name).join(", ")}`);
    const args = request.params.arguments ?? {};
    const problems = validator.problems(tool.name, args);
    if (problems.length > 0) throw new InvalidInputError(problems.join("; "));
    const progressToken = request.params._meta?.progressToken;
    const report =
      progressToken === undefined
        ? undefined
        : (progress: number, message: string) =>
            extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, total: 100, message } });
    try {
      const credential = await resolveCredential({ ...options.place, env, baseUrl });
      const client = createClient({ ...credential.clientOptions(), baseUrl });
      if (tool === REPAIR_MODEL) return await repairTool(client, args, extra.signal, report);
      return await callOperation(client, tool as OperationTool, args, extra.signal);
    } catch (error) {
      if (error instanceof McpError) throw error;
      return toolError(error);
    }
  });
  return server;
}

/** Runs the server over stdio (by default the process's) until the client disconnects or `signal` aborts. */
export async function runMcpServer(
  options: McpServerOptions & { stdin?: Readable; stdout?: Writable; stderr?: { write(text: string): unknown }; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const server = createMcpServer(options);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  const stdin = options.stdin ?? process.stdin;
  await server.connect(new StdioServerTransport(stdin, options.stdout));
  // The client closing our stdin ends the session (the transport itself only listens for data).
  stdin.once("end", () => void server.close());
  options.signal?.addEventListener("abort", () => void server.close(), { once: true });
  // stdout carries the protocol: a person reads stderr. The URL is not a secret; no credential is printed.
  (options.stderr ?? process.stderr).write(`Makeprintable MCP server ${version} on stdio (API ${resolveBaseUrl(undefined, options.env ?? process.env)})\n`);
  await closed;
}
