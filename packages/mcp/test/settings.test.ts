import { startMockServer } from "@mkp/mock-server";
import { startRecordingServer } from "@mkp/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, textOf } from "./helpers.js";

// The MCP server resolves its settings as mkp does (@mkp/node's resolveSettings): the same mistakes get
// the same diagnosis, naming the variable in the server's environment, and nothing is sent until they pass.
let config: string;
beforeAll(async () => {
  config = await mkdtemp(join(tmpdir(), "mkp-mcp-settings-"));
});
afterAll(async () => {
  await rm(config, { recursive: true, force: true });
});

/** Calls list_fixes on a server started with `env`; returns the result and what the server wrote on stderr. */
async function listFixes(env: Record<string, string>): Promise<{ result: CallToolResult; stderr: string }> {
  const server = await connect({ XDG_CONFIG_HOME: config, ...env });
  try {
    const result = (await server.client.callTool({ name: "list_fixes", arguments: {} })) as CallToolResult;
    return { result, stderr: server.stderr() };
  } finally {
    await server.close();
  }
}

describe("settings through the MCP server", () => {
  it("a key with a space at its end (a copy-paste) is refused before any request, naming the variable and never the key", async () => {
    const api = await startRecordingServer();
    try {
      const key = "12345weLove3DPrinting ";
      const { result, stderr } = await listFixes({ MAKEPRINTABLE_API_KEY: key, MAKEPRINTABLE_BASE_URL: `${api.url}/v1` });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe("MAKEPRINTABLE_API_KEY has a space at its end: remove it");
      expect(JSON.stringify(result) + stderr).not.toContain(key.trim());
      expect(api.requests).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it("127.0.0.2 is loopback as everywhere else: plain http is used there, and refused off loopback naming the variable", async () => {
    const sandbox = await startMockServer({ host: "127.0.0.2", strict: true });
    try {
      expect(sandbox.apiUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/v1$/);
      const { result } = await listFixes({ MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl });
      expect(textOf(result)).not.toMatch(/plain http/);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ result: [] });
    } finally {
      await sandbox.close();
    }
    const { result } = await listFixes({ MAKEPRINTABLE_API_KEY: "key-0123456789", MAKEPRINTABLE_BASE_URL: "http://10.0.0.2:4010/v1" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^MAKEPRINTABLE_BASE_URL .*plain http, so the credential would travel unencrypted/);
  });

  it("a base URL with a user name and password: the banner and the advice print it without them", async () => {
    const { result, stderr } = await listFixes({ MAKEPRINTABLE_API_KEY: "key-0123456789", MAKEPRINTABLE_BASE_URL: "https://someone:hunter2@proxy.example/v1" });
    expect(stderr).toContain("(API https://proxy.example/v1)");
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^MAKEPRINTABLE_BASE_URL holds a user name or password \(https:\/\/proxy\.example\/v1\)/);
    expect(JSON.stringify(result) + stderr).not.toContain("hunter2");
  });

  it("no answer at the base URL: the advice names the variable and its value, not the library's option", async () => {
    const api = await startRecordingServer();
    const baseUrl = `${api.url}/v1`;
    await api.close();
    const { result } = await listFixes({ MAKEPRINTABLE_API_KEY: "key-0123456789", MAKEPRINTABLE_BASE_URL: baseUrl });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      new RegExp(
        `^could not reach ${baseUrl}/fixes \\(.*ECONNREFUSED.*\\): check the network and the base URL \\(MAKEPRINTABLE_BASE_URL in the MCP server's environment is ${baseUrl}\\)$`,
      ),
    );
    expect(textOf(result)).not.toContain("baseUrl");
  });
});
