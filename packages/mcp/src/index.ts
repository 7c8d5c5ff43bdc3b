/**
 * `@mkp/mcp`: Makeprintable for AI agents — an MCP server over stdio with one tool per operation of
 * the API (generated from the spec's constants) and `repair_model`, reading and writing files only
 * inside the folders the person allowed.
 * @packageDocumentation
 */
export { createMcpServer, runMcpServer, allTools, instructionsFor, type McpServerOptions } from "./server.js";
export { parseServerArguments, checkAllowedDirs, usage, UsageError, type ServerArguments } from "./arguments.js";
export { FileFence, InputError, type FenceOptions, type FolderSource } from "./fence.js";
export { selectTools, UnknownToolError, type ToolSelection } from "./select-tools.js";
export {
  operationTools,
  repairModelTool,
  annotationsOf,
  outputOf,
  toolName,
  toolsetName,
  REPAIR_MODEL,
  type OperationTool,
  type ToolDefinition,
  type ToolAnnotations,
  type OutputShape,
  type JsonSchema,
  type InputLocation,
} from "./tools.js";
