import { createClient, unwrap, uploadItem } from "@mkp/client";
import { saveLogin } from "@mkp/node";
import { json, type RecordingServer, startRecordingServer } from "@mkp/testing";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { COMMAND_FOR_OPERATION } from "../src/spec-commands.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { MKP, mkp, startSandbox, temporaryDirectory, TIMING, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
let dir: { path: string; remove(): Promise<void> };
let env: Record<string, string>;
let requests: unknown[];

beforeAll(async () => {
  requests = [];
  sandbox = await startSandbox({ onRequest: (entry) => requests.push(entry) });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  dir = await temporaryDirectory();
  env = { MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: join(dir.path, "config") };
});
afterEach(async () => {
  await dir.remove();
  expect(sandbox.server.specViolations).toEqual([]);
});

const api = () => createClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.server.apiUrl });

async function uploadedItem(name: string) {
  return unwrap(uploadItem(api(), { file: new Blob(["v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"]), fileName: name }));
}

describe("mkp items", () => {
  it("lists, shows and deletes items: tables for people, JSON for scripts", async () => {
    const item = await uploadedItem("bracket.obj");
    const list = await mkp(["items", "list"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/│ id +│ file +│ status +│ created +│/);
    // The item's own status code has no published meaning: the status shown is its newest repair's.
    expect(list.stdout).toMatch(new RegExp(`│ ${item.id} +│ bracket\\.obj +│ not repaired +│ ${new Date(item.created_at * 1000).toISOString()} │`));
    const fix = await unwrap(api().POST("/fixes", { body: { item_id: item.id, name: "bracket" } }));
    sandbox.advance(TIMING.queuedMs + TIMING.processingMs / 2);
    expect((await mkp(["items", "list"], { env })).stdout).toMatch(new RegExp(`│ ${item.id} +│ bracket\\.obj +│ processing 50% \\(fix ${fix.id}\\) +│`));
    sandbox.advance(TIMING.processingMs);

    const json = await mkp(["items", "list", "--json", "--page-size", "100"], { env });
    expect(JSON.parse(json.stdout)).toContainEqual(item);

    const one = await mkp(["items", "get", String(item.id)], { env });
    expect(one.stdout).toMatch(/│ file +│ bracket\.obj +│/);
    expect(one.stdout).toMatch(new RegExp(`│ status +│ repaired \\(fix ${fix.id}\\) +│`));
    expect(JSON.parse((await mkp(["items", "get", String(item.id), "--json"], { env })).stdout)).toEqual(item);

    expect(await mkp(["items", "delete", String(item.id)], { env })).toEqual({ code: 0, stdout: `Deleted item ${item.id}.\n`, stderr: "" });
    const gone = await mkp(["items", "get", String(item.id)], { env });
    expect(gone).toMatchObject({ code: 1, stdout: "" });
    expect(gone.stderr).toMatch(new RegExp(`^mkp: no item ${item.id} in this account: see \`mkp items list\` \\(404 .+\\)\\n$`));
  });

  it("an unknown item: exit 1, naming how to find the right id", async () => {
    const { code, stderr } = await mkp(["items", "get", "999999"], { env });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^mkp: no item 999999 in this account: see `mkp items list` \(404 .+\)\n$/);
    expect((await mkp(["items", "delete", "999999", "--json"], { env })).code).toBe(1);
  });

  it("an id that is not a positive whole number is a usage error", async () => {
    const { code, stderr } = await mkp(["items", "get", "0"], { env });
    expect(code).toBe(2);
    expect(stderr).toBe("mkp: command-argument value '0' is invalid for argument 'id'. expected a whole number (at least 1).\n(run with --help for usage)\n");
  });
});

describe("mkp fixes", () => {
  it("lists and shows fixes, with the download link once done", async () => {
    const item = await uploadedItem("gear.stl");
    const fix = await unwrap(api().POST("/fixes", { body: { item_id: item.id, name: "gear" } }));
    const pending = JSON.parse((await mkp(["fixes", "get", String(fix.id), "--json"], { env })).stdout);
    expect(pending).toEqual({ id: fix.id, item_id: item.id, status: "queued", progress: 0 });
    sandbox.advance(TIMING.queuedMs + TIMING.processingMs);
    const table = await mkp(["fixes", "get", String(fix.id)], { env });
    expect(table.stdout).toMatch(/│ status +│ done +│/);
    expect(table.stdout).toMatch(/│ download +│ http:\/\/127\.0\.0\.1:\d+\/downloads\/\S+\/gear\.stl +│/);
    const list = await mkp(["fixes", "list"], { env });
    expect(list.stdout).toMatch(new RegExp(`│ ${fix.id} +│ ${item.id} +│ done +│ 100% +│ http://127\\.0\\.0\\.1:\\d+/downloads/\\S+/gear\\.stl │`));
    const listed = JSON.parse((await mkp(["fixes", "list", "--json"], { env })).stdout) as { id: number; download_url?: string }[];
    expect(listed.find((entry) => entry.id === fix.id)?.download_url).toMatch(/\/gear\.stl$/);
  });

  it("an unknown fix: exit 1, naming how to find the right id", async () => {
    const { code, stderr } = await mkp(["fixes", "get", "999999", "--download"], { env, cwd: dir.path });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^mkp: no fix 999999 in this account: see `mkp fixes list` \(404 .+\)\n$/);
  });
});

describe("credentials", () => {
  it("no credential at all: exit 1, naming both ways in", async () => {
    const { code, stderr } = await mkp(["items", "list"], { env: { MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME! } });
    expect(code).toBe(1);
    expect(stderr).toBe("mkp: no credential: set MAKEPRINTABLE_API_KEY to your API key, or run `mkp login`\n");
  });

  it("an expired stored login: 'log in again' before any request, not a 401", async () => {
    const token = "expired-token-0123456789";
    await saveLogin({ baseUrl: sandbox.server.apiUrl, accessToken: token, expiresAt: new Date(Date.now() - 60_000) }, { env });
    const sent = requests.length;
    const { code, stdout, stderr } = await mkp(["items", "list"], {
      env: { MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME! },
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toMatch(/^mkp: your login expired at \S+Z: log in again with `mkp login`\n$/);
    expect(requests.length).toBe(sent);

    const status = await mkp(["status"], { env: { MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME! } });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/│ credential +│ none +│/);
    expect(status.stdout).toMatch(/│ stored login +│ .+token\.json, for http:\/\/127\.0\.0\.1:\d+\/v1, expired at \S+ \(1 min ago\) +│/);
    expect(status.stderr).toBe("mkp: the stored login has expired: log in again with `mkp login`\n");
    expect(stdout + stderr + status.stdout + status.stderr).not.toContain(token);
  });

  it("status names MAKEPRINTABLE_API_KEY without showing it", async () => {
    const { code, stdout, stderr } = await mkp(["status", "--json"], { env });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({ baseUrl: sandbox.server.apiUrl, credential: "MAKEPRINTABLE_API_KEY", login: null });
    expect(stdout).not.toContain(sandbox.apiKey);
  });

  it("a stored login for another API is not sent there", async () => {
    await saveLogin({ baseUrl: "https://elsewhere.example/v1", accessToken: "elsewhere-token-0123456789" }, { env });
    const sent = requests.length;
    const { code, stderr } = await mkp(["items", "list"], { env: { MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME! } });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `mkp: you are logged in to https://elsewhere.example/v1, not ${sandbox.server.apiUrl}: run \`mkp login --base-url ${sandbox.server.apiUrl}\`, or set MAKEPRINTABLE_API_KEY\n`,
    );
    expect(requests.length).toBe(sent);
  });
});

describe("server text reaches the terminal without control characters", () => {
  let server: RecordingServer;
  let url: string;
  // An API that names an item with a clear-screen sequence, an 8-bit CSI and a title-setting OSC.
  const HOSTILE = "evil\u001b[2J\u009b31m\u001b]0;pwned\u0007";
  // And one whose right-to-left override shows "invoice" + "lts.exe" reversed, with zero-width
  // characters, a byte-order mark and a line separator that a table cannot show either.
  const SPOOF = "in\u200bvoice\u202elts.exe\u2066\u200d\ufeff\u2028x";
  const INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

  beforeAll(async () => {
    server = await startRecordingServer((_request, response) =>
      json(response, 200, [
        { id: 1, user_id: 8, file_name: HOSTILE, file_ext: "stl", status: 1, created_at: 0, updated_at: 0 },
        { id: 2, user_id: 8, file_name: SPOOF, file_ext: "stl", status: 1, created_at: 0, updated_at: 0 },
      ]),
    );
    url = `${server.url}/v1`;
  });
  afterAll(() => server.close());

  it("in tables and in JSON", async () => {
    const table = await mkp(["items", "list"], { env: { ...env, MAKEPRINTABLE_BASE_URL: url } });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("evil[2J31m]0;pwned.stl");
    expect(table.stdout).toContain("invoicelts.exe x.stl");
    expect(table.stdout).not.toMatch(INVISIBLE);
    const json = await mkp(["items", "list", "--json"], { env: { ...env, MAKEPRINTABLE_BASE_URL: url } });
    expect(json.stdout).not.toMatch(INVISIBLE);
    expect(JSON.parse(json.stdout).map((item: { file_name: string }) => item.file_name)).toEqual([HOSTILE, SPOOF]);
  });
});

describe("every command", async () => {
  const io = () => {
    const out = { stdout: "", stderr: "" };
    return { out, io: { env: {}, stdout: { write: (text: string) => (out.stdout += text) }, stderr: { write: (text: string) => (out.stderr += text) } } };
  };
  /** The subcommands `mkp <words> --help` lists (commander's "Commands:" section), without `help`. */
  const subcommands = async (words: string[]): Promise<string[]> => {
    const { out, io: streams } = io();
    await runCli([...words, "--help"], streams);
    const section = out.stdout.split(/\nCommands:\n/)[1] ?? "";
    return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1]!).filter((name) => name !== "help");
  };
  /** Every command of the program, found by walking its help: a new command is covered without editing this test. */
  const everyCommand = async (words: string[] = []): Promise<string[][]> => [
    words,
    ...(await Promise.all((await subcommands(words)).map((name) => everyCommand([...words, name])))).flat(),
  ];
  const commands = await everyCommand();

  it("the walk finds the commands people know, and every command COMMAND_FOR_OPERATION names for an operation", () => {
    const names = commands.map((words) => ["mkp", ...words].join(" "));
    expect(names).toEqual(expect.arrayContaining(["mkp", "mkp repair", "mkp items list", "mkp fixes get", "mkp login", "mkp mcp"]));
    expect(Object.values(COMMAND_FOR_OPERATION).filter((name) => !names.includes(name))).toEqual([]);
  });

  it.each(commands.map((words) => [words.join(" ") || "mkp", words]))("%s --help: exit 0 and its usage on stdout", async (_name, words) => {
    const { out, io: streams } = io();
    expect(await runCli([...words, "--help"], streams)).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^Usage: mkp${words.length ? ` ${words.join(" ")}` : ""} `));
    expect(out.stderr).toBe("");
  });

  it("an unknown command is a usage error", async () => {
    const { out, io: streams } = io();
    expect(await runCli(["repiar", "x"], streams)).toBe(2);
    expect(out.stderr).toBe("mkp: unknown command 'repiar'\n(Did you mean repair?)\n(run with --help for usage)\n");
  });

  it("a reader that stops early (`| head`) ends mkp quietly: exit 0, no EPIPE stack", async () => {
    // `true` exits without reading, so the pipe is closed before mkp writes: every write fails with EPIPE.
    const { stdout, stderr } = await promisify(execFile)("bash", [
      "-c",
      'set -o pipefail; "$0" "$1" items list --help | true; echo "exit $?"',
      process.execPath,
      MKP,
    ]);
    expect(stderr).toBe("");
    expect(stdout).toBe("exit 0\n");
  });
});
