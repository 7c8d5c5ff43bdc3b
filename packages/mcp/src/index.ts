/**
 * `@mkp/mcp`: Makeprintable for AI agents — an MCP server over stdio with one tool per operation of
 * the API (generated from the spec's constants) and `repair_model`.
 * @packageDocumentation
 */
export { createMcpServer, runMcpServer, type McpServerOptions } from "./server.js";
export { operationTools, toolName, REPAIR_MODEL, type OperationTool, type ToolDefinition, type JsonSchema, type InputLocation } from "./tools.js";
