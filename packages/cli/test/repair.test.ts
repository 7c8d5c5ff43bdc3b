import { createClient, fixesOf, itemsOf, unwrap } from "@mkp/client";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkp, startMkp, startSandbox, temporaryDirectory, TIMING, type Sandbox } from "./helpers.js";

const MODEL = Buffer.from("solid cube\nfacet normal 0 0 1\n outer loop\n  vertex 0 0 0\n  vertex 1 0 0\n  vertex 0 1 0\n endloop\nendfacet\nendsolid cube\n");

let sandbox: Sandbox;
let dir: { path: string; remove(): Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  dir = await temporaryDirectory();
  env = { MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: join(dir.path, "config") };
  await writeFile(join(dir.path, "part.stl"), MODEL);
});
afterEach(async () => {
  await dir.remove();
  expect(sandbox.server.specViolations).toEqual([]);
});

const api = () => createClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.server.apiUrl });
/** The newest fix of the account: the one the test's `mkp repair` started. */
const newestFix = async () => fixesOf(await unwrap(api().GET("/fixes"))).at(-1)!;

/** The sandbox's repaired file for a fix, fetched from its download link. */
async function repairedBytes(fixId: number): Promise<Buffer> {
  const fix = await unwrap(api().GET("/fixes/{id}", { params: { path: { id: fixId } } }));
  return Buffer.from(await (await fetch(fix.download_url!)).arrayBuffer());
}

/** Runs `mkp repair`, moving the sandbox's clock whenever the plain progress shows a new state, until it exits. */
async function repairToTheEnd(args: string[]) {
  const run = startMkp(["repair", ...args], { env, cwd: dir.path });
  await run.waitFor(/queued 0%/);
  sandbox.advance(TIMING.queuedMs + TIMING.processingMs / 2);
  await run.waitFor(/processing 50%/);
  sandbox.advance(TIMING.processingMs);
  return run.exited;
}

describe("mkp repair", () => {
  it("uploads, repairs and downloads: the file written is the sandbox's repaired file, one plain line per change", async () => {
    const { code, stdout, stderr } = await repairToTheEnd(["part.stl"]);
    expect(code).toBe(0);
    const fix = await newestFix();
    const output = join(dir.path, "part.fixed.stl");
    expect(stdout).toBe(`Repaired part.stl → ${output} (fix ${fix!.id}, ${MODEL.length} B)\n`);
    expect(stderr).toBe(`Uploading part.stl…\nfix ${fix!.id}: queued 0%\nfix ${fix!.id}: processing 50%\nfix ${fix!.id}: done 100%\n`);
    expect(await readFile(output)).toEqual(await repairedBytes(fix!.id));
    expect(await readFile(output)).toEqual(MODEL);
    expect(stdout + stderr).not.toContain(sandbox.apiKey);
  });

  it("--json prints one JSON document with the download link, and sends the spec's fix options", async () => {
    const { code, stdout, stderr } = await repairToTheEnd([
      "part.stl",
      "--json",
      "--out",
      "out.stl",
      "--name",
      "Cube",
      "--quality",
      "high",
      "--wall-thickness",
      "1.5",
      "--pre-optimize",
      "10",
      "--post-optimize",
      "99",
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { item: { id: number }; fix: { id: number; status: string }; download_url: string; output: string; bytes: number };
    expect(result).toMatchObject({ fix: { status: "done" }, output: join(dir.path, "out.stl"), bytes: MODEL.length });
    expect(result.download_url).toMatch(new RegExp(`^${sandbox.server.url}/downloads/`));
    expect(Buffer.from(await (await fetch(result.download_url)).arrayBuffer())).toEqual(await readFile(join(dir.path, "out.stl")));
    expect(stderr).not.toContain("Uploading");
    expect(stdout + stderr).not.toContain(sandbox.apiKey);
  });

  it("never overwrites the output without --force, and refuses before uploading anything", async () => {
    await writeFile(join(dir.path, "part.fixed.stl"), "mine");
    const before = itemsOf(await unwrap(api().GET("/items"))).length;
    const refused = await mkp(["repair", "part.stl"], { env, cwd: dir.path });
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toBe(`mkp: ${join(dir.path, "part.fixed.stl")} exists: pass --force to overwrite it, or --out to write elsewhere\n`);
    expect(itemsOf(await unwrap(api().GET("/items"))).length).toBe(before);
    expect(await readFile(join(dir.path, "part.fixed.stl"), "utf8")).toBe("mine");

    expect((await repairToTheEnd(["part.stl", "--force"])).code).toBe(0);
    expect(await readFile(join(dir.path, "part.fixed.stl"))).toEqual(MODEL);
  });

  it("a missing file: exit 1, naming the path and the fix", async () => {
    const { code, stdout, stderr } = await mkp(["repair", "nope.stl"], { env, cwd: dir.path });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toBe(`mkp: no such file: ${join(dir.path, "nope.stl")}: check the path, or give an http(s) URL\n`);
  });

  it("a folder without models: exit 2, asking for 3D files", async () => {
    await mkdir(join(dir.path, "empty"));
    await writeFile(join(dir.path, "empty", "notes.txt"), "not a model");
    const { code, stderr } = await mkp(["repair", "empty"], { env, cwd: dir.path });
    expect(code).toBe(2);
    expect(stderr).toBe("mkp: no models found in empty: give 3D files (stl, obj, 3mf, ply …) or folders holding them\n");
  });

  it("a wrong API key: exit 1, naming MAKEPRINTABLE_API_KEY, never the key", async () => {
    const wrong = "wrong-key-0123456789";
    const { code, stdout, stderr } = await mkp(["repair", "part.stl"], { env: { ...env, MAKEPRINTABLE_API_KEY: wrong }, cwd: dir.path });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toMatch(
      /^Uploading part\.stl…\nmkp: the API refused the credential \(401 .+\): check MAKEPRINTABLE_API_KEY \(your account settings page shows the key\), or unset it and run `mkp login`\n$/,
    );
    expect(stderr).not.toContain(wrong);
    expect(await readdir(dir.path)).toEqual(["part.stl"]);
  });

  it("Ctrl-C while waiting: exit 130, the repair left running, and the command that resumes it", async () => {
    const run = startMkp(["repair", "part.stl"], { env, cwd: dir.path });
    await run.waitFor(/queued 0%/);
    run.child.kill("SIGINT");
    const { code, stdout, stderr } = await run.exited;
    const fix = await newestFix();
    expect({ code, stdout }).toEqual({ code: 130, stdout: "" });
    expect(stderr).toBe(
      `Uploading part.stl…\nfix ${fix!.id}: queued 0%\nmkp: stopped waiting for fix ${fix!.id}; the repair goes on at Makeprintable: resume with \`mkp fixes get ${fix!.id} --download\`\n`,
    );
    expect(await readdir(dir.path)).toEqual(["part.stl"]);

    // The resume command it names picks the repair up, names the file after the item, and downloads it.
    const resumed = startMkp(["fixes", "get", String(fix!.id), "--download"], { env, cwd: dir.path });
    await resumed.waitFor(/queued 0%/);
    sandbox.advance(TIMING.queuedMs + TIMING.processingMs);
    const done = await resumed.exited;
    expect(done).toMatchObject({ code: 0, stdout: `Downloaded fix ${fix!.id} → ${join(dir.path, "part.fixed.stl")} (${MODEL.length} B)\n` });
    expect(await readFile(join(dir.path, "part.fixed.stl"))).toEqual(await repairedBytes(fix!.id));
  });

  it("bad options are usage errors (exit 2) that name the allowed values from the spec", async () => {
    const cases: [string[], string][] = [
      [
        ["repair", "part.stl", "--quality", "best"],
        "mkp: option '--quality <preset>' argument 'best' is invalid. Allowed choices are standard, prototype, high.\n",
      ],
      [["repair", "part.stl", "--pre-optimize", "100"], "mkp: option '--pre-optimize <n>' argument '100' is invalid. expected a whole number (0 to 99).\n"],
      [["repair", "part.stl", "--wall-thickness", "0"], "mkp: option '--wall-thickness <mm>' argument '0' is invalid. expected a number (more than 0).\n"],
      [["repair"], "mkp: missing required argument 'file|url|folder'\n"],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await mkp(args, { env, cwd: dir.path });
      expect({ args, code, stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(stderr).toBe(`${message}(run with --help for usage)\n`);
    }
    expect(await readdir(dir.path)).toEqual(["part.stl"]);
  });

  it("--api-key is refused with the variable to use, wherever it stands, and the key is never repeated", async () => {
    for (const args of [
      ["repair", "part.stl", "--api-key", "key-typed-here"],
      ["--api-key=key-typed-here", "items", "list"],
    ]) {
      const { code, stdout, stderr } = await mkp(args, { env, cwd: dir.path });
      expect({ args, code, stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(stderr).toBe(
        "mkp: the API key is read from the environment only (a flag would land in your shell history): export MAKEPRINTABLE_API_KEY=<your key> (your account settings page shows it), or run `mkp login`\n",
      );
    }
    expect(await readdir(dir.path)).toEqual(["part.stl"]);
  });
});
