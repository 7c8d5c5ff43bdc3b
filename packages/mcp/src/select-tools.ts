import type { ToolDefinition } from "./tools.js";

/** Which tools the server offers: the person's choice on its command line. */
export interface ToolSelection {
  /** Only tools that change nothing (`readOnlyHint`): the list and get tools. Applies after `tools` and `toolsets`. */
  readOnly?: boolean | undefined;
  /** Tools by name (`get_fix`). With `toolsets`, the union of both; with neither, every tool. */
  tools?: readonly string[] | undefined;
  /** Tools by group (`items`, `fixes`, `repair`). */
  toolsets?: readonly string[] | undefined;
}

/** A name on the command line that names no tool or toolset. */
export class UnknownToolError extends Error {
  override readonly name = "UnknownToolError";
}

/**
 * The tools `selection` offers, in their order. As github-mcp-server does: named toolsets and
 * tools add up, and read-only mode then removes every tool that writes.
 * @throws {UnknownToolError} naming the unknown names and the known ones.
 */
export function selectTools<T extends ToolDefinition>(all: readonly T[], selection: ToolSelection = {}): T[] {
  const names = new Set(all.map((tool) => tool.name));
  const toolsets = new Set(all.map((tool) => tool.toolset));
  const unknownTools = (selection.tools ?? []).filter((name) => !names.has(name));
  if (unknownTools.length > 0) throw new UnknownToolError(`--tools: no tool ${unknownTools.join(", ")}; the tools are ${[...names].join(", ")}`);
  const unknownSets = (selection.toolsets ?? []).filter((name) => !toolsets.has(name));
  if (unknownSets.length > 0) throw new UnknownToolError(`--toolsets: no toolset ${unknownSets.join(", ")}; the toolsets are ${[...toolsets].join(", ")}`);
  const picked = selection.tools?.length || selection.toolsets?.length;
  return all.filter(
    (tool) =>
      (!picked || selection.tools?.includes(tool.name) || selection.toolsets?.includes(tool.toolset)) && (!selection.readOnly || tool.annotations.readOnlyHint),
  );
}
