import { OPERATION_INPUTS, OPERATION_OUTPUTS, OPERATIONS } from "@mkp/client/internal";

/** A JSON Schema object, as the spec's constants carry it. */
export type JsonSchema = Record<string, unknown>;

/** Where an input goes: a path, query, header or cookie parameter, a body field. */
export type InputLocation = "path" | "query" | "header" | "cookie" | "body";

/** The MCP behaviour hints of a tool (all four set, so a host never falls back to the spec's defaults). */
export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What the tool list shows of a tool (the MCP `Tool`), plus the toolset it belongs to. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema & { type: "object" };
  outputSchema: JsonSchema & { type: "object" };
  annotations: ToolAnnotations;
  /** The group `--toolsets` selects by: the spec tag of the operation, lower case (`items`, `fixes`), or `repair`. */
  toolset: string;
}

/** How an operation's answer becomes `structuredContent`: as it is, under `result`, or the status of an empty answer. */
export type OutputShape = "object" | "wrapped" | "empty";

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
  output: OutputShape;
}

/** The spec's facts about one operation, as the generated constants hold them. */
export interface OperationFacts {
  method: string;
  path: string;
  authenticated: boolean;
  requestBodyType: string | null;
  summary: string | null;
  description: string | null;
  tags: readonly string[];
  callbackInputs: readonly string[];
}

type Inputs = Readonly<Record<string, { in: Readonly<Record<string, InputLocation>>; schema: JsonSchema }>>;
type Outputs = Readonly<Record<string, { schema: JsonSchema | null } | null>>;

/** `listItems` → `list_items`: MCP tool names are snake_case (like `repair_model`). */
export const toolName = (operationId: string) =>
  operationId
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase();

/** `Items` → `items`, `OAuth 2.0` → `oauth_2_0`: a spec tag as a `--toolsets` name. */
export const toolsetName = (tag: string) => toolName(tag.replace(/\s+/g, "_"));

/** Where the file tools' paths must be: said once, in every description that takes a path. */
export const FENCE_RULE =
  "Give an absolute path inside a folder the person allowed (the MCP client's roots, or the server's --allow-dir); hidden files and folders and the configuration directory are never read or written.";

// A binary body field becomes the path of a local file the tool reads (nothing else is read).
function asLocalFile(schema: JsonSchema): JsonSchema {
  const { format: _format, contentMediaType: _type, contentEncoding: _encoding, description, ...rest } = schema;
  return {
    ...rest,
    type: "string",
    minLength: 1,
    description: `The path of a local regular file to upload. ${FENCE_RULE} ${typeof description === "string" ? description : ""}`.trim(),
  };
}

/**
 * The MCP `outputSchema` of an answer and how the answer maps onto it. An MCP output schema
 * describes an object, so an answer that may be something else (a list, a union) is wrapped in
 * `{ result }`, and an answer without content is reported as its HTTP status.
 */
export function outputOf(schema: JsonSchema | null): { outputSchema: JsonSchema & { type: "object" }; output: OutputShape } {
  if (schema === null) {
    const status = { type: "integer", minimum: 200, maximum: 299, description: "The HTTP status of the API's answer, which has no content." };
    return { output: "empty", outputSchema: { type: "object", properties: { status }, required: ["status"], additionalProperties: false } };
  }
  if (schema.type === "object") return { output: "object", outputSchema: schema as JsonSchema & { type: "object" } };
  return { output: "wrapped", outputSchema: { type: "object", properties: { result: schema }, required: ["result"], additionalProperties: false } };
}

/**
 * The behaviour hints an operation's HTTP method implies (RFC 9110 §9.2): safe methods only read;
 * DELETE, PUT and PATCH change or remove what exists; PUT and DELETE may be repeated. Every call
 * reaches the Makeprintable API, an outside system: open world.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2
 */
export function annotationsOf(method: string, title: string): ToolAnnotations {
  const readOnly = method === "GET" || method === "HEAD";
  return {
    title,
    readOnlyHint: readOnly,
    destructiveHint: method === "DELETE" || method === "PUT" || method === "PATCH",
    idempotentHint: readOnly || method === "PUT" || method === "DELETE",
    openWorldHint: true,
  };
}

/**
 * One tool per operation of the spec that takes a credential (the OAuth 2.0 endpoints, `authorize`
 * and `POST /token`, are for apps, not agents): named after its `operationId`, described by its
 * summary and description, its input schema the operation's parameters and body fields
 * (`OPERATION_INPUTS`) without the inputs that hand the API an address to call back, its output
 * schema the operation's success answer (`OPERATION_OUTPUTS`). Built from the constants
 * `pnpm generate` writes, so a new operation in the spec is a new tool.
 */
export function operationTools(
  operations: Readonly<Record<string, OperationFacts>> = OPERATIONS,
  inputs: Inputs = OPERATION_INPUTS as never,
  outputs: Outputs = OPERATION_OUTPUTS as never,
): OperationTool[] {
  return Object.entries(operations)
    .filter(([, operation]) => operation.authenticated)
    .map(([operationId, operation]) => {
      const input = inputs[operationId]!;
      // A callback URL is a side channel: the API would send the result wherever an agent was told to.
      const properties = Object.entries((input.schema.properties ?? {}) as Record<string, JsonSchema>).filter(
        ([name]) => !operation.callbackInputs.includes(name),
      );
      const files = properties.filter(([, schema]) => schema.format === "binary").map(([name]) => name);
      const inputSchema = {
        ...input.schema,
        type: "object" as const,
        properties: Object.fromEntries(properties.map(([name, schema]) => [name, files.includes(name) ? asLocalFile(schema) : schema])),
      };
      const title = operation.summary ?? operationId;
      const { outputSchema, output } = outputOf(outputs[operationId]?.schema ?? null);
      return {
        name: toolName(operationId),
        title,
        description: [operation.summary, operation.description, `(${operation.method} ${operation.path})`].filter(Boolean).join("\n\n"),
        inputSchema,
        outputSchema,
        annotations: annotationsOf(operation.method, title),
        toolset: toolsetName(operation.tags[0] ?? "other"),
        operationId,
        method: operation.method,
        path: operation.path,
        in: Object.fromEntries(properties.map(([name]) => [name, input.in[name]!])),
        requestBodyType: operation.requestBodyType,
        files,
        output,
      };
    });
}

/** The fix options `repair_model` takes: `createFix`'s inputs but the item (the tool uploads it) and its callback inputs. */
function fixOptionSchemas(): Record<string, JsonSchema> {
  const properties = OPERATION_INPUTS.createFix.schema.properties as Record<string, JsonSchema>;
  const left = new Set<string>(["item_id", ...OPERATIONS.createFix.callbackInputs]);
  return Object.fromEntries(Object.entries(properties).filter(([name]) => !left.has(name)));
}

/** The name of the task-level tool. */
export const REPAIR_MODEL = "repair_model";

/** The task-level tool: a local file or URL in, the repaired file out. Its output joins the spec's item and fix. */
export function repairModelTool(): ToolDefinition {
  const title = "Repair a model file, start to finish";
  return {
    name: REPAIR_MODEL,
    title,
    description: [
      "Repairs a 3D model so that it prints: uploads it (create_item), starts the repair (create_fix), waits for it (sending progress notifications when the request has a progressToken) and writes the repaired file to `output`.",
      `Reads only \`source\` (when it is a path) and writes only \`output\` (through a temporary file beside it). ${FENCE_RULE} An existing \`output\` is replaced only with \`overwrite: true\`, and only when this server wrote it since it started (or the person allowed replacing files).`,
    ].join("\n\n"),
    inputSchema: {
      type: "object",
      properties: {
        source: {
          type: "string",
          minLength: 1,
          description: "The model: the path of a local 3D file (or a zip holding one), or an http(s) URL Makeprintable downloads it from.",
        },
        output: { type: "string", minLength: 1, description: "The path to write the repaired file to. Its folder must exist." },
        overwrite: {
          type: "boolean",
          default: false,
          description: "Replace `output` if it exists (only a file this server wrote, unless the person allowed more).",
        },
        ...fixOptionSchemas(),
      },
      required: ["source", "output"],
      additionalProperties: false,
    },
    outputSchema: {
      type: "object",
      properties: {
        item: OPERATION_OUTPUTS.createItem.schema,
        fix: OPERATION_OUTPUTS.getFix.schema,
        output: { type: "string", description: "The absolute path of the repaired file." },
        bytes: { type: "integer", minimum: 0, description: "Its size in bytes." },
      },
      required: ["item", "fix", "output", "bytes"],
      additionalProperties: false,
    },
    annotations: { title, readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    toolset: "repair",
  };
}
