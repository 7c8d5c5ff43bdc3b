import { OPERATION_INPUTS, OPERATIONS } from "@mkp/client";

/** A JSON Schema object, as the spec's constants carry it. */
export type JsonSchema = Record<string, unknown>;

/** Where an input goes: a path, query, header or cookie parameter, a body field. */
export type InputLocation = "path" | "query" | "header" | "cookie" | "body";

/** What the tool list shows of a tool (the MCP `Tool`), plus how to call the operation behind it. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema & { type: "object" };
  annotations: { title: string; readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
}

/** A tool that calls one operation of the API. */
export interface OperationTool extends ToolDefinition {
  operationId: string;
  method: string;
  path: string;
  /** Where each input goes. */
  in: Record<string, InputLocation>;
  /** The body's media type, or null. */
  requestBodyType: string | null;
  /** Inputs that name a local file to upload (the spec's `format: binary` fields). */
  files: string[];
}

/** The spec's facts about one operation, as the generated constants hold them. */
export interface OperationFacts {
  method: string;
  path: string;
  authenticated: boolean;
  requestBodyType: string | null;
  summary: string | null;
  description: string | null;
}

/** `listItems` → `list_items`: MCP tool names are snake_case (like `repair_model`). */
export const toolName = (operationId: string) =>
  operationId
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase();

// A binary body field becomes the path of a local file the tool reads (nothing else is read).
function asLocalFile(schema: JsonSchema): JsonSchema {
  const { format: _format, contentMediaType: _type, contentEncoding: _encoding, description, ...rest } = schema;
  return {
    ...rest,
    type: "string",
    minLength: 1,
    description: `The absolute path of a local file to upload; it must be a regular file. ${typeof description === "string" ? description : ""}`.trim(),
  };
}

/**
 * One tool per operation of the spec that takes a credential (the OAuth 2.0 endpoints, `authorize`
 * and `POST /token`, are for apps, not agents): named after its `operationId`, described by its
 * summary and description, its input schema the operation's parameters and body fields
 * (`OPERATION_INPUTS`). Built from the constants `pnpm generate` writes, so a new operation in the
 * spec is a new tool.
 */
export function operationTools(
  operations: Readonly<Record<string, OperationFacts>> = OPERATIONS,
  inputs: Readonly<Record<string, { in: Readonly<Record<string, InputLocation>>; schema: JsonSchema }>> = OPERATION_INPUTS as never,
): OperationTool[] {
  return Object.entries(operations)
    .filter(([, operation]) => operation.authenticated)
    .map(([operationId, operation]) => {
      const input = inputs[operationId]!;
      const properties = (input.schema.properties ?? {}) as Record<string, JsonSchema>;
      const files = Object.keys(properties).filter((name) => properties[name]!.format === "binary");
      const inputSchema = {
        ...input.schema,
        type: "object" as const,
        properties: Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, files.includes(name) ? asLocalFile(schema) : schema])),
      };
      const title = operation.summary ?? operationId;
      const readOnly = operation.method === "GET" || operation.method === "HEAD";
      return {
        name: toolName(operationId),
        title,
        description: [operation.summary, operation.description, `(${operation.method} ${operation.path})`].filter(Boolean).join("\n\n"),
        inputSchema,
        annotations: {
          title,
          readOnlyHint: readOnly,
          destructiveHint: operation.method === "DELETE",
          idempotentHint: readOnly || operation.method === "PUT" || operation.method === "DELETE",
          openWorldHint: true,
        },
        operationId,
        method: operation.method,
        path: operation.path,
        in: { ...input.in },
        requestBodyType: operation.requestBodyType,
        files,
      };
    });
}

/** The fix options `repair_model` takes: `createFix`'s inputs but the item (the tool uploads it) and the callback (an agent cannot receive one). */
function fixOptionSchemas(): Record<string, JsonSchema> {
  const properties = OPERATION_INPUTS.createFix.schema.properties as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(properties).filter(([name]) => name !== "item_id" && name !== "callback_url"));
}

/** The task-level tool: a local file or URL in, the repaired file out. */
export const REPAIR_MODEL: ToolDefinition = {
  name: "repair_model",
  title: "Repair a 3D model",
  description: [
    "Repairs a 3D model so that it prints: uploads it (createItem), starts the repair (createFix), waits for it (sending progress notifications when the request has a progressToken) and writes the repaired file to `output`.",
    "Reads only `source` (when it is a path) and writes only `output` (through a temporary file beside it). Both must be absolute paths of regular files; an existing `output` is replaced only with `overwrite: true`.",
  ].join("\n\n"),
  inputSchema: {
    type: "object",
    properties: {
      source: {
        type: "string",
        minLength: 1,
        description: "The model: the absolute path of a local 3D file (or a zip holding one), or an http(s) URL Makeprintable downloads it from.",
      },
      output: { type: "string", minLength: 1, description: "The absolute path to write the repaired file to. Its directory must exist." },
      overwrite: { type: "boolean", default: false, description: "Replace `output` if it exists." },
      ...fixOptionSchemas(),
    },
    required: ["source", "output"],
    additionalProperties: false,
  },
  annotations: { title: "Repair a 3D model", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};
