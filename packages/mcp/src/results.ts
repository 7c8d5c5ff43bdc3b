import { APIConnectionError, APIError, FixTimeoutError, MakeprintableError } from "@mkp/client";
import { CredentialError, DownloadError, RepairStoppedError } from "@mkp/node";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/**
 * A successful call: a one-line summary in our own words, then the structured answer, also as JSON
 * text for clients that read only text (MCP 2025-11-25, "Structured Content"). What the API wrote
 * (names, links, messages) stays inside that data and never joins the summary.
 */
export function success(summary: string, structured: Record<string, unknown>): CallToolResult {
  return {
    content: [
      { type: "text", text: summary },
      { type: "text", text: JSON.stringify(structured, null, 2) },
    ],
    structuredContent: structured,
  };
}

/**
 * A tool execution error (`isError: true`) the model reads and corrects: our words first, then,
 * when there are any, facts as JSON data (what the API said is quoted there, never as our text).
 */
export function failure(text: string, data?: Record<string, unknown>): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text }, ...(data ? [{ type: "text" as const, text: JSON.stringify(data, null, 2) }] : [])],
  };
}

/** Bad arguments, named by field (`item_id: must be integer`): an input validation error per SEP-1303. */
export const invalidArguments = (problems: readonly string[]): CallToolResult => failure(problems.join("; "));

/**
 * What a call that failed at the API (or before it could reach it) says: a tool error naming what
 * to do, never a secret; the API's own message is data.
 */
export function toolError(error: unknown): CallToolResult {
  if (error instanceof APIConnectionError) return failure(error.message);
  if (error instanceof APIError) {
    const words = error.message.replace(/^\d+ /, "");
    return failure(`The API answered ${error.status} (${error.code}). What it said is quoted below as data.`, {
      status: error.status,
      code: error.code,
      api_message: words,
      ...(error.requestId !== undefined && { request_id: error.requestId }),
    });
  }
  if (error instanceof FixTimeoutError) return failure(`${error.message}; the repair goes on: follow it with get_fix (id ${error.fix.id})`);
  if (error instanceof RepairStoppedError)
    return failure(error.fixId === undefined ? error.message : `${error.message}: follow it with get_fix (id ${error.fixId})`);
  if (error instanceof CredentialError || error instanceof DownloadError) return failure(error.message);
  if (error instanceof MakeprintableError) return failure(`${error.message} (${error.code})`);
  return failure(`unexpected error (${error instanceof Error ? error.name : typeof error})`);
}
