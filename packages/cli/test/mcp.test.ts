import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MKP, startSandbox, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

it("`mkp mcp` is the MCP server on stdio: an MCP client lists its tools and calls one", async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MKP, "mcp"],
    env: { PATH: process.env.PATH ?? "", MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl },
    stderr: "pipe",
  });
  const client = new Client({ name: "mkp-cli-test", version: "1.0.0" });
  await client.connect(transport);
  try {
    expect(client.getServerVersion()).toMatchObject({ name: "makeprintable" });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("repair_model");
    const listed = (await client.callTool({ name: "list_fixes", arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
    expect(JSON.parse((listed.content[0] as { text: string }).text)).toEqual([]);
  } finally {
    await client.close();
  }
});
