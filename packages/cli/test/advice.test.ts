import { createClient, fixesOf, itemsOf, SERVER_URL, unwrap } from "@mkp/client";
import { json, type RecordingServer, startRecordingServer } from "@mkp/testing";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkp, mkpOnPath, startMkp, startRelay, startSandbox, temporaryDirectory, TIMING, type Relay, type Sandbox } from "./helpers.js";

// What a person meets when something goes wrong, through `mkp` as a real process: the advice names
// their own settings, and a resume hint typed exactly as printed writes where they asked.
const MODEL = Buffer.from("solid ball\nendsolid ball\n");
const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

let sandbox: Sandbox;
let relay: Relay;
let dir: { path: string; remove(): Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  // The relay reaches the sandbox under another port: the sandbox answers 127.0.0.1 on any port.
  sandbox = await startSandbox({ allowedHosts: ["127.0.0.1"] });
  relay = await startRelay(sandbox.server.url);
});
afterAll(async () => {
  await relay?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  dir = await temporaryDirectory();
  env = { MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: join(dir.path, "config") };
  await writeFile(join(dir.path, "sphere.stl"), MODEL);
});
afterEach(async () => {
  relay.restore();
  await dir.remove();
  expect(sandbox.server.specViolations).toEqual([]);
});

const api = () => createClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.server.apiUrl });
const itemCount = async () => itemsOf(await unwrap(api().GET("/items", { params: { query: { pageSize: 1000 } } }))).length;

/** Runs `command` in a shell as a person would type it, with `mkp` on PATH. */
async function typed(command: string, cwd: string, variables: Record<string, string>) {
  const PATH = await mkpOnPath(dir.path);
  return promisify(execFile)("sh", ["-c", command], { cwd, env: { ...variables, PATH } });
}

describe("resume hints", () => {
  it("after the connection drops mid-wait: exit 1, the repair goes on, and the hint typed as printed writes where --out said", async () => {
    const work = join(dir.path, "work");
    await mkdir(join(work, "out"), { recursive: true });
    await writeFile(join(work, "sphere.stl"), MODEL);
    const through = { ...env, MAKEPRINTABLE_BASE_URL: `${relay.url}/v1` };
    const run = startMkp(["repair", "sphere.stl", "--out", "out/ball.stl"], { env: through, cwd: work });
    await run.waitFor(/queued 0%/);
    relay.drop();
    const { code, stdout, stderr } = await run.exited;
    const fix = fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    const hint = /resume with `(mkp [^`]+)`\n$/.exec(stderr)?.[1];
    expect(stderr).toMatch(
      new RegExp(
        `^Uploading sphere\\.stl…\\nfix ${fix.id}: queued 0%\\nmkp: lost track of fix ${fix.id} \\(could not reach .+\\); the repair goes on at Makeprintable: resume with \``,
      ),
    );
    expect(hint).toBe(`mkp fixes get ${fix.id} --download --out out/ball.stl`);
    expect(await readdir(join(work, "out"))).toEqual([]);

    relay.restore();
    sandbox.advance(TIMING.queuedMs + TIMING.processingMs);
    const resumed = await typed(hint!, work, through);
    expect(resumed.stdout).toBe(`Downloaded fix ${fix.id} → ${join(work, "out", "ball.stl")} (${MODEL.length} B)\n`);
    expect(await readFile(join(work, "out", "ball.stl"))).toEqual(MODEL);
  });

  it("repeats --force and a model outside the working directory's default path", async () => {
    await mkdir(join(dir.path, "models"));
    await writeFile(join(dir.path, "models", "sphere.stl"), MODEL);
    await writeFile(join(dir.path, "models", "sphere.fixed.stl"), "old");
    const run = startMkp(["repair", "models/sphere.stl", "--force"], { env, cwd: dir.path });
    await run.waitFor(/queued 0%/);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.exited;
    const fix = fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;
    expect(code).toBe(130);
    expect(stderr).toMatch(new RegExp(`: resume with \`mkp fixes get ${fix.id} --download --out models/sphere\\.fixed\\.stl --force\`\\n$`));

    sandbox.advance(TIMING.queuedMs + TIMING.processingMs);
    await typed(`mkp fixes get ${fix.id} --download --out models/sphere.fixed.stl --force`, dir.path, env);
    expect(await readFile(join(dir.path, "models", "sphere.fixed.stl"))).toEqual(MODEL);
  });

  describe("a download link that is gone", () => {
    let gone: RecordingServer;
    let url: string;
    beforeAll(async () => {
      // An API whose fix 9 is done but whose download link answers 404, as an expired link does.
      gone = await startRecordingServer((request, response) =>
        request.url === "/v1/fixes/9"
          ? json(response, 200, { id: 9, status: "done", progress: 100, download_url: `${url}/downloads/expired/ball.stl` })
          : json(response, 404, { error: "not_found", error_description: "No such resource." }),
      );
      url = gone.url;
    });
    afterAll(() => gone.close());

    it("says the file is no longer there and offers no repeat of the same command", async () => {
      const { code, stdout, stderr } = await mkp(["fixes", "get", "9", "--download", "--out", "ball.stl"], {
        env: { ...env, MAKEPRINTABLE_BASE_URL: `${url}/v1` },
        cwd: dir.path,
      });
      expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
      expect(stderr).toMatch(/mkp: the download of fix 9 answered 404: the repaired file is no longer there: repair the model again with `mkp repair`\n$/);
      expect(stderr).not.toContain("fixes get");
      expect(await readdir(dir.path)).toEqual(["sphere.stl"]);
    });
  });
});

describe("advice names the person's own setting", () => {
  it("a base URL without /v1 is asked about, naming MAKEPRINTABLE_BASE_URL or --base-url as given", async () => {
    const fromEnv = await mkp(["items", "list"], { env: { ...env, MAKEPRINTABLE_BASE_URL: sandbox.server.url } });
    expect(fromEnv).toMatchObject({ code: 1, stdout: "" });
    expect(fromEnv.stderr).toMatch(
      new RegExp(
        `^mkp: the API has no such path \\(404 .+\\): does the base URL end in /v1\\? MAKEPRINTABLE_BASE_URL is ${sandbox.server.url}; the API's is ${SERVER_URL}\\n$`,
      ),
    );
    const fromFlag = await mkp(["items", "get", "1", "--base-url", sandbox.server.url], { env });
    expect(fromFlag.stderr).toMatch(new RegExp(`: does the base URL end in /v1\\? --base-url is ${sandbox.server.url}; the API's is ${SERVER_URL}\\n$`));
  });
});

describe("a key with a space at its end, as a copy-paste gives", () => {
  it("is a usage error about the key, never blamed on the base URL, and the key is not shown", async () => {
    const spaced = `${sandbox.apiKey} `;
    const { code, stdout, stderr } = await mkp(["items", "list"], { env: { ...env, MAKEPRINTABLE_API_KEY: spaced } });
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toMatch(/^mkp: .*(space|spaces) at (its|the) end/);
    expect(stderr).not.toMatch(/base.?url/i);
    expect(stderr).not.toContain(sandbox.apiKey);
  });
});

describe("an upload the API refuses as too large", () => {
  // A 4 kB body refused at 1000 bytes: the sandbox answers before reading it and reads the rest
  // afterwards, so mkp reads the 413 instead of a reset.
  it("reports the 413 and what to do about it", async () => {
    const small = await startSandbox({ maxUploadBytes: 1000 });
    try {
      await writeFile(join(dir.path, "big.stl"), Buffer.alloc(4000, "v 0 0 0\n"));
      const { code, stdout, stderr } = await mkp(["repair", "big.stl"], {
        env: { ...env, MAKEPRINTABLE_API_KEY: small.apiKey, MAKEPRINTABLE_BASE_URL: small.server.apiUrl },
        cwd: dir.path,
      });
      expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
      expect(stderr).toBe(
        "Uploading big.stl…\nmkp: the API refused the upload as too large (413 The body is larger than 1000 bytes.): send a smaller file: a zip holding the model is accepted and is usually much smaller\n",
      );
    } finally {
      await small.close();
    }
  });
});

describe("the smaller rough edges", () => {
  it("mkp --version prints the version", async () => {
    expect(await mkp(["--version"], { env })).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("global flags before the command: --json and --base-url", async () => {
    const flagged = await mkp(["--json", "--base-url", sandbox.server.apiUrl, "items", "list", "--page-size", "100"], {
      env: { ...env, MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:9/v1" },
    });
    expect(flagged.code).toBe(0);
    expect(JSON.parse(flagged.stdout)).toEqual(itemsOf(await unwrap(api().GET("/items", { params: { query: { pageSize: 100 } } }))));
    expect(await mkp(["--json", "mcp"], { env })).toEqual({ code: 2, stdout: "", stderr: "mkp: `mkp mcp` has no JSON output: drop --json\n" });
  });

  it("a source that cannot be a model is refused before anything is sent, saying what is wrong", async () => {
    await writeFile(join(dir.path, "notes.txt"), "solid x\nendsolid x\n");
    await writeFile(join(dir.path, "empty.stl"), "");
    const before = await itemCount();
    const cases: [string, string][] = [
      ["ftp://example.com/part.stl", "ftp:// URLs cannot be used: give an http(s) URL Makeprintable can download, or download the file and give its path"],
      ["", "the source is empty: give a 3D file such as part.stl, or an http(s) URL"],
      [
        "notes.txt",
        `${join(dir.path, "notes.txt")} is a .txt file, not a 3D model: give the model itself, such as part.stl or part.obj (or a zip holding one)`,
      ],
      ["empty.stl", `${join(dir.path, "empty.stl")} is empty (0 bytes): give a 3D file with the model in it`],
    ];
    for (const [source, message] of cases) {
      const result = await mkp(["repair", source], { env, cwd: dir.path });
      expect({ source, ...result }).toEqual({ source, code: 1, stdout: "", stderr: `mkp: ${message}\n` });
    }
    expect(await itemCount()).toBe(before);
    expect((await readdir(dir.path)).sort()).toEqual(["empty.stl", "notes.txt", "sphere.stl"]);
  });
});
