import { APIError } from "@mkp/client";
import { adviceFor, type AdviceContext } from "@mkp/node";
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
 * What a call that failed at the API (or before it could reach it) says: the advice `mkp` gives
 * too (`adviceFor` of `@mkp/node`), in MCP's words (tools, not flags), never a secret. What the API
 * wrote goes into the JSON data beside it, not into our sentence (`quote: false`): an API error
 * can echo words an attacker chose (a file name), and the model must not take them for ours.
 */
export function toolError(error: unknown, context: Omit<AdviceContext, "surface" | "quote">): CallToolResult {
  const advice = adviceFor(error, { ...context, surface: "mcp", quote: false });
  if (!(error instanceof APIError) || advice.quoted === undefined) return failure(advice.message);
  return failure(advice.message, {
    status: error.status,
    code: error.code,
    api_message: advice.quoted,
    ...(error.requestId !== undefined && { request_id: error.requestId }),
  });
}
