// The code samples of the docs, run as shown against the sandbox (@mkp/mock-server) on 127.0.0.1:
// the TypeScript ones imported and called, the curl and Python ones rendered exactly as the build
// renders them (but with the sandbox's URLs) and run in a shell. Which operations there are comes
// from the spec (the generated OPERATIONS): the hand-written flows below cover the stateful ones,
// and every other operation's four samples (scaffolded by `pnpm docs:samples`) run on their own.
// A missing runtime (curl, python3 with requests, php with curl) skips its suite locally and fails under CI.
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { pathToFileURL } from "node:url";
import { createClient } from "@mkp/client";
import { OPERATIONS } from "@mkp/client/internal";
import { StateMismatchError, TokenError } from "@mkp/oauth";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { freePort } from "@mkp/testing";
import { PACKAGE_DIR } from "../scripts/build.js";
import { fillPlaceholders, pathParameters, samplePlaceholders, type OpenApiDocument } from "../scripts/code-samples.js";
import { startLogin } from "../samples/authorize/sample.js";
import { finishLogin } from "../samples/createToken/sample.js";
import { listItems } from "../samples/listItems/sample.js";
import { uploadModel } from "../samples/createItem/sample.js";
import { getItem } from "../samples/getItem/sample.js";
import { deleteItem } from "../samples/deleteItem/sample.js";
import { repairItem } from "../samples/createFix/sample.js";
import { listFixes } from "../samples/listFixes/sample.js";
import { getFix } from "../samples/getFix/sample.js";

const run = promisify(execFile);
const API_KEY = "docs-samples-key-0123456789";
const APP = { clientId: "docs-app", clientSecret: "docs-app-secret", redirectUris: ["https://example.com/callback"], name: "Docs samples" };
const REDIRECT_URI = "https://example.com/callback";
// The model the upload samples send (a unit triangle is a valid OBJ file).
const MODEL = "# box_longline\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const HAS_CURL = has("curl", ["--version"]);
const HAS_PYTHON_REQUESTS = has("python3", ["-c", "import requests"]);
const HAS_PHP_CURL = has("php", ["-r", "exit(function_exists('curl_init') ? 0 : 1);"]);
// Under CI a missing runtime is a failure, not a skip (tools/dev/ensure-debian-packages.mjs installs them).
const IN_CI = process.env["CI"] === "true";

/** The operations whose samples the flows below run in order (they need each other's ids or a login). */
const FLOW_OPERATIONS = ["authorize", "createToken", "createItem", "getItem", "listItems", "createFix", "getFix", "listFixes", "deleteItem"];
/** Every other operation of the spec: its samples run on their own against the sandbox's answer. */
const OTHER_OPERATIONS = Object.keys(OPERATIONS).filter((operationId) => !FLOW_OPERATIONS.includes(operationId));
/** The bundled spec the docs build from: its path parameters' examples fill the samples' placeholders. */
const SPEC = JSON.parse(await readFile(join(PACKAGE_DIR, "node_modules/@mkp/client/openapi.json"), "utf8")) as OpenApiDocument;

it.runIf(IN_CI)("CI has every sample runtime: curl, python3 with requests, php with curl", () => {
  expect({ curl: HAS_CURL, pythonRequests: HAS_PYTHON_REQUESTS, phpCurl: HAS_PHP_CURL }).toEqual({ curl: true, pythonRequests: true, phpCurl: true });
});

it("every operation of the spec has its samples run here", () => {
  expect(FLOW_OPERATIONS.filter((operationId) => !(operationId in OPERATIONS))).toEqual([]);
  expect([...FLOW_OPERATIONS, ...OTHER_OPERATIONS].sort()).toEqual(Object.keys(OPERATIONS).sort());
});

let server: MockServer;
let workDir: string;

/** The environment the samples read, pointing at the sandbox. */
function sampleEnv(): Record<string, string> {
  return {
    MAKEPRINTABLE_API_KEY: API_KEY,
    MAKEPRINTABLE_BASE_URL: server.apiUrl,
    MAKEPRINTABLE_AUTHORIZE_URL: server.authorizeUrl,
    MAKEPRINTABLE_CLIENT_ID: APP.clientId,
    MAKEPRINTABLE_CLIENT_SECRET: APP.clientSecret,
  };
}

/** A curl or Python sample as the build renders it, with the sandbox in place of the real URLs. */
async function renderForSandbox(operationId: string, file: string, ids: { item?: number; fix?: number } = {}): Promise<string> {
  const template = await readFile(join(PACKAGE_DIR, "samples", operationId, file), "utf8");
  return fillPlaceholders(template, {
    ...samplePlaceholders(SPEC),
    SERVER_URL: server.apiUrl,
    AUTHORIZATION_URL: server.authorizeUrl,
    TOKEN_URL: server.tokenUrl,
    ...(ids.item !== undefined && { ITEM_ID: String(ids.item) }),
    ...(ids.fix !== undefined && { FIX_ID: String(ids.fix) }),
  });
}

async function runSample(
  operationId: string,
  file: string,
  options: { ids?: { item?: number; fix?: number }; args?: string[]; env?: Record<string, string> } = {},
): Promise<string> {
  const source = await renderForSandbox(operationId, file, options.ids);
  const script = join(workDir, `${operationId}-${file}`);
  await writeFile(script, source);
  const [command, args] = file.endsWith(".py")
    ? ["python3", [script, ...(options.args ?? [])]]
    : file.endsWith(".php")
      ? ["php", [script, ...(options.args ?? [])]]
      : ["bash", ["-eu", "-o", "pipefail", script]];
  const { stdout } = await run(command, args, { cwd: workDir, env: { PATH: process.env.PATH ?? "", ...sampleEnv(), ...options.env }, timeout: 20_000 });
  return stdout;
}

/** Plays the user who allows the app: the sandbox approves at once (`autoApprove`), we follow to the callback. */
async function approve(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  expect(response.status).toBe(302);
  const location = response.headers.get("location");
  expect(location).toMatch(/^https:\/\/example\.com\/callback\?/);
  return location!;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "mkp-docs-samples-"));
  await writeFile(join(workDir, "box_longline.obj"), MODEL);
  server = await startMockServer({ clients: [APP], apiKeys: [API_KEY], autoApprove: true, strict: true });
});

afterAll(async () => {
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  // The TypeScript samples read their credentials and the sandbox's URL from the environment.
  for (const [name, value] of Object.entries(sampleEnv())) vi.stubEnv(name, value);
  return () => vi.unstubAllEnvs();
});

describe("TypeScript samples (type-checked by `pnpm typecheck`, run here as the docs show them)", () => {
  it("authorize + createToken: log a user in, then call the API with the bearer token; the code works once", async () => {
    const { url, session } = await startLogin(REDIRECT_URI);
    const sent = new URL(url);
    expect(`${sent.origin}${sent.pathname}`).toBe(server.authorizeUrl);
    expect(sent.searchParams.get("client_id")).toBe(APP.clientId);
    expect(sent.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(sent.searchParams.get("scope")).toBe("add_file fix");
    expect(sent.searchParams.get("state")).toBe(session.state);
    expect(sent.searchParams.get("code_challenge_method")).toBe("S256");

    const callback = await approve(url);
    const client = await finishLogin(callback, session, REDIRECT_URI);
    const { response } = await client.GET("/items");
    expect(response.status).toBe(200);

    // The same callback again: the code was used up.
    const replay = finishLogin(callback, session, REDIRECT_URI);
    await expect(replay).rejects.toBeInstanceOf(TokenError);
    await expect(replay).rejects.toMatchObject({ error: "invalid_grant" });
    await expect(finishLogin(callback, { ...session, state: "forged" }, REDIRECT_URI)).rejects.toBeInstanceOf(StateMismatchError);
  });

  it("createItem → getItem → listItems → createFix → getFix → listFixes → deleteItem: the whole loop", async () => {
    const item = await uploadModel(join(workDir, "box_longline.obj"));
    expect(item).toMatchObject({ file_name: "box_longline", file_ext: "obj" });
    expect(await getItem(item.id)).toMatchObject({ id: item.id, file_name: "box_longline" });
    expect(await listItems()).toEqual(expect.arrayContaining([expect.objectContaining({ id: item.id })]));

    const fix = await repairItem(item.id);
    expect(fix).toMatchObject({ item_id: item.id });
    expect(fix.id).toBeTypeOf("number");
    expect(await getFix(fix.id!)).toMatchObject({ id: fix.id, item_id: item.id });
    expect(await listFixes()).toEqual(expect.arrayContaining([expect.objectContaining({ id: fix.id })]));

    await deleteItem(item.id);
    expect(await getItem(item.id)).toBeUndefined();
  });

  it("getItem answers undefined for an item the account does not have", async () => {
    expect(await getItem(987_654)).toBeUndefined();
  });
});

describe.skipIf(!HAS_CURL && !IN_CI)("curl samples, run in bash against the sandbox", () => {
  it("authorize prints the URL to send the user to; createToken exchanges the code it comes back with", async () => {
    const printed = (await runSample("authorize", "curl.sh")).trim();
    const url = new URL(printed);
    expect(`${url.origin}${url.pathname}`).toBe(server.authorizeUrl);
    expect(url.searchParams.get("scope")).toBe("add_file fix");
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const code = new URL(await approve(printed)).searchParams.get("code")!;
    const token = JSON.parse(await runSample("createToken", "curl.sh", { env: { CODE: code } })) as Record<string, unknown>;
    expect(token).toMatchObject({ token_type: "Bearer", access_token: expect.any(String) });
    const asUser = createClient({ accessToken: token.access_token as string, baseUrl: server.apiUrl });
    expect((await asUser.GET("/fixes")).response.status).toBe(200);
  });

  it("the items and fixes samples do what they say", async () => {
    const item = JSON.parse(await runSample("createItem", "curl.sh")) as { id: number; file_name: string };
    expect(item.file_name).toBe("box_longline");
    expect(JSON.parse(await runSample("getItem", "curl.sh", { ids: { item: item.id } }))).toMatchObject({ id: item.id });
    expect(JSON.parse(await runSample("listItems", "curl.sh"))).toEqual(expect.arrayContaining([expect.objectContaining({ id: item.id })]));
    const fix = JSON.parse(await runSample("createFix", "curl.sh", { ids: { item: item.id } })) as { id: number; item_id: number };
    expect(fix.item_id).toBe(item.id);
    expect(JSON.parse(await runSample("getFix", "curl.sh", { ids: { fix: fix.id } }))).toMatchObject({ id: fix.id });
    expect(JSON.parse(await runSample("listFixes", "curl.sh"))).toEqual(expect.arrayContaining([expect.objectContaining({ id: fix.id })]));
    await runSample("deleteItem", "curl.sh", { ids: { item: item.id } });
    const client = createClient({ apiKey: API_KEY, baseUrl: server.apiUrl });
    expect((await client.GET("/items/{id}", { params: { path: { id: item.id } } })).response.status).toBe(404);
  });
});

describe.skipIf(!HAS_PYTHON_REQUESTS && !IN_CI)("Python samples (requests), run with python3 against the sandbox", () => {
  it("authorize builds the URL; createToken exchanges the code and prints the token type", async () => {
    const printed = (await runSample("authorize", "python.py")).trim();
    const url = new URL(printed);
    expect(`${url.origin}${url.pathname}`).toBe(server.authorizeUrl);
    expect(url.searchParams.get("client_id")).toBe(APP.clientId);
    const code = new URL(await approve(printed)).searchParams.get("code")!;
    expect((await runSample("createToken", "python.py", { args: [code] })).trim()).toBe("Bearer");
    // Once only: the same code again fails with the error the sample names.
    await expect(runSample("createToken", "python.py", { args: [code] })).rejects.toThrow(/invalid_grant/);
  });

  it("the items and fixes samples do what they say", async () => {
    const uploaded = (await runSample("createItem", "python.py")).trim().split(" ");
    expect(uploaded.slice(1)).toEqual(["box_longline", "obj"]);
    const itemId = Number(uploaded[0]);
    expect(await runSample("getItem", "python.py", { ids: { item: itemId } })).toContain("box_longline");
    expect(await runSample("listItems", "python.py")).toContain(`'id': ${itemId}`);
    const [fixId] = (await runSample("createFix", "python.py", { ids: { item: itemId } })).trim().split(" ");
    expect(Number(fixId)).toBeGreaterThan(0);
    expect((await runSample("getFix", "python.py", { ids: { fix: Number(fixId) } })).trim()).toMatch(/^\S+ \S+$/);
    expect(await runSample("listFixes", "python.py")).toContain(`'id': ${fixId}`);
    expect((await runSample("deleteItem", "python.py", { ids: { item: itemId } })).trim()).toBe("deleted");
    expect((await runSample("getItem", "python.py", { ids: { item: itemId } })).trim()).toBe("no such item");
  });
});

describe.skipIf(!HAS_PHP_CURL && !IN_CI)("PHP samples (curl extension), run with php against the sandbox", () => {
  it("authorize redirects with a state kept in the session; createToken checks it and exchanges the code once", async () => {
    // These two are web handlers ($_SESSION, $_GET, header()): served by `php -S` as the docs show them.
    const site = join(workDir, "php-site");
    await mkdir(site, { recursive: true });
    await writeFile(join(site, "authorize.php"), await renderForSandbox("authorize", "php.php"));
    await writeFile(join(site, "callback.php"), `${await renderForSandbox("createToken", "php.php")}\necho "signed in";\n`);
    // PHP's built-in web server cannot report a port it picked itself.
    const port = await freePort();
    const php = spawn("php", ["-S", `127.0.0.1:${port}`, "-t", site], {
      env: { PATH: process.env.PATH ?? "", ...sampleEnv() },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        php.stderr.on("data", (chunk: Buffer) => chunk.toString().includes("started") && resolve());
        php.once("exit", (code) => reject(new Error(`php -S exited with ${code}`)));
      });
      const start = await fetch(`http://127.0.0.1:${port}/authorize.php`, { redirect: "manual" });
      expect(start.status).toBe(302);
      const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
      const location = start.headers.get("location")!;
      expect(`${new URL(location).origin}${new URL(location).pathname}`).toBe(server.authorizeUrl);
      const callback = new URL(await approve(location));
      const finish = () => fetch(`http://127.0.0.1:${port}/callback.php${callback.search}`, { headers: { cookie } });
      const first = await finish();
      expect(await first.text()).toBe("signed in");
      // The state was used up with the session's copy: the same callback again is refused.
      expect(await (await finish()).text()).toBe("state mismatch: start the login again");
    } finally {
      php.kill();
    }
  });

  it("the items and fixes samples do what they say", async () => {
    const uploaded = (await runSample("createItem", "php.php")).trim();
    const [, itemId] = /^item (\d+): box_longline\.obj$/.exec(uploaded) ?? [];
    expect(itemId).toBeDefined();
    expect(await runSample("getItem", "php.php", { ids: { item: Number(itemId) } })).toContain("box_longline");
    expect(await runSample("listItems", "php.php")).toContain(`[id] => ${itemId}`);
    const [, fixId] = /^fix (\d+): \w+$/.exec((await runSample("createFix", "php.php", { ids: { item: Number(itemId) } })).trim()) ?? [];
    expect(fixId).toBeDefined();
    expect((await runSample("getFix", "php.php", { ids: { fix: Number(fixId) } })).trim()).toMatch(/^\w+, \d+$/);
    expect(await runSample("listFixes", "php.php")).toContain(`[id] => ${fixId}`);
    expect((await runSample("deleteItem", "php.php", { ids: { item: Number(itemId) } })).trim()).toBe("deleted");
    expect((await runSample("getItem", "php.php", { ids: { item: Number(itemId) } })).trim()).toBe("no such item");
  });
});

describe.runIf(OTHER_OPERATIONS.length > 0)("the samples of every other operation, each run on its own", () => {
  it.each(OTHER_OPERATIONS)("%s: TypeScript, curl, Python and PHP end without an error", async (operationId) => {
    const module = (await import(pathToFileURL(join(PACKAGE_DIR, "samples", operationId, "sample.ts")).href)) as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const call = module[operationId];
    expect(call, `samples/${operationId}/sample.ts exports a function named ${operationId}`).toBeTypeOf("function");
    // Its path parameters are its arguments (as scaffolded); the spec's examples are what the sandbox knows.
    await call!(...pathParameters(SPEC, operationId).map((parameter) => parameter.example));
    for (const [file, runtime] of [
      ["curl.sh", HAS_CURL],
      ["python.py", HAS_PYTHON_REQUESTS],
      ["php.php", HAS_PHP_CURL],
    ] as const) {
      if (runtime || IN_CI) await runSample(operationId, file);
    }
  });
});
