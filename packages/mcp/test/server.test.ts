import { createClient, fixesOf, OPERATION_INPUTS, OPERATIONS, unwrap, uploadItem, type Fix } from "@mkp/client";
import { saveLogin } from "@mkp/node";
import { buildAuthorizationUrl, exchangeCode } from "@mkp/oauth";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { McpError, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, type Connected } from "./helpers.js";

const TIMING = { queuedMs: 1000, processingMs: 10_000 };
const MODEL = Buffer.from("solid mcp\nendsolid mcp\n");
const OPERATION_TOOLS = ["list_items", "create_item", "get_item", "delete_item", "list_fixes", "create_fix", "get_fix"];

let sandbox: MockServer;
const clock = { t: Date.now() };
let dir: string;
let mcp: Connected;
/** Everything the server said: results, errors and stderr, checked for secrets at the end. */
const transcript: string[] = [];

beforeAll(async () => {
  sandbox = await startMockServer({ strict: true, now: () => clock.t, fixTiming: TIMING, autoApprove: true });
  dir = await mkdtemp(join(tmpdir(), "mkp-mcp-"));
  await writeFile(join(dir, "part.stl"), MODEL);
  mcp = await connect({ MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: join(dir, "config") });
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  for (const text of [...transcript, mcp.stderr()]) expect(text).not.toContain(sandbox.demo.apiKey);
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  expect(sandbox.specViolations).toEqual([]);
});

const api = () => createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl });

async function invoke(name: string, args: Record<string, unknown>, onprogress?: (progress: Progress) => void): Promise<CallToolResult> {
  const result = (await mcp.client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {})) as CallToolResult;
  transcript.push(JSON.stringify(result));
  return result;
}
const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;
const jsonOf = (result: CallToolResult) => JSON.parse(textOf(result)) as unknown;

/** The MCP error a call gets (the server answers it; the call never reaches the API). */
async function refusal(name: string, args: Record<string, unknown>): Promise<McpError> {
  const error = await mcp.client.callTool({ name, arguments: args }).then(
    (result) => ({ result }),
    (thrown: unknown) => thrown,
  );
  expect(error, `${name} ${JSON.stringify(args)}`).toBeInstanceOf(McpError);
  transcript.push((error as McpError).message);
  return error as McpError;
}

describe("the tool list", () => {
  it("has one tool per operation that takes a credential, plus repair_model, with the spec's names, descriptions and input schemas", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...OPERATION_TOOLS, "repair_model"]);
    // The OAuth 2.0 endpoints are for apps, not agents.
    expect(
      Object.entries(OPERATIONS)
        .filter(([, operation]) => operation.authenticated)
        .map(([id]) => id),
    ).toEqual(["listItems", "createItem", "getItem", "deleteItem", "listFixes", "createFix", "getFix"]);
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName["get_fix"]).toMatchObject({
      title: "Get a repair's status",
      inputSchema: OPERATION_INPUTS.getFix.schema,
      annotations: { readOnlyHint: true, destructiveHint: false },
    });
    expect(byName["get_fix"]!.description).toBe(`Get a repair's status\n\n${OPERATIONS.getFix.description}\n\n(GET /fixes/{id})`);
    expect(byName["create_fix"]!.inputSchema).toEqual(OPERATION_INPUTS.createFix.schema);
    expect(byName["list_items"]!.inputSchema).toEqual(OPERATION_INPUTS.listItems.schema);
    expect(byName["delete_item"]!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    // The upload's binary field becomes the path of a local file.
    expect(byName["create_item"]!.inputSchema).toEqual({
      ...OPERATION_INPUTS.createItem.schema,
      properties: {
        file: {
          type: "string",
          minLength: 1,
          description: `The absolute path of a local file to upload; it must be a regular file. ${OPERATION_INPUTS.createItem.schema.properties.file.description}`,
        },
        fileurl: OPERATION_INPUTS.createItem.schema.properties.fileurl,
      },
    });
    const repair = byName["repair_model"]!.inputSchema as { properties: Record<string, unknown>; required: string[] };
    expect(repair.required).toEqual(["source", "output"]);
    expect(repair.properties["print_quality"]).toEqual(OPERATION_INPUTS.createFix.schema.properties.print_quality);
    expect(Object.keys(repair.properties)).toEqual([
      "source",
      "output",
      "overwrite",
      "name",
      "wall_thickness",
      "print_quality",
      "pre_optimize",
      "post_optimize",
      "secure",
    ]);
  });
});

describe("repair_model", () => {
  it("uploads, repairs and writes the sandbox's repaired file, with progress notifications as the repair moves", async () => {
    const progress: Progress[] = [];
    const output = join(dir, "part.fixed.stl");
    const result = await invoke("repair_model", { source: join(dir, "part.stl"), output, print_quality: "high" }, (update) => {
      progress.push(update);
      // The sandbox's clock moves when the agent has seen each state.
      if (update.message?.endsWith("queued 0%")) clock.t += TIMING.queuedMs + TIMING.processingMs / 2;
      if (update.message?.endsWith("processing 50%")) clock.t += TIMING.processingMs;
    });
    expect(result.isError).toBeFalsy();
    const fix = fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;
    expect(textOf(result).split("\n")[0]).toBe(`Repaired part.stl → ${output} (fix ${fix.id}, ${MODEL.length} bytes).`);
    expect(progress.map(({ progress: value, total, message }) => ({ value, total, message }))).toEqual([
      { value: 0, total: 100, message: "uploading part.stl" },
      { value: 1, total: 100, message: `fix ${fix.id}: queued 0%` },
      { value: 50, total: 100, message: `fix ${fix.id}: processing 50%` },
      { value: 99, total: 100, message: `fix ${fix.id}: done 100%` },
      { value: 100, total: 100, message: "downloading the repaired file" },
    ]);
    const written = await readFile(output);
    expect(written).toEqual(Buffer.from(await (await fetch(fix.download_url!)).arrayBuffer()));
    expect(written).toEqual(MODEL);
    expect(JSON.parse(textOf(result).slice(textOf(result).indexOf("{")))).toMatchObject({ output, bytes: MODEL.length, download_url: fix.download_url });
  });

  it("a cancelled call ends at the client; the server answers on, and the repair is left for get_fix", async () => {
    const output = join(dir, "cancelled.stl");
    const controller = new AbortController();
    const pending = mcp.client.callTool({ name: "repair_model", arguments: { source: join(dir, "part.stl"), output } }, undefined, {
      signal: controller.signal,
      onprogress: (update) => void (update.message?.endsWith("queued 0%") && controller.abort()),
    });
    await expect(pending).rejects.toThrow(/abort/i);
    const fix = fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;
    clock.t += TIMING.queuedMs + TIMING.processingMs;
    expect(jsonOf(await invoke("get_fix", { id: fix.id }))).toMatchObject({ id: fix.id, status: "done" });
    expect(await readdir(dir)).not.toContain("cancelled.stl");
  });

  it("never replaces an existing output unless told to", async () => {
    const output = join(dir, "exists.stl");
    await writeFile(output, "mine");
    const error = await refusal("repair_model", { source: join(dir, "part.stl"), output });
    expect(error.message).toBe(`MCP error -32602: output: ${output} exists: pass overwrite: true to replace it, or choose another output`);
    expect(await readFile(output, "utf8")).toBe("mine");
  });
});

describe("every list and get tool", () => {
  it("answers with the API's JSON", async () => {
    const item = await unwrap(uploadItem(api(), { file: new Blob([MODEL]), fileName: "listed.stl" }));
    const fix = await unwrap(api().POST("/fixes", { body: { item_id: item.id, name: "listed" } }));
    expect(jsonOf(await invoke("list_items", { pageSize: 100 }))).toContainEqual(item);
    expect(jsonOf(await invoke("get_item", { id: item.id }))).toEqual(item);
    expect((jsonOf(await invoke("list_fixes", {})) as Fix[]).map((entry) => entry.id)).toContain(fix.id);
    expect(jsonOf(await invoke("get_fix", { id: fix.id }))).toMatchObject({ id: fix.id, item_id: item.id });
  });

  it("create_item reads the one file it is given; create_fix and delete_item act", async () => {
    const created = jsonOf(await invoke("create_item", { file: join(dir, "part.stl") })) as { id: number; file_name: string };
    expect(created).toMatchObject({ file_name: "part", file_ext: "stl" });
    const fix = jsonOf(await invoke("create_fix", { item_id: created.id, name: "again", pre_optimize: 3 })) as Fix;
    expect(fix).toMatchObject({ item_id: created.id, status: "queued" });
    const deleted = await invoke("delete_item", { id: created.id });
    expect(textOf(deleted)).toBe(`DELETE /v1/items/${created.id} answered 204 with no content.`);
    const gone = await invoke("get_item", { id: created.id });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/^The API answered 404 .+/);
  });
});

describe("bad input is an MCP error naming the field, and the server lives on", () => {
  const wrongValue = (schema: { type?: unknown }) => (schema.type === "string" ? 42 : "not-a-number");

  it("wrong types and missing fields, for every tool", async () => {
    const { tools } = await mcp.client.listTools();
    for (const tool of tools) {
      const properties = tool.inputSchema.properties as Record<string, { type?: unknown }>;
      const [first] = Object.keys(properties);
      if (first) {
        const error = await refusal(tool.name, { [first]: wrongValue(properties[first]!) });
        expect(error.code).toBe(-32602);
        expect(error.message).toMatch(new RegExp(`MCP error -32602: (.*; )?${first}: must be (string|integer|number)`));
      }
      const required = tool.inputSchema.required ?? [];
      const missing = await refusal(tool.name, required.length ? {} : { bogus: 1 });
      expect(missing.message).toContain(required.length ? `${required[0]}: is required` : "bogus: is not an input of this tool");
    }
  });

  const badInputs: [string, string, () => Record<string, unknown>, () => string][] = [
    ["create_item", "file", () => ({ file: join(dir, "nope.stl") }), () => `file: no such file: ${join(dir, "nope.stl")}`],
    ["create_item", "file", () => ({ file: dir }), () => `file: ${dir} is not a regular file`],
    ["create_item", "file", () => ({ file: "part.stl" }), () => `file: give an absolute path ("part.stl" is relative)`],
    [
      "create_item",
      "file",
      () => ({ file: join(dir, "part.stl"), fileurl: "https://example.com/a.stl" }),
      () => "arguments: give exactly one of the alternatives (file or fileurl)",
    ],
    ["repair_model", "source", () => ({ source: join(dir, "nope.stl"), output: join(dir, "o.stl") }), () => `source: no such file: ${join(dir, "nope.stl")}`],
    ["repair_model", "source", () => ({ source: dir, output: join(dir, "o.stl") }), () => `source: ${dir} is not a regular file`],
    [
      "repair_model",
      "output",
      () => ({ source: join(dir, "part.stl"), output: dir }),
      () => `output: ${dir} is a directory: give a file path such as ${join(dir, "part.fixed.stl")}`,
    ],
    ["repair_model", "output", () => ({ source: join(dir, "part.stl"), output: "out.stl" }), () => `output: give an absolute path ("out.stl" is relative)`],
    [
      "repair_model",
      "print_quality",
      () => ({ source: join(dir, "part.stl"), output: join(dir, "o.stl"), print_quality: "best" }),
      () => `print_quality: must be one of "standard", "prototype", "high"`,
    ],
    ["get_fix", "id", () => ({ id: 0 }), () => "id: must be >= 1"],
  ];
  it.each(badInputs)("%s with a bad %s", async (tool, _field, args, message) => {
    const before = (await readdir(dir)).sort();
    const error = await refusal(tool, args());
    expect(error.message).toBe(`MCP error -32602: ${message()}`);
    expect((await readdir(dir)).sort()).toEqual(before);
    expect((await mcp.client.listTools()).tools.length).toBe(8);
  });

  it("an unknown tool", async () => {
    const error = await refusal("repair_everything", {});
    expect(error.message).toBe(`MCP error -32602: unknown tool "repair_everything": the tools are ${[...OPERATION_TOOLS, "repair_model"].join(", ")}`);
  });
});

describe("credentials", () => {
  it("an API error is a tool error with the status and the API's message", async () => {
    const result = await invoke("get_fix", { id: 999_999 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^The API answered 404 .+/);
  });

  it("a wrong key: a tool error that says 401, never the key", async () => {
    const wrong = await connect({
      MAKEPRINTABLE_API_KEY: "wrong-key-0123456789",
      MAKEPRINTABLE_BASE_URL: sandbox.apiUrl,
      XDG_CONFIG_HOME: join(dir, "config"),
    });
    try {
      const result = (await wrong.client.callTool({ name: "list_items", arguments: {} })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^The API answered 401 /);
      expect(JSON.stringify(result) + wrong.stderr()).not.toContain("wrong-key-0123456789");
    } finally {
      await wrong.close();
    }
  });

  it("without MAKEPRINTABLE_API_KEY it uses the login `mkp login` stored, and names both when there is none", async () => {
    const config = join(dir, "login-config");
    const server = await connect({ MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: config });
    try {
      const none = (await server.client.callTool({ name: "list_items", arguments: {} })) as CallToolResult;
      expect(none).toMatchObject({
        isError: true,
        content: [{ type: "text", text: "no credential: set MAKEPRINTABLE_API_KEY to your API key, or run `mkp login`" }],
      });

      // A real sandbox token (its consent page approves at once here), stored as `mkp login` stores it.
      const redirectUri = "http://127.0.0.1/callback";
      const { url, codeVerifier } = await buildAuthorizationUrl({
        clientId: sandbox.demo.clientId,
        redirectUri,
        pkce: true,
        authorizeUrl: sandbox.authorizeUrl,
      });
      const code = new URL((await fetch(url, { redirect: "manual" })).headers.get("location")!).searchParams.get("code")!;
      const token = await exchangeCode({
        clientId: sandbox.demo.clientId,
        clientSecret: sandbox.demo.clientSecret,
        redirectUri,
        code,
        codeVerifier,
        baseUrl: sandbox.apiUrl,
      });
      await saveLogin({ baseUrl: sandbox.apiUrl, accessToken: token.accessToken, expiresAt: token.expiresAt }, { env: { XDG_CONFIG_HOME: config } });

      const listed = (await server.client.callTool({ name: "list_items", arguments: {} })) as CallToolResult;
      expect(listed.isError).toBeFalsy();
      expect(Array.isArray(JSON.parse(textOf(listed)))).toBe(true);
      expect(JSON.stringify(listed) + server.stderr()).not.toContain(token.accessToken);
    } finally {
      await server.close();
    }
  });
});

it("lives through a line that is not JSON-RPC and answers the next request", async () => {
  const { spawn } = await import("node:child_process");
  const { MCP_BIN } = await import("./helpers.js");
  const child = spawn(process.execPath, [MCP_BIN], {
    env: { PATH: process.env.PATH ?? "", MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  const answered = new Promise<string>((resolve) =>
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve(stdout);
    }),
  );
  child.stdin.write("this is not JSON\n");
  child.stdin.write(
    `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } })}\n`,
  );
  const reply = JSON.parse((await answered).split("\n")[0]!) as { id: number; result: { serverInfo: { name: string } } };
  expect(reply).toMatchObject({ id: 1, result: { serverInfo: { name: "makeprintable" } } });
  expect(child.exitCode).toBeNull();
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.stdin.end();
  expect(await exited).toBe(0);
});
