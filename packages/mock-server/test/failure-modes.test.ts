// The failures the sandbox produces on request (rate limit, failed fixes, 503s, latency), each
// deterministic under a seed, and the counts tests read to prove what happened.
import { startRecordingServer } from "@mkp/testing";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { MockServer } from "../src/index.js";
import { expectStatus, getWithHost, manualClock, startTestServer } from "./helpers.js";

function upload(server: MockServer, key = server.demo.apiKey) {
  const form = new FormData();
  form.append("file", new Blob(["solid cube\nendsolid cube\n"]), "cube.stl");
  return fetch(`${server.apiUrl}/items`, { method: "POST", headers: { key }, body: form });
}

function startFix(server: MockServer, itemId: number, extra: Record<string, string> = {}) {
  return fetch(`${server.apiUrl}/fixes`, {
    method: "POST",
    headers: { key: server.demo.apiKey, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ item_id: String(itemId), ...extra }),
  });
}

async function getFix(server: MockServer, id: number): Promise<Record<string, unknown>> {
  return (await (await expectStatus(fetch(`${server.apiUrl}/fixes/${id}`, { headers: { key: server.demo.apiKey } }), 200)).json()) as Record<string, unknown>;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("rate limit per credential", () => {
  test("past the limit: 429 with Retry-After (seconds) and retry-after-ms; the bucket refills on the clock", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now, apiKeys: ["key-one", "key-two"], failures: { rateLimit: 2 } });
    const list = (key: string) => fetch(`${server.apiUrl}/items`, { headers: { key } });
    await expectStatus(list("key-one"), 200);
    await expectStatus(list("key-one"), 200);
    const limited = await expectStatus(list("key-one"), 429);
    expect([limited.headers.get("retry-after"), limited.headers.get("retry-after-ms")]).toEqual(["1", "500"]);
    expect(await limited.json()).toEqual({
      error: "rate_limited",
      error_description: "This credential may make 2 requests a second (the sandbox's rateLimit option).",
    });
    // Another credential has its own limit.
    await expectStatus(list("key-two"), 200);
    clock.advance(499);
    await expectStatus(list("key-one"), 429);
    clock.advance(1);
    await expectStatus(list("key-one"), 200);
    expect(server.stats()).toMatchObject({ rateLimited: 2, uploads: 0 });
  });

  test("a 429 is answered before the handler: nothing is uploaded", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now, failures: { rateLimit: 1 } });
    await expectStatus(upload(server), 201);
    await expectStatus(upload(server), 429);
    expect(server.stats()).toMatchObject({ uploads: 1, rateLimited: 1 });
  });
});

describe("failed fixes", () => {
  test("a fix chosen to fail ends `failed` with no download link, and its callback says so", async () => {
    const clock = manualClock();
    const receiver = await startRecordingServer();
    try {
      const server = await startTestServer({ now: clock.now, failures: { failedFixes: 1 } });
      await expectStatus(upload(server), 201);
      await expectStatus(startFix(server, 1, { callback_url: `${receiver.url}/done` }), 201);
      expect(await getFix(server, 1)).toEqual({ id: 1, item_id: 1, status: "queued", progress: 0 });
      clock.advance(6000);
      expect(await getFix(server, 1)).toEqual({ id: 1, item_id: 1, status: "failed", progress: 99 });
      const [delivery] = await server.flushCallbacks();
      expect(delivery?.body).toEqual({ id: "1", item_id: "1", status: "failed", progress: "99" });
      expect(server.stats()).toMatchObject({ uploads: 1, fixes: 1, failedFixes: 1 });
    } finally {
      await receiver.close();
    }
  });

  test("which fixes fail depends on the seed and the fix's id only: two sandboxes with one seed agree", async () => {
    const failedIds = async (seed: number) => {
      const clock = manualClock();
      const server = await startTestServer({ now: clock.now, failures: { failedFixes: 0.5, seed } });
      await expectStatus(upload(server), 201);
      for (let i = 0; i < 20; i++) await expectStatus(startFix(server, 1), 201);
      clock.advance(6000);
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => getFix(server, i + 1)));
      expect(new Set(statuses.map((fix) => fix["status"]))).toEqual(new Set(["done", "failed"]));
      return statuses.filter((fix) => fix["status"] === "failed").map((fix) => fix["id"]);
    };
    const first = await failedIds(7);
    expect(await failedIds(7)).toEqual(first);
    expect(await failedIds(8)).not.toEqual(first);
  });
});

describe("server errors", () => {
  test("a 503 comes before anything changes, so the request is safe to retry", async () => {
    const server = await startTestServer({ failures: { serverErrors: 1 } });
    const failed = await expectStatus(upload(server), 503);
    expect(await failed.json()).toEqual({
      error: "temporarily_unavailable",
      error_description: "The sandbox failed this request on purpose (its serverErrors option); nothing was changed, so it is safe to retry.",
    });
    expect(server.stats()).toMatchObject({ uploads: 0, serverErrors: 1 });
  });

  test("the same seed fails the same requests, in order; the OAuth endpoints and the website are never failed", async () => {
    const pattern = async (seed: number) => {
      const server = await startTestServer({ failures: { serverErrors: 0.3, seed } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await fetch(`${server.apiUrl}/items`, { headers: { key: server.demo.apiKey } })).status);
      expect((await fetch(server.authorizeUrl)).status).toBe(400);
      expect(server.stats().seed).toBe(seed);
      return statuses;
    };
    const first = await pattern(42);
    expect(new Set(first)).toEqual(new Set([200, 503]));
    expect(await pattern(42)).toEqual(first);
  });
});

describe("latency", () => {
  test("an API answer waits latencyMs first", async () => {
    const server = await startTestServer({ failures: { latencyMs: 250 } });
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    let settled = false;
    // node:http's client, which starts no timer of its own: the only timer is the sandbox's wait.
    const pending = getWithHost(`${server.apiUrl}/items`, new URL(server.url).host, { key: server.demo.apiKey }).then((response) => {
      settled = true;
      return response;
    });
    await vi.waitFor(() => expect(vi.getTimerCount()).toBeGreaterThan(0));
    vi.advanceTimersByTime(249);
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    expect((await pending).status).toBe(200);
  });
});

describe("options", () => {
  test.each([
    [{ rateLimit: 0 }, "failures.rateLimit must be a number of requests a second, above 0"],
    [{ failedFixes: 1.5 }, "failures.failedFixes must be a share from 0 to 1, such as 0.1"],
    [{ serverErrors: -0.1 }, "failures.serverErrors must be a share from 0 to 1, such as 0.1"],
    [{ latencyMs: [200, 100] as const }, "failures.latencyMs must be milliseconds (0 or more), or [min, max]"],
    [{ seed: 1.5 }, "failures.seed must be an integer"],
  ])("refuses %o", async (failures, message) => {
    await expect(startTestServer({ failures })).rejects.toThrow(message);
  });
});
