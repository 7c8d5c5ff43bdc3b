import { OPERATIONS } from "@mkp/client/internal";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allTools, instructionsFor } from "../src/server.js";
import { connect, textOf, type Connected } from "./helpers.js";

let sandbox: MockServer;
let dir: string;
let env: Record<string, string>;
let mcp: Connected;
let tools: Tool[];

beforeAll(async () => {
  sandbox = await startMockServer({ strict: true, fixTiming: { queuedMs: 0, processingMs: 0 }, autoApprove: true });
  dir = await mkdtemp(join(tmpdir(), "mkp-mcp-contract-"));
  await writeFile(join(dir, "part.stl"), "solid contract\nendsolid contract\n");
  env = { MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: join(dir, "config") };
  mcp = await connect(env, { args: ["--allow-dir", dir] });
  ({ tools } = await mcp.client.listTools());
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

const call = async (server: Connected, name: string, args: Record<string, unknown>) =>
  (await server.client.callTool({ name, arguments: args })) as CallToolResult;

/** Whether a tool changes anything: what its operation's method says, or `repair_model` (it writes a file). */
const writes = (name: string) =>
  name === "repair_model" ||
  Object.entries(OPERATIONS).some(([id, operation]) => id.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase() === name && operation.method !== "GET");

describe("every tool's result", () => {
  // A valid call of each tool, in an order where each finds what it needs: the table must name every tool listed.
  const calls: Record<string, (made: Record<string, number>) => Record<string, unknown>> = {
    create_item: () => ({ file: join(dir, "part.stl") }),
    list_items: () => ({}),
    get_item: (made) => ({ id: made.item }),
    create_fix: (made) => ({ item_id: made.item, name: "contract" }),
    list_fixes: () => ({}),
    get_fix: (made) => ({ id: made.fix }),
    repair_model: () => ({ source: join(dir, "part.stl"), output: join(dir, "part.fixed.stl") }),
    delete_item: (made) => ({ id: made.item }),
  };

  it("is structuredContent that validates against the tool's outputSchema (the SDK's Client and Ajv 2020-12), plus a text summary", async () => {
    expect(Object.keys(calls).sort()).toEqual(tools.map((tool) => tool.name).sort());
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const made: Record<string, number> = {};
    for (const [name, args] of Object.entries(calls)) {
      const tool = tools.find((candidate) => candidate.name === name)!;
      // The SDK's Client validates structuredContent against the outputSchema it listed, and throws when it does not fit.
      const result = await call(mcp, name, args(made));
      expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
      const validate = ajv.compile(tool.outputSchema!);
      expect(validate(result.structuredContent), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(result.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/\.$/) });
      expect(JSON.parse((result.content[1] as { text: string }).text)).toEqual(result.structuredContent);
      if (name === "create_item") made.item = (result.structuredContent as { id: number }).id;
      if (name === "create_fix") made.fix = (result.structuredContent as { id: number }).id;
    }
  });
});

describe("bad arguments to every tool", () => {
  const wrongValue = (schema: { type?: unknown }) => (schema.type === "string" ? 42 : "not-a-number");

  it("are tool results with isError naming the field, never protocol errors (MCP 2025-11-25, SEP-1303)", async () => {
    for (const tool of tools) {
      const properties = tool.inputSchema.properties as Record<string, { type?: unknown }>;
      for (const [field, schema] of Object.entries(properties)) {
        const wrong = await call(mcp, tool.name, { [field]: wrongValue(schema) });
        expect(wrong.isError, tool.name).toBe(true);
        expect(textOf(wrong)).toMatch(new RegExp(`(^|; )${field}: must be (string|integer|number|boolean)`));
      }
      const required = tool.inputSchema.required ?? [];
      const missing = await call(mcp, tool.name, required.length ? {} : { bogus: 1 });
      expect(missing.isError, tool.name).toBe(true);
      expect(textOf(missing)).toContain(required.length ? `${required[0]}: is required` : "bogus: is not an input of this tool");
    }
  });
});

describe("the tool list", () => {
  it("has unique titles, and annotations that follow each operation's method", () => {
    expect(new Set(tools.map((tool) => tool.title)).size).toBe(tools.length);
    for (const tool of tools) {
      expect(tool.annotations, tool.name).toMatchObject({ title: tool.title, readOnlyHint: !writes(tool.name), openWorldHint: true });
      expect(tool.outputSchema, tool.name).toMatchObject({ type: "object" });
    }
  });

  it("is what the server's instructions name, and nothing else", async () => {
    const instructions = mcp.client.getInstructions()!;
    expect(instructions).toBe(instructionsFor(allTools()));
    expect(instructions.split("\n").filter((line) => line.startsWith("- "))).toEqual(tools.map((tool) => `- ${tool.name}: ${tool.title}`));
  });

  it("is the committed snapshot: a spec edit shows its effect on agents in review (refresh: pnpm vitest run --project mcp test/contract.test.ts -u)", async () => {
    await expect(`${JSON.stringify(tools, null, 2)}\n`).toMatchFileSnapshot("./__toolsnaps__/tools.json");
  });
});

describe("modes", () => {
  it("--read-only lists no tool that writes, and its instructions name only what it lists", async () => {
    const server = await connect(env, { args: ["--read-only", "--allow-dir", dir] });
    try {
      const listed = (await server.client.listTools()).tools;
      expect(listed.map((tool) => tool.name)).toEqual(tools.filter((tool) => !writes(tool.name)).map((tool) => tool.name));
      expect(listed.length).toBeGreaterThan(0);
      for (const tool of listed) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(server.client.getInstructions()).not.toMatch(/repair_model|create_|delete_/);
      // A tool it does not list is unknown to it.
      await expect(server.client.callTool({ name: "delete_item", arguments: { id: 1 } })).rejects.toThrow(/unknown tool "delete_item"/);
      expect(server.stderr()).toContain(`tools: ${listed.map((tool) => tool.name).join(", ")} (read-only)`);
    } finally {
      await server.close();
    }
  });

  it("--toolsets and --tools offer their union; --read-only then keeps the readers", async () => {
    const names = async (args: string[]) => {
      const server = await connect(env, { args });
      try {
        return (await server.client.listTools()).tools.map((tool) => tool.name);
      } finally {
        await server.close();
      }
    };
    const items = tools.filter((tool) => tool.name.endsWith("_item") || tool.name.endsWith("_items")).map((tool) => tool.name);
    expect(await names(["--toolsets", "items"])).toEqual(items);
    expect(await names(["--toolsets", "items", "--tools", "get_fix,repair_model"])).toEqual([...items, "get_fix", "repair_model"]);
    expect(await names(["--tools", "get_fix", "--tools", "repair_model", "--read-only"])).toEqual(["get_fix"]);
  });
});
