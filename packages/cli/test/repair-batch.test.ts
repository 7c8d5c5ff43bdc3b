import { createClient, fixesOf, unwrap } from "@mkp/client";
import type { RequestLogEntry } from "@mkp/mock-server";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkp, startMkp, startSandbox, temporaryDirectory, type Sandbox } from "./helpers.js";

let dir: { path: string; remove(): Promise<void> };
let sandbox: Sandbox;
let log: RequestLogEntry[];

beforeEach(async () => {
  dir = await temporaryDirectory();
  log = [];
});
afterEach(async () => {
  expect(sandbox.server.specViolations).toEqual([]);
  await sandbox.close();
  await dir.remove();
});

const envOf = () => ({ MAKEPRINTABLE_API_KEY: sandbox.apiKey, MAKEPRINTABLE_BASE_URL: sandbox.server.apiUrl, XDG_CONFIG_HOME: join(dir.path, "config") });
const api = () => createClient({ apiKey: sandbox.apiKey, baseUrl: sandbox.server.apiUrl });
const requests = (method: string, path: RegExp) => log.filter((entry) => entry.method === method && path.test(entry.path));

/** `count` small models in `models/` (m1.stl …), each holding its own name. */
async function models(count: number): Promise<void> {
  await mkdir(join(dir.path, "models"));
  for (let i = 1; i <= count; i++) await writeFile(join(dir.path, "models", `m${i}.stl`), `solid m${i}\nendsolid\n`);
}

/** A line of `mkp repair --json` with many models: a model's or the summary. */
interface JsonLine {
  type: string;
  source: string;
  status: string;
  output: string;
  item_id: number;
  fix_id: number;
  bytes: number;
  retries: number;
  error?: { code: string; message: string };
  failures: { source: string }[];
}

/** Waits (the test's timeout bounds it) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("mkp repair with many models", () => {
  it("kill -9 in the middle of 200 models, then the same command: each repaired once, nothing uploaded or written twice", async () => {
    // Running, every reading of the sandbox's clock is a second later, so a repair (half a second)
    // is done at its first poll; frozen, the repairs started from then on never end.
    const clock = { t: Date.now(), frozen: false };
    const now = () => {
      if (!clock.frozen) clock.t += 1000;
      return clock.t;
    };
    sandbox = await startSandbox({ now, fixTiming: { queuedMs: 0, processingMs: 500 }, onRequest: (entry) => log.push(entry) });
    await models(200);
    const args = ["repair", "models", "--out-dir", "out", "--concurrency", "8"];
    const first = startMkp(args, { env: envOf(), cwd: dir.path });
    await until(() => requests("GET", /^\/downloads\//).length >= 100);
    // Every repair started so far is done at the frozen time; every later one waits.
    clock.t += 1000;
    clock.frozen = true;
    // Kill when all eight models under way wait on a repair that cannot end (none is mid-download).
    await until(async () => {
      const waiting = fixesOf(await unwrap(api().GET("/fixes"))).filter((fix) => fix.status !== "done");
      return waiting.length === 8 && waiting.every((fix) => requests("GET", new RegExp(`^/v1/fixes/${fix.id}$`)).length > 0);
    });
    first.child.kill("SIGKILL");
    expect((await first.exited).code).toBe(null);
    const downloadedBefore = requests("GET", /^\/downloads\//).length;
    const journal = JSON.parse(await readFile(join(dir.path, "out", "mkp-repair-journal.json"), "utf8")) as { models: Record<string, { stage: string }> };
    const stages = Object.values(journal.models).map((entry) => entry.stage);
    expect(stages.filter((stage) => stage === "repairing")).toHaveLength(8);
    expect(stages.filter((stage) => stage === "done")).toHaveLength(downloadedBefore);

    clock.frozen = false;
    const second = await mkp(args, { env: envOf(), cwd: dir.path });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^${200 - downloadedBefore} repaired, ${downloadedBefore} already done, 0 failed of 200 in `, "m"));
    // Each model uploaded once, repaired once, its repaired file downloaded and written once.
    expect(requests("POST", /^\/v1\/items$/)).toHaveLength(200);
    expect(requests("POST", /^\/v1\/fixes$/)).toHaveLength(200);
    const downloads = requests("GET", /^\/downloads\//).map((entry) => entry.path);
    expect(downloads).toHaveLength(200);
    expect(new Set(downloads).size).toBe(200);
    const outputs = (await readdir(join(dir.path, "out"))).filter((name) => name.endsWith(".fixed.stl"));
    expect(outputs).toHaveLength(200);
    for (const i of [1, 100, 200]) expect(await readFile(join(dir.path, "out", `m${i}.fixed.stl`), "utf8")).toBe(`solid m${i}\nendsolid\n`);
  }, 180_000);

  it("--json: one line per model that matches the sandbox's records, then a summary line", async () => {
    sandbox = await startSandbox({ fixTiming: { queuedMs: 0, processingMs: 0 } });
    await models(5);
    const { code, stdout, stderr } = await mkp(["repair", "models", "--json", "--concurrency", "2"], { env: envOf(), cwd: dir.path });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const lines = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JsonLine);
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(0, 5)) {
      expect(line).toMatchObject({ type: "model", status: "repaired", retries: 0 });
      const item = await unwrap(api().GET("/items/{id}", { params: { path: { id: line.item_id } } }));
      const fix = await unwrap(api().GET("/fixes/{id}", { params: { path: { id: line.fix_id } } }));
      const name = line.source.replace(/^models\//, "");
      expect(`${item.file_name}.${item.file_ext}`).toBe(name);
      expect(fix).toMatchObject({ item_id: item.id, status: "done" });
      expect(line.output).toBe(join(dir.path, "models", name.replace(".stl", ".fixed.stl")));
      expect(line.bytes).toBe((await stat(line.output)).size);
    }
    expect(lines[5]).toMatchObject({ type: "summary", repaired: 5, skipped: 0, failed: 0, stopped: 0, total: 5, failures: [] });
    expect((lines[5] as unknown as { journal: string }).journal).toBe(join(dir.path, "mkp-repair-journal.json"));
  });

  it("in a pipe: one plain line per model and a summary that names each failure and why; exit 1; the same command retries only it", async () => {
    sandbox = await startSandbox({ fixTiming: { queuedMs: 0, processingMs: 0 }, onRequest: (entry) => log.push(entry) });
    await models(3);
    await writeFile(join(dir.path, "empty.stl"), "");
    const args = ["repair", "models/m1.stl", "empty.stl", "models/m2.stl", "--concurrency", "1"];
    const { code, stdout, stderr } = await mkp(args, { env: envOf(), cwd: dir.path });
    expect(code).toBe(1);
    const why = `${join(dir.path, "empty.stl")} is empty (0 bytes): give a 3D file with the model in it`;
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^\[1\/3\] repaired models\/m1\.stl → .*\/models\/m1\.fixed\.stl \(fix 1, 18 B\)$/);
    expect(lines[1]).toBe(`[2/3] failed empty.stl: ${why}`);
    expect(lines[2]).toMatch(/^\[3\/3\] repaired models\/m2\.stl → /);
    expect(lines[3]).toMatch(/^2 repaired, 0 already done, 1 failed of 3 in \d+\.\d s \(journal: .*\/mkp-repair-journal\.json\)$/);
    expect(lines[4]).toBe(`  failed: empty.stl: ${why}`);
    const resume = `mkp repair models/m1.stl empty.stl models/m2.stl --journal ${join(dir.path, "mkp-repair-journal.json")} --concurrency 1`;
    expect(stderr).toBe(`mkp: 1 of 3 models failed (listed above); to retry only them: ${resume}\n`);

    await writeFile(join(dir.path, "empty.stl"), "solid now\nendsolid\n");
    const again = await mkp(resume.split(" ").slice(1), { env: envOf(), cwd: dir.path });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^1 repaired, 2 already done, 0 failed of 3 in /m);
    expect(requests("POST", /^\/v1\/items$/)).toHaveLength(3);
  });

  it("10 % of repairs fail and 5 % of answers are 5xx: the failed repairs are listed with why, the rest done, exit 1", async () => {
    sandbox = await startSandbox({ now: Date.now, fixTiming: { queuedMs: 0, processingMs: 0 }, failures: { failedFixes: 0.1, serverErrors: 0.05, seed: 29 } });
    await models(40);
    const { code, stdout } = await mkp(["repair", "models", "--json"], { env: envOf(), cwd: dir.path });
    expect(code).toBe(1);
    const lines = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JsonLine);
    const summary = lines.pop()!;
    const stats = sandbox.server.stats();
    // The seed makes some repairs fail and some answers 503: both happened.
    expect(stats.failedFixes).toBeGreaterThan(0);
    expect(stats.serverErrors).toBeGreaterThan(0);
    const failed = lines.filter((line) => line.status === "failed");
    expect(failed).toHaveLength(stats.failedFixes);
    for (const line of failed) {
      expect(line.error).toMatchObject({ code: "MKP_FIX_FAILED", message: expect.stringContaining(`the repair of fix ${line.fix_id} ended failed`) });
    }
    // No model failed for a 503: those requests were tried again.
    expect(lines.filter((line) => line.status === "repaired")).toHaveLength(40 - stats.failedFixes);
    expect(lines.reduce((sum, line) => sum + line.retries, 0)).toBeGreaterThan(0);
    expect(summary).toMatchObject({ type: "summary", repaired: 40 - stats.failedFixes, failed: stats.failedFixes, total: 40 });
    expect(summary.failures.map((failure) => failure.source).sort()).toEqual(failed.map((line) => line.source).sort());
  });

  it("under a rate limit: the 429s pause every model, and none fails", async () => {
    // Four requests a second, in bursts of four: the first eight uploads, sent at once, meet 429s however slow the machine.
    sandbox = await startSandbox({ now: Date.now, fixTiming: { queuedMs: 0, processingMs: 0 }, failures: { rateLimit: 4 } });
    await models(16);
    const { code, stdout, stderr } = await mkp(["repair", "models", "--json", "--concurrency", "8"], { env: envOf(), cwd: dir.path });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const lines = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JsonLine);
    expect(lines.pop()).toMatchObject({ type: "summary", repaired: 16, failed: 0, total: 16 });
    expect(lines.every((line) => line.status === "repaired")).toBe(true);
    const stats = sandbox.server.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.uploads).toBe(16);
    // Every 429 reached the batch's shared pause (the client retried none on its own) and was tried again.
    expect(lines.reduce((sum, line) => sum + line.retries, 0)).toBe(stats.rateLimited);
    // 16 models of at least three requests each at 4 requests a second, plus the shared pauses: a hang guard, not a timing.
  }, 120_000);

  it("--out and --name name one model: refused in a batch (exit 2), nothing sent", async () => {
    sandbox = await startSandbox({ onRequest: (entry) => log.push(entry) });
    await models(2);
    for (const [flag, message] of [
      [["--out", "x.stl"], "--out names one output file: for many models use --out-dir"],
      [["--name", "x"], "--name names one model: in a batch each is named after its file"],
    ] as const) {
      const { code, stderr } = await mkp(["repair", "models", ...flag], { env: envOf(), cwd: dir.path });
      expect({ code, stderr }).toEqual({ code: 2, stderr: `mkp: ${message}\n` });
    }
    expect(log).toEqual([]);
  });
});
