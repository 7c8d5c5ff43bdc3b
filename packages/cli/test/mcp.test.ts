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
  const { client } = await connectMkp(["mcp"], { MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl });
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
  const { client } = await connectMkp(["mcp", "--read-only", "--toolsets", "fixes"], {
    MAKEPRINTABLE_API_KEY: sandbox.apiKey,
    MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl,
  });
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

/** An MCP client connected to `mkp <args>` with exactly `env` (plus PATH). */
async function connectMkp(args: string[], env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MKP, ...args],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  const client = new Client({ name: "mkp-cli-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

it("`mkp --base-url … mcp` serves that API, and advice names --base-url where the person gave it", async () => {
  const served = await connectMkp(["--base-url", sandbox.server.apiUrl, "mcp"], { MAKEPRINTABLE_API_KEY: sandbox.apiKey });
  try {
    const listed = (await served.client.callTool({ name: "list_fixes", arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
    expect(served.stderr()).toContain(`(API ${sandbox.server.apiUrl})`);
  } finally {
    await served.client.close();
  }
  const origin = new URL(sandbox.server.apiUrl).origin;
  const wrong = await connectMkp(["--base-url", origin, "mcp"], { MAKEPRINTABLE_API_KEY: sandbox.apiKey });
  try {
    const result = (await wrong.client.callTool({ name: "list_fixes", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    const text = result.content.map((block) => (block.type === "text" ? block.text : "")).join("\n");
    expect(text).toContain(`does the base URL end in /v1? --base-url on the MCP server's command line is ${origin}`);
  } finally {
    await wrong.client.close();
  }
});
