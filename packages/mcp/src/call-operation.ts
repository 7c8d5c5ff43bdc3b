import { unwrap, type MakeprintableClient } from "@mkp/client";
import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import type { FileFence } from "./fence.js";
import type { OperationTool } from "./tools.js";

type Call = (path: string, init: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** What an operation answered, shaped for its tool's output schema, and a summary in our words. */
export interface OperationAnswer {
  structured: Record<string, unknown>;
  summary: string;
}

/** `/items/{id}` with the call's own path inputs: what the summary names (never a URL the server chose). */
const requestPath = (tool: OperationTool, args: Record<string, unknown>) =>
  tool.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(args[name])));

/**
 * Calls the operation behind `tool` with arguments that passed its schema: each input goes where
 * the spec says (path, query, header, body); a file input is read from the local path it names,
 * which must pass the fence. API errors are thrown (typed by status, credentials scrubbed).
 * @throws {InputError} for a file input the fence refuses, before any request.
 */
export async function callOperation(
  client: MakeprintableClient,
  tool: OperationTool,
  args: Record<string, unknown>,
  fence: FileFence,
  signal: AbortSignal,
): Promise<OperationAnswer> {
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
      const file = await fence.readable(name, String(value));
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
  const data: unknown = unwrap(result);
  const { status } = result.response;
  const said = `${tool.method} ${requestPath(tool, args)} answered ${status}`;
  if (tool.output === "empty") return { structured: { status }, summary: `${said} with no content.` };
  if (tool.output === "object") return { structured: data as Record<string, unknown>, summary: `${said}: the answer follows as JSON.` };
  const count = Array.isArray(data) ? ` (${data.length} entries)` : "";
  return { structured: { result: data }, summary: `${said}${count}: the answer follows as JSON, under "result".` };
}
