import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MKP, mkp, startSandbox, type Sandbox } from "./helpers.js";

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
    expect(listed.structuredContent).toEqual({ result: [] });
  } finally {
    await client.close();
  }
});

it("`mkp mcp` takes the server's own options: --read-only lists no tool that writes; a bad option is a usage error", async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MKP, "mcp", "--read-only", "--toolsets", "fixes"],
    env: { PATH: process.env.PATH ?? "", MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl },
    stderr: "pipe",
  });
  const client = new Client({ name: "mkp-cli-test", version: "1.0.0" });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["list_fixes", "get_fix"]);
  } finally {
    await client.close();
  }
  const bad = await mkp(["mcp", "--allow-dir", "relative/models"]);
  expect(bad).toMatchObject({ code: 2, stdout: "" });
  expect(bad.stderr).toBe("mkp: --allow-dir relative/models: give an absolute folder (or ~/…); MCP clients start servers in a folder you do not choose\n");
});
