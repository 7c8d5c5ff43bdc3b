import { createClient, fixesOf, itemsOf, unwrap, uploadItem, type Fix } from "@mkp/client";
import { OPERATION_INPUTS, OPERATION_OUTPUTS, OPERATIONS } from "@mkp/client/internal";
import { saveLogin } from "@mkp/node";
import { buildAuthorizationUrl, exchangeCode } from "@mkp/oauth";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { McpError, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { allTools } from "../src/server.js";
import { connect, textOf, type Connected } from "./helpers.js";

const TIMING = { queuedMs: 1000, processingMs: 10_000 };
const MODEL = Buffer.from("solid mcp\nendsolid mcp\n");
// Every operation that takes a credential is a tool; the OAuth 2.0 endpoints are for apps.
const OPERATION_TOOLS = Object.entries(OPERATIONS)
  .filter(([, operation]) => operation.authenticated)
  .map(([id]) => id.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase());

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
  mcp = await connect(
    { MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: join(dir, "config") },
    { args: ["--allow-dir", dir] },
  );
  // The SDK's client validates structuredContent against the output schemas it has listed.
  await mcp.client.listTools();
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
/** The structured answer of a successful call (the answer under `result` for a list). */
const jsonOf = (result: CallToolResult) => {
  expect(result.isError, textOf(result)).toBeFalsy();
  const structured = result.structuredContent!;
  return ("result" in structured ? structured.result : structured) as unknown;
};

/** The tool error a call gets: the server answers it, and the call never reaches the API. */
async function refusal(name: string, args: Record<string, unknown>): Promise<string> {
  const result = await invoke(name, args);
  expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  return textOf(result);
}

describe("the tool list", () => {
  it("has one tool per operation that takes a credential, plus repair_model, with the spec's names, descriptions and schemas", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...OPERATION_TOOLS, "repair_model"]);
    expect(tools.map((tool) => tool.name)).toEqual(allTools().map((tool) => tool.name));
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName["get_fix"]).toMatchObject({
      title: "Get a repair's status",
      inputSchema: OPERATION_INPUTS.getFix.schema,
      outputSchema: OPERATION_OUTPUTS.getFix.schema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    });
    expect(byName["get_fix"]!.description).toBe(`Get a repair's status\n\n${OPERATIONS.getFix.description}\n\n(GET /fixes/{id})`);
    expect(byName["list_items"]!.inputSchema).toEqual(OPERATION_INPUTS.listItems.schema);
    // A list may be an array: an MCP output schema describes an object, so it is wrapped.
    expect(byName["list_items"]!.outputSchema).toEqual({
      type: "object",
      properties: { result: OPERATION_OUTPUTS.listItems.schema },
      required: ["result"],
      additionalProperties: false,
    });
    expect(byName["delete_item"]!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false, idempotentHint: true });
    expect(byName["delete_item"]!.outputSchema).toMatchObject({ required: ["status"] });
    // The callback URL is a side channel: no tool offers it.
    const { callback_url: _callback, ...fixInputs } = OPERATION_INPUTS.createFix.schema.properties;
    expect(byName["create_fix"]!.inputSchema).toEqual({ ...OPERATION_INPUTS.createFix.schema, properties: fixInputs });
    expect(byName["create_fix"]!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    // The upload's binary field becomes the path of a local file inside the fence.
    expect(byName["create_item"]!.inputSchema.properties).toEqual({
      file: {
        type: "string",
        minLength: 1,
        description: expect.stringMatching(/^The path of a local regular file to upload\. Give an absolute path inside a folder the person allowed/),
      },
      fileurl: OPERATION_INPUTS.createItem.schema.properties.fileurl,
    });
    const repair = byName["repair_model"]!.inputSchema as { properties: Record<string, unknown>; required: string[] };
    expect(repair.required).toEqual(["source", "output"]);
    expect(repair.properties["print_quality"]).toEqual(OPERATION_INPUTS.createFix.schema.properties.print_quality);
    expect(Object.keys(repair.properties)).toEqual(["source", "output", "overwrite", ...Object.keys(fixInputs).filter((name) => name !== "item_id")]);
  });
});

describe("repair_model", () => {
  it("uploads, repairs and writes the sandbox's repaired file, with progress notifications as the repair moves", async () => {
    const progress: Progress[] = [];
    const output = join(dir, "part.fixed.stl");
    const result = await invoke("repair_model", { source: join(dir, "part.stl"), output, print_quality: "high" }, (update) => {
      progress.push(update);
      // The sandbox's clock moves when the agent has seen each state.
      if (update.progress === 1) clock.t += TIMING.queuedMs + TIMING.processingMs / 2;
      if (update.progress === 50) clock.t += TIMING.processingMs;
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const fix = fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;
    expect(textOf(result).split("\n")[0]).toBe(
      `Repaired part.stl → ${output} (fix ${fix.id}, ${MODEL.length} bytes); the item, the fix and its download link follow as JSON.`,
    );
    expect(progress.map(({ progress: value, total, message }) => ({ value, total, message }))).toEqual([
      { value: 0, total: 100, message: "uploading part.stl" },
      { value: 1, total: 100, message: `fix ${fix.id}: 0%` },
      { value: 50, total: 100, message: `fix ${fix.id}: 50%` },
      { value: 99, total: 100, message: `fix ${fix.id}: 100%` },
      { value: 100, total: 100, message: "downloading the repaired file" },
    ]);
    const written = await readFile(output);
    expect(written).toEqual(Buffer.from(await (await fetch(fix.download_url!)).arrayBuffer()));
    expect(written).toEqual(MODEL);
    expect(result.structuredContent).toMatchObject({
      output,
      bytes: MODEL.length,
      fix: { id: fix.id, download_url: fix.download_url },
      item: { id: fix.item_id },
    });
  });

  it("a cancelled call ends at the client; the server answers on, and the repair is left for get_fix", async () => {
    const output = join(dir, "cancelled.stl");
    const controller = new AbortController();
    const pending = mcp.client.callTool({ name: "repair_model", arguments: { source: join(dir, "part.stl"), output } }, undefined, {
      signal: controller.signal,
      onprogress: (update) => void (update.progress === 1 && controller.abort()),
    });
    await expect(pending).rejects.toThrow(/abort/i);
    const fix = fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;
    clock.t += TIMING.queuedMs + TIMING.processingMs;
    expect(jsonOf(await invoke("get_fix", { id: fix.id }))).toMatchObject({ id: fix.id, status: "done" });
    expect(await readdir(dir)).not.toContain("cancelled.stl");
  });

  it("never replaces a file it did not write; replaces its own with overwrite: true", async () => {
    const output = join(dir, "exists.stl");
    await writeFile(output, "mine");
    expect(await refusal("repair_model", { source: join(dir, "part.stl"), output })).toBe(`output: ${output} exists: choose another output`);
    expect(await refusal("repair_model", { source: join(dir, "part.stl"), output, overwrite: true })).toBe(
      `output: ${output} exists and this server did not write it: choose another output (the person can let the server replace files with --allow-overwrite)`,
    );
    expect(await readFile(output, "utf8")).toBe("mine");

    const own = join(dir, "own.stl");
    const repair = (args: Record<string, unknown>) =>
      invoke("repair_model", { source: join(dir, "part.stl"), output: own, ...args }, (update) => {
        if (update.progress === 1) clock.t += TIMING.queuedMs + TIMING.processingMs;
      });
    expect((await repair({})).isError).toBeFalsy();
    expect(textOf(await repair({}))).toBe(`output: ${own} exists: pass overwrite: true to replace it, or choose another output`);
    expect((await repair({ overwrite: true })).isError).toBeFalsy();
    expect(await readFile(own)).toEqual(MODEL);
  });
});

describe("every list and get tool", () => {
  it("answers with the API's JSON as structured content", async () => {
    const item = await unwrap(uploadItem(api(), { file: new Blob([MODEL]), fileName: "listed.stl" }));
    const fix = await unwrap(api().POST("/fixes", { body: { item_id: item.id, name: "listed" } }));
    const listed = await invoke("list_items", { pageSize: 100 });
    expect(jsonOf(listed)).toContainEqual(item);
    expect(textOf(listed)).toMatch(/^GET \/items answered 200 \(\d+ entries\): the answer follows as JSON, under "result"\.\n\{/);
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
    expect(deleted.structuredContent).toEqual({ status: 204 });
    expect(deleted.content[0]).toEqual({ type: "text", text: `DELETE /items/${created.id} answered 204 with no content.` });
    const gone = await invoke("get_item", { id: created.id });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/^not found \(404\)\n\{/);
  });
});

describe("bad input is a tool error naming the field (SEP-1303), and the server lives on", () => {
  const badInputs: [string, string, () => Record<string, unknown>, () => string][] = [
    ["create_item", "file", () => ({ file: join(dir, "nope.stl") }), () => `file: no such file: ${join(dir, "nope.stl")}`],
    ["create_item", "file", () => ({ file: dir }), () => `file: ${dir} is not a regular file`],
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
    [
      "repair_model",
      "output",
      () => ({ source: join(dir, "part.stl"), output: join(dir, "missing", "o.stl") }),
      () => `output: ${join(dir, "missing")} is not a directory: create it first, or write elsewhere`,
    ],
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
    expect(await refusal(tool, args())).toBe(message());
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it("an unknown tool is a protocol error (-32602) naming the tools", async () => {
    const error = await mcp.client.callTool({ name: "repair_everything", arguments: {} }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
    expect((error as McpError).message).toBe(
      `MCP error -32602: unknown tool "repair_everything": the tools are ${[...OPERATION_TOOLS, "repair_model"].join(", ")}`,
    );
  });
});

describe("credentials", () => {
  it("an API error is a tool error with mkp's advice in MCP words; the API's own words are data, not our sentence", async () => {
    const result = await invoke("get_fix", { id: 999_999 });
    const direct = await api().GET("/fixes/{id}", { params: { path: { id: 999_999 } } });
    const words = String((direct.error as { error_description?: string }).error_description);
    expect(words).toBe("No such resource in your account.");
    expect(result.isError).toBe(true);
    const [said, data] = result.content.map((block) => (block.type === "text" ? block.text : ""));
    expect(said).toBe("not found (404)");
    expect(JSON.parse(data!)).toEqual({ status: 404, code: "MKP_NOT_FOUND", api_message: expect.any(String) });
    expect(JSON.parse(data!).api_message).toBe(`404 ${words}`);
    expect(said).not.toContain(words);
  });

  it("a wrong key: the advice names the variable in the server's environment, never the key", async () => {
    const wrong = await connect({
      MAKEPRINTABLE_API_KEY: "wrong-key-0123456789",
      MAKEPRINTABLE_BASE_URL: sandbox.apiUrl,
      XDG_CONFIG_HOME: join(dir, "config"),
    });
    try {
      const result = (await wrong.client.callTool({ name: "list_items", arguments: {} })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^the API refused the credential \(401\): check MAKEPRINTABLE_API_KEY in the MCP server's environment/);
      expect(JSON.stringify(result) + wrong.stderr()).not.toContain("wrong-key-0123456789");
    } finally {
      await wrong.close();
    }
  });

  it("a base URL without the API's path: the advice asks whether it ends in /v1, naming the variable", async () => {
    const origin = new URL(sandbox.apiUrl).origin;
    const server = await connect({ MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: origin, XDG_CONFIG_HOME: join(dir, "config") });
    try {
      const result = (await server.client.callTool({ name: "list_items", arguments: {} })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(`does the base URL end in /v1? MAKEPRINTABLE_BASE_URL in the MCP server's environment is ${origin}`);
    } finally {
      await server.close();
    }
  });

  it("repair_model refuses what is not a model before uploading: a .txt file, an empty file, an ftp:// URL", async () => {
    await writeFile(join(dir, "notes.txt"), "not a model");
    await writeFile(join(dir, "empty.stl"), "");
    const items = itemsOf(await unwrap(api().GET("/items", { params: { query: { pageSize: 1000 } } }))).length;
    const output = join(dir, "refused.stl");
    expect(await refusal("repair_model", { source: join(dir, "notes.txt"), output })).toMatch(/^source: .*notes\.txt is a \.txt file, not a 3D model/);
    expect(await refusal("repair_model", { source: join(dir, "empty.stl"), output })).toMatch(/^source: .*empty\.stl is empty \(0 bytes\)/);
    expect(await refusal("repair_model", { source: "ftp://example.com/part.stl", output })).toMatch(/^source: ftp:\/\/ URLs cannot be used/);
    expect(itemsOf(await unwrap(api().GET("/items", { params: { query: { pageSize: 1000 } } }))).length).toBe(items);
  });

  it("without MAKEPRINTABLE_API_KEY it uses the login `mkp login` stored, and names both when there is none", async () => {
    const config = join(dir, "login-config");
    const server = await connect({ MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: config });
    try {
      const none = (await server.client.callTool({ name: "list_items", arguments: {} })) as CallToolResult;
      expect(none).toMatchObject({
        isError: true,
        content: [{ type: "text", text: expect.stringMatching(/^no credential: .*MAKEPRINTABLE_API_KEY.*mkp login/) }],
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
      expect(Array.isArray(listed.structuredContent?.result)).toBe(true);
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
