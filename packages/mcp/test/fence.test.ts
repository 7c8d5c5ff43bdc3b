import { createClient, fixesOf, itemsOf, unwrap } from "@mkp/client";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { saveLogin, tokenFilePath } from "@mkp/node";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, textOf, type Connected } from "./helpers.js";

const MODEL = Buffer.from("solid fence\nendsolid fence\n");
const TIMING = { queuedMs: 0, processingMs: 0 };

let sandbox: MockServer;
/** The temporary tree: `allowed/` (the fence), `outside/`, `home/` (a home with a dotfile) and `config/` (XDG_CONFIG_HOME). */
let root: string;
let allowed: string;
let outside: string;
let home: string;
let config: string;
let env: Record<string, string>;
const servers: Connected[] = [];

beforeAll(async () => {
  sandbox = await startMockServer({ strict: true, fixTiming: TIMING, autoApprove: true });
  root = await mkdtemp(join(tmpdir(), "mkp-mcp-fence-"));
  [allowed, outside, home, config] = ["allowed", "outside", "home", "config"].map((name) => join(root, name)) as [string, string, string, string];
  for (const folder of [allowed, outside, home, join(allowed, ".git"), join(allowed, "models")]) await mkdir(folder, { recursive: true });
  await writeFile(join(allowed, "part.stl"), MODEL);
  await writeFile(join(allowed, "models", "inner.stl"), MODEL);
  await writeFile(join(allowed, ".hidden.stl"), MODEL);
  await writeFile(join(allowed, ".git", "config.stl"), MODEL);
  await writeFile(join(outside, "secret.stl"), "a file the person never allowed");
  await writeFile(join(home, ".bashrc"), "echo the person's shell\n");
  await symlink(join(outside, "secret.stl"), join(allowed, "link-to-secret.stl"));
  await symlink(outside, join(allowed, "link-to-outside"));
  await symlink(join(allowed, "part.stl"), join(allowed, "plain-link.stl"));
  await symlink(join(home, ".bashrc"), join(allowed, "bashrc.stl"));
  env = { MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: config, HOME: home };
  // A stored login, as `mkp login` leaves it: the first call of the attack uploaded this file.
  await saveLogin({ baseUrl: sandbox.apiUrl, accessToken: "stored-token-0123456789", expiresAt: new Date(Date.now() + 3_600_000) }, { env });
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.close();
  await sandbox?.close();
  await rm(root, { recursive: true, force: true });
});

async function start(args: string[], roots?: string[]): Promise<Connected> {
  const server = await connect(env, { args, ...(roots && { roots }) });
  servers.push(server);
  await server.client.listTools();
  return server;
}

const api = () => createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl });
const itemCount = async () => itemsOf(await unwrap(api().GET("/items", { params: { query: { pageSize: 1000 } } }))).length;
const fixCount = async () => fixesOf(await unwrap(api().GET("/fixes"))).length;

/** Calls a tool that must be refused: an isError result, nothing uploaded, the fence's files unchanged. */
async function refused(server: Connected, name: string, args: Record<string, unknown>): Promise<string> {
  const items = await itemCount();
  const before = await Promise.all([join(home, ".bashrc"), join(outside, "secret.stl"), join(allowed, "part.stl")].map((file) => readFile(file, "utf8")));
  const result = (await server.client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} ${JSON.stringify(args)}: ${textOf(result)}`).toBe(true);
  expect(await itemCount()).toBe(items);
  expect(await Promise.all([join(home, ".bashrc"), join(outside, "secret.stl"), join(allowed, "part.stl")].map((file) => readFile(file, "utf8")))).toEqual(
    before,
  );
  return textOf(result);
}

async function accepted(server: Connected, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await server.client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} ${JSON.stringify(args)}: ${textOf(result)}`).toBeFalsy();
  return result;
}

describe("the three-call attack of the review fails", () => {
  it("1. create_item cannot upload the stored login token, even when the person allowed the folder that holds it", async () => {
    for (const folder of [root, config]) {
      const server = await start(["--allow-dir", folder]);
      expect(await refused(server, "create_item", { file: tokenFilePath({ env }) })).toBe(
        `file: ${tokenFilePath({ env })} is in the configuration directory, which this server never reads or writes`,
      );
    }
  });

  it("2. create_fix offers no callback_url, and one given is refused before any request", async () => {
    const server = await start(["--allow-dir", allowed]);
    const { tools } = await server.client.listTools();
    for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).not.toContain("callback_url");
    const item = (await accepted(server, "create_item", { file: join(allowed, "part.stl") })).structuredContent as { id: number };
    const fixes = await fixCount();
    expect(await refused(server, "create_fix", { item_id: item.id, callback_url: "http://127.0.0.1:9/steal" })).toBe(
      "callback_url: is not an input of this tool",
    );
    expect(await fixCount()).toBe(fixes);
  });

  it("3. repair_model cannot replace a dotfile: not with a relative source, not outside the fence, not a hidden name inside it", async () => {
    const outsider = await start(["--allow-dir", allowed]);
    expect(await refused(outsider, "repair_model", { source: "payload.stl", output: join(home, ".bashrc"), overwrite: true })).toBe(
      `source: give an absolute path inside ${allowed} ("payload.stl" is relative)`,
    );
    expect(await refused(outsider, "repair_model", { source: join(allowed, "part.stl"), output: join(home, ".bashrc"), overwrite: true })).toBe(
      `output: ${join(home, ".bashrc")} is outside the folders this server may use: ${allowed}`,
    );
    // The person allowed the whole home folder: its dotfiles stay closed.
    const homely = await start(["--allow-dir", home, "--allow-dir", allowed]);
    expect(await refused(homely, "repair_model", { source: join(allowed, "part.stl"), output: join(home, ".bashrc"), overwrite: true })).toBe(
      `output: ${join(home, ".bashrc")} is hidden (a name starting with "."): hidden files and folders are never read or written`,
    );
  });
});

describe("the fence's variants", () => {
  let server: Connected;
  beforeAll(async () => {
    server = await start(["--allow-dir", allowed]);
  });

  const readCases: [string, () => string, () => string][] = [
    ["a symbolic link inside that points out", () => join(allowed, "link-to-secret.stl"), () => `is outside the folders this server may use: ${allowed}`],
    ["a path through a linked folder that points out", () => join(allowed, "link-to-outside", "secret.stl"), () => "is outside the folders"],
    ["`..` out of the folder", () => join(allowed, "..", "outside", "secret.stl"), () => "is outside the folders"],
    ["a hidden file", () => join(allowed, ".hidden.stl"), () => "is hidden"],
    ["a file in a hidden folder", () => join(allowed, ".git", "config.stl"), () => "is hidden"],
    ["a link to a dotfile", () => join(allowed, "bashrc.stl"), () => "is outside the folders"],
    ["a relative path", () => "part.stl", () => `give an absolute path inside ${allowed} ("part.stl" is relative)`],
    ["the configuration directory", () => tokenFilePath({ env }), () => "is in the configuration directory"],
  ];
  it.each(readCases)("create_item and repair_model refuse to read %s", async (_name, path, reason) => {
    expect(await refused(server, "create_item", { file: path() })).toContain(reason());
    expect(await refused(server, "repair_model", { source: path(), output: join(allowed, "out.stl") })).toContain(reason());
  });

  const writeCases: [string, () => string, () => string][] = [
    ["into a linked folder that points out", () => join(allowed, "link-to-outside", "new.stl"), () => "is outside the folders"],
    ["over a symbolic link", () => join(allowed, "plain-link.stl"), () => "is a symbolic link: choose another output"],
    ["`..` out of the folder", () => join(allowed, "..", "outside", "new.stl"), () => "is outside the folders"],
    ["a hidden file", () => join(allowed, ".new.stl"), () => "is hidden"],
    ["into a hidden folder", () => join(allowed, ".git", "new.stl"), () => "is hidden"],
    ["a relative path", () => "new.stl", () => "is relative"],
  ];
  it.each(writeCases)("repair_model refuses to write %s", async (_name, path, reason) => {
    expect(await refused(server, "repair_model", { source: join(allowed, "part.stl"), output: path(), overwrite: true })).toContain(reason());
  });

  it("a file inside, and a link inside to a file inside, are read", async () => {
    await accepted(server, "create_item", { file: join(allowed, "models", "inner.stl") });
    await accepted(server, "create_item", { file: join(allowed, "plain-link.stl") });
  });

  it("without roots or --allow-dir, file tools say how to allow a folder; URLs still work", async () => {
    const closed = await start([]);
    expect(await refused(closed, "create_item", { file: join(allowed, "part.stl") })).toBe(
      "file: no folder is open to this server, so it reads and writes no files. The person can open one: a folder or workspace in the MCP client (its roots), or `--allow-dir <folder>` in the server's arguments. A model at an http(s) URL needs no folder.",
    );
    expect(closed.stderr()).toContain("files: the MCP client's roots when it offers them, else none (add --allow-dir <folder>)");
    await accepted(closed, "create_item", { fileurl: "https://example.com/model.stl" });
  });
});

describe("the client's roots", () => {
  it("replace --allow-dir, and narrow and widen as the client changes them", async () => {
    const other = join(root, "other");
    await mkdir(other, { recursive: true });
    await writeFile(join(other, "other.stl"), MODEL);
    const server = await start(["--allow-dir", other], [allowed]);
    const inAllowed = { file: join(allowed, "part.stl") };
    const inOther = { file: join(other, "other.stl") };
    await accepted(server, "create_item", inAllowed);
    expect(await refused(server, "create_item", inOther)).toBe(`file: ${join(other, "other.stl")} is outside the folders this server may use: ${allowed}`);

    await server.setRoots([other]);
    expect(await refused(server, "create_item", inAllowed)).toContain(`is outside the folders this server may use: ${other}`);
    await accepted(server, "create_item", inOther);

    await server.setRoots([allowed, other]);
    await accepted(server, "create_item", inAllowed);
    await accepted(server, "create_item", inOther);

    // No usable root: back to --allow-dir, and the person is told why.
    await server.setRoots([join(root, "gone")]);
    await accepted(server, "create_item", inOther);
    expect(await refused(server, "create_item", inAllowed)).toContain("is outside the folders");
    expect(server.stderr()).toContain(`mkp-mcp: root ${join(root, "gone")} is not an existing directory; skipped\n`);
    await server.setRoots([`https://example.com${allowed}`]);
    expect(await refused(server, "create_item", inAllowed)).toContain("is outside the folders");
    expect(server.stderr()).toContain("mkp-mcp: the client's roots could not be read (its answer to roots/list is not valid); using --allow-dir\n");
  });
});

describe("the person's command line", () => {
  it("a relative or missing --allow-dir stops the server with the fix", async () => {
    const { execFile } = await import("node:child_process");
    const { MCP_BIN } = await import("./helpers.js");
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [MCP_BIN, ...args], { env: { PATH: process.env.PATH ?? "" } }, (_error, _stdout, stderr) =>
          resolve({ code: child.exitCode, stderr }),
        );
        child.stdin?.end();
      });
    expect(await run(["--allow-dir", "models"])).toEqual({
      code: 2,
      stderr: "mkp-mcp: --allow-dir models: give an absolute folder (or ~/…); MCP clients start servers in a folder you do not choose\n",
    });
    expect(await run(["--allow-dir", join(root, "nope")])).toEqual({
      code: 2,
      stderr: `mkp-mcp: --allow-dir ${join(root, "nope")}: no such folder; create it or fix the path\n`,
    });
    const unknown = await run(["--allow-dirs", root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mkp-mcp: Unknown option '--allow-dirs'.* \(--help lists the options\)\n$/);
  });
});
