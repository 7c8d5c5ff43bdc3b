import { createClient, fixesOf, unwrap, type MakeprintableClient } from "@mkp/client";
import { startMockServer, type FailureModes, type MockServer, type RequestLogEntry } from "@mkp/mock-server";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FixFailedError, RepairInputError, RepairJournalError, repairMany, type ModelResult, type RepairManyOptions } from "../src/index.js";

let sandbox: MockServer;
let requests: RequestLogEntry[];
let clock: { t: number };
let dir: string;

// Fixes are done at once unless a test stops the sandbox's clock.
async function start(fixTiming = { queuedMs: 0, processingMs: 0 }, failures: FailureModes = {}) {
  clock = { t: Date.now() };
  requests = [];
  sandbox = await startMockServer({ strict: true, fixTiming, failures, now: () => clock.t, onRequest: (entry) => requests.push(entry) });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mkp-many-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  expect(sandbox.specViolations).toEqual([]);
  await sandbox.close();
});

/** `count` small models named m0.stl, m1.stl … in the test's directory; each holds its own name. */
async function models(count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `m${i}.stl`);
  await Promise.all(names.map((name) => writeFile(join(dir, name), `solid ${name}\nendsolid\n`)));
  return names;
}

const clientFor = (fetch?: (request: Request) => Promise<Response>): MakeprintableClient =>
  createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl, ...(fetch && { fetch }) });

async function collect(client: MakeprintableClient, list: Parameters<typeof repairMany>[1], options: RepairManyOptions = {}): Promise<ModelResult[]> {
  const results: ModelResult[] = [];
  for await (const result of repairMany(client, list, { cwd: dir, journal: "journal.json", ...options })) results.push(result);
  return results;
}

const count = (method: string, path: RegExp) => requests.filter((entry) => entry.method === method && path.test(entry.path)).length;
const journalOf = async () => JSON.parse(await readFile(join(dir, "journal.json"), "utf8")) as { models: Record<string, Record<string, unknown>> };

describe("repairMany", () => {
  it("repairs every model of a streamed list, never more than `concurrency` at once, and journals each", async () => {
    await start();
    const names = await models(12);
    let underWay = 0;
    let most = 0;
    const results: ModelResult[] = [];
    async function* list() {
      yield* names;
    }
    for await (const result of repairMany(clientFor(), list(), {
      cwd: dir,
      journal: "journal.json",
      concurrency: 3,
      onStage: (_, stage) => {
        if (stage === "uploading") most = Math.max(most, ++underWay);
      },
    })) {
      underWay--;
      results.push(result);
    }
    expect(most).toBe(3);
    expect(results.map((r) => r.status)).toEqual(Array(12).fill("repaired"));
    expect(results.map((r) => r.source).sort()).toEqual([...names].sort());
    for (const name of names) expect(await readFile(join(dir, name.replace(".stl", ".fixed.stl")), "utf8")).toBe(`solid ${name}\nendsolid\n`);
    const journal = await journalOf();
    const entry = journal.models[join(dir, "m0.stl")];
    const m0 = results.find((r) => r.source === "m0.stl")!;
    expect(entry).toEqual({ output: join(dir, "m0.fixed.stl"), stage: "done", itemId: m0.itemId, fixId: m0.fixId, bytes: m0.bytes });
    expect(count("POST", /\/items$/)).toBe(12);
    expect(count("POST", /\/fixes$/)).toBe(12);
  });

  it("a re-run with the same journal skips what is done and retries only the failures; a failure never stops the others", async () => {
    await start();
    const names = await models(4);
    const first = await collect(clientFor(), [...names, "missing.stl"], { concurrency: 2 });
    const failed = first.find((r) => r.status === "failed")!;
    expect(failed.source).toBe("missing.stl");
    expect(failed.error).toBeInstanceOf(RepairInputError);
    expect(first.filter((r) => r.status === "repaired")).toHaveLength(4);
    expect((await journalOf()).models[join(dir, "missing.stl")]).toMatchObject({ stage: "failed", error: { code: "MKP_INVALID_REPAIR_INPUT" } });

    await writeFile(join(dir, "missing.stl"), "solid late\nendsolid\n");
    const uploads = count("POST", /\/items$/);
    const second = await collect(clientFor(), [...names, "missing.stl"], { concurrency: 2 });
    expect(second.map((r) => [r.source, r.status])).toEqual(expect.arrayContaining([...names.map((n) => [n, "skipped"]), ["missing.stl", "repaired"]]));
    expect(count("POST", /\/items$/) - uploads).toBe(1);
    expect(await readFile(join(dir, "missing.fixed.stl"), "utf8")).toBe("solid late\nendsolid\n");
  });

  it("a stopped batch, re-run, follows the repairs under way instead of uploading again, and writes each output once", async () => {
    // The sandbox's clock stands still: every repair stays queued until the test moves it.
    await start({ queuedMs: 1000, processingMs: 1000 });
    const names = await models(6);
    const stop = new AbortController();
    const firstRun = collect(clientFor(), names, { concurrency: 6, signal: stop.signal, wait: { intervalMs: 5, maxIntervalMs: 5 } });
    const polled = () => new Set(requests.filter((entry) => /\/fixes\/\d+$/.test(entry.path)).map((entry) => entry.path)).size;
    while (polled() < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    const first = await firstRun;
    expect(first.map((r) => r.status)).toEqual(Array(6).fill("stopped"));
    expect(Object.values((await journalOf()).models).map((entry) => entry.stage)).toEqual(Array(6).fill("repairing"));

    clock.t += 2000;
    const second = await collect(clientFor(), names, { concurrency: 6 });
    expect(second.map((r) => r.status)).toEqual(Array(6).fill("repaired"));
    expect(second.map((r) => r.fixId).sort()).toEqual(first.map((r) => r.fixId).sort());
    expect(count("POST", /\/items$/)).toBe(6);
    expect(count("POST", /\/fixes$/)).toBe(6);
    expect((await readdir(dir)).filter((name) => name.includes(".fixed."))).toHaveLength(6);
  });

  it("stopStarting lets the models under way finish and starts no other", async () => {
    await start();
    const names = await models(10);
    const stop = new AbortController();
    const results: ModelResult[] = [];
    for await (const result of repairMany(clientFor(), names, { cwd: dir, concurrency: 2, stopStarting: stop.signal })) {
      results.push(result);
      stop.abort();
    }
    expect(results.map((r) => r.status)).toEqual(["repaired", "repaired"]);
    expect(count("POST", /\/items$/)).toBe(2);
  });

  it("one 429 pauses every model for its Retry-After; then requests go one at a time, and no model fails", async () => {
    // Two requests at once, then one every 500 ms: of four uploads at once two pass and two get a
    // 429 asking for 500 ms. Answers that pass come 100 ms late, so the 429s are read first.
    await start({ queuedMs: 0, processingMs: 0 }, { rateLimit: 2, latencyMs: 100 });
    const names = await models(4);
    // The pause's clock and timer are the test's: waits stay pending until the test moves both clocks.
    const now = { t: 0 };
    const waiting: { ms: number; release: () => void }[] = [];
    const sleep = (ms: number) => new Promise<void>((release) => waiting.push({ ms, release }));
    let settled = false;
    const run = collect(clientFor(), names, { concurrency: 4, sleep, now: () => now.t }).finally(() => {
      settled = true;
    });
    // The two refused models and the two whose uploads went through wait behind one pause: the
    // first in line sleeps, the others wait for its answer, and no repair has started.
    while (requests.length < 4 || waiting.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waiting.map((entry) => entry.ms)).toEqual([500]);
    expect(requests.map((entry) => `${entry.method} ${entry.path} ${entry.status}`).sort()).toEqual(
      [201, 201, 429, 429].map((status) => `POST /v1/items ${status}`),
    );
    let pauses = 0;
    while (!settled) {
      const longest = Math.max(0, ...waiting.map((entry) => entry.ms));
      pauses += waiting.length;
      now.t += longest;
      clock.t += longest;
      for (const entry of waiting.splice(0)) entry.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const results = await run;
    expect(results.map((r) => r.status)).toEqual(Array(4).fill("repaired"));
    expect(sandbox.stats().uploads).toBe(4);
    expect(results.reduce((sum, r) => sum + r.retries, 0)).toBe(sandbox.stats().rateLimited);
    // After the first two, a 429 for each pause at most: a pause that ends lets one request go, not all that wait.
    expect(sandbox.stats().rateLimited).toBeLessThanOrEqual(2 + pauses);
  }, 30_000);

  it("a long run of 429s never fails a model: each pauses the batch, none is retried by the client on its own, and none makes a look-up", async () => {
    // The API refuses the first 70 tries to start the repair, and the first 3 polls, each asking for
    // a second: 73 s in all, on the test's clock (a sleep moves it at once).
    await start();
    const names = await models(1);
    const refused = { "POST /fixes": 70, "GET /fixes/{id}": 3 };
    const sent: string[] = [];
    const fetch = async (request: Request) => {
      const { pathname } = new URL(request.url);
      const route = `${request.method} ${pathname.replace(/^\/v1/, "").replace(/\/\d+$/, "/{id}")}`;
      sent.push(route);
      if ((refused[route as keyof typeof refused] ?? 0) > 0) {
        refused[route as keyof typeof refused]--;
        return Response.json({ error: "rate_limited" }, { status: 429, headers: { "retry-after-ms": "1000" } });
      }
      return globalThis.fetch(request);
    };
    const now = { t: 0 };
    const sleep = async (ms: number) => {
      now.t += ms;
    };
    const [result] = await collect(clientFor(fetch), names, { sleep, now: () => now.t });
    expect(result).toMatchObject({ status: "repaired", retries: 73 });
    expect(now.t).toBe(73_000);
    // One try each time, with no look-up for a repair the 429s say was never started.
    expect(sent.filter((route) => route === "POST /fixes")).toHaveLength(71);
    expect(sent.filter((route) => route === "GET /fixes/{id}")).toHaveLength(4);
    expect(sent).not.toContain("GET /fixes");
    expect(sandbox.stats().fixes).toBe(1);
  });

  it("429s that last longer than rateLimitTimeoutMs fail the model with the 429, and a re-run goes on from the upload", async () => {
    await start();
    const names = await models(1);
    const fetch = async (request: Request) =>
      request.method === "POST" && request.url.endsWith("/fixes")
        ? Response.json({ error: "rate_limited" }, { status: 429, headers: { "retry-after-ms": "1000" } })
        : globalThis.fetch(request);
    const now = { t: 0 };
    const sleep = async (ms: number) => {
      now.t += ms;
    };
    const [result] = await collect(clientFor(fetch), names, { sleep, now: () => now.t, rateLimitTimeoutMs: 30_000 });
    expect(result).toMatchObject({ status: "failed", retries: 30, error: { status: 429 } });
    expect(now.t).toBe(30_000);
    expect((await journalOf()).models[join(dir, names[0]!)]).toMatchObject({ stage: "failed", itemId: result!.itemId });
    const [again] = await collect(clientFor(), names);
    expect(again).toMatchObject({ status: "repaired", itemId: result!.itemId });
    expect(sandbox.stats().uploads).toBe(1);
  });

  it("a 5xx answer to POST /fixes after the repair started: the repair is found, not started twice", async () => {
    await start();
    const names = await models(3);
    let broke = false;
    const fetch = async (request: Request) => {
      const response = await globalThis.fetch(request);
      if (!broke && request.method === "POST" && request.url.endsWith("/fixes")) {
        broke = true;
        return new Response("upstream gone", { status: 502 });
      }
      return response;
    };
    const results = await collect(clientFor(fetch), names, { concurrency: 1, sleep: async () => {}, random: () => 0 });
    expect(results.map((r) => r.status)).toEqual(["repaired", "repaired", "repaired"]);
    expect(results[0]!.retries).toBe(1);
    const fixes = fixesOf(await unwrap(clientFor().GET("/fixes")));
    expect(fixes).toHaveLength(3);
    expect(new Set(fixes.map((fix) => fix.item_id)).size).toBe(3);
  });

  it("a repair that ends failed fails its model; the re-run starts a new repair of the same item, without uploading again", async () => {
    // Half the repairs fail, chosen by the seed: with this one, the first repair does and the next ones do not.
    await start({ queuedMs: 0, processingMs: 0 }, { failedFixes: 0.5, seed: 4 });
    const names = await models(2);
    const first = await collect(clientFor(), names, { concurrency: 1 });
    expect(sandbox.stats().failedFixes).toBe(1);
    const failed = first.find((r) => r.status === "failed")!;
    expect(failed.error).toBeInstanceOf(FixFailedError);
    expect(failed.error!.message).toBe(`the repair of fix ${failed.fixId} ended failed`);
    expect(first.filter((r) => r.status === "repaired")).toHaveLength(1);
    expect((await journalOf()).models[join(dir, failed.source)]).toMatchObject({
      stage: "failed",
      itemId: failed.itemId,
      fixId: failed.fixId,
      fixFailed: true,
      error: { code: "MKP_FIX_FAILED" },
    });

    const second = await collect(clientFor(), names, { concurrency: 1 });
    const retried = second.find((r) => r.source === failed.source)!;
    expect(retried).toMatchObject({ status: "repaired", itemId: failed.itemId });
    expect(retried.fixId).not.toBe(failed.fixId);
    expect(second.filter((r) => r.status === "skipped")).toHaveLength(1);
    expect(sandbox.stats().uploads).toBe(2);
  });

  it("refuses a journal that is not one, and bad options, before anything is sent", async () => {
    await start();
    await writeFile(join(dir, "journal.json"), "{}");
    await expect(collect(clientFor(), ["a.stl"])).rejects.toThrow(RepairJournalError);
    await expect(collect(clientFor(), ["a.stl"])).rejects.toThrow(`repair journal ${join(dir, "journal.json")}: it is not a repair journal`);
    await expect(collect(clientFor(), ["a.stl"], { journal: undefined, concurrency: 0 })).rejects.toThrow("concurrency must be an integer from 1 to 64");
    await expect(collect(clientFor(), "a.stl" as never, { journal: undefined })).rejects.toThrow(TypeError);
    expect(requests).toEqual([]);
  });
});
