import { unwrap, type MakeprintableClient } from "@mkp/client";
import { ErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, isAbsolute } from "node:path";
import type { OperationTool } from "./tools.js";

/**
 * A bad tool input: an MCP "invalid params" error (-32602) whose message starts with the field. The
 * message travels as it is (`McpError` would put its own "MCP error -32602:" before it, and the
 * client adds that again).
 */
export class InvalidInputError extends McpError {
  constructor(message: string) {
    super(ErrorCode.InvalidParams, message);
    this.message = message;
  }
}

/** The {@link InvalidInputError} for `field`. */
export const invalidInput = (field: string, message: string) => new InvalidInputError(`${field}: ${message}`);

/** The absolute path `field` names, checked to be a regular file (never a directory, device or FIFO). */
export async function regularFile(field: string, path: string): Promise<string> {
  if (!isAbsolute(path)) throw invalidInput(field, `give an absolute path (${JSON.stringify(path.slice(0, 200))} is relative)`);
  const found = await stat(path).catch(() => undefined);
  if (!found) throw invalidInput(field, `no such file: ${path}`);
  if (!found.isFile()) throw invalidInput(field, `${path} is not a regular file`);
  return path;
}

type Call = (path: string, init: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * Calls the operation behind `tool` with arguments that passed its schema: each input goes where
 * the spec says (path, query, header, body); a file input is read from the local path it names.
 * Returns the API's answer as JSON text. API errors are thrown (typed by status, credentials scrubbed).
 */
export async function callOperation(
  client: MakeprintableClient,
  tool: OperationTool,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const path: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  const headers: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    const where = tool.in[name];
    if (where === "path") path[name] = value;
    else if (where === "query") query[name] = value;
    else if (where === "header") headers[name] = String(value);
    else if (where === "body" && tool.files.includes(name)) {
      const file = await regularFile(name, String(value));
      body[name] = new File([await openAsBlob(file)], basename(file));
    } else if (where === "body") body[name] = value;
  }
  const call = (client as unknown as Record<string, Call>)[tool.method]!;
  const result = await call(tool.path, {
    params: { path, query },
    headers,
    ...(tool.requestBodyType !== null && { body }),
    signal,
  });
  const data = unwrap(result);
  const text =
    data === undefined
      ? `${tool.method} ${result.response.url ? new URL(result.response.url).pathname : tool.path} answered ${result.response.status} with no content.`
      : JSON.stringify(data, null, 2);
  return { content: [{ type: "text", text }] };
}
