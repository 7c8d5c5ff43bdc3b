// What a web page that finds the sandbox's port can make it do: call back services on this
// machine, and fill its memory with uploads. Each test over real loopback servers.
import { startRecordingServer } from "@mkp/testing";
import { describe, expect, test } from "vitest";
import type { MockServer } from "../src/index.js";
import { expectStatus, manualClock, startTestServer } from "./helpers.js";

/** A loopback service that records the requests it gets (a stand-in for any local service). */
async function localService() {
  const server = await startRecordingServer((_request, response) => void response.end("ok"));
  return { origin: server.url, hits: () => server.requests.map((request) => `${request.method} ${request.url}`), close: server.close };
}

function upload(server: MockServer, bytes: number, headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes).fill(0x61)]), "cube.stl");
  return fetch(`${server.apiUrl}/items`, { method: "POST", headers: { key: server.demo.apiKey, ...headers }, body: form });
}

function startFix(server: MockServer, callbackUrl: string, headers: Record<string, string> = {}) {
  return fetch(`${server.apiUrl}/fixes`, {
    method: "POST",
    headers: { key: server.demo.apiKey, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ item_id: "1", callback_url: callbackUrl }),
  });
}

async function errorOf(response: Response): Promise<unknown> {
  return ((await response.json()) as { error_description?: unknown }).error_description;
}

describe("fix callbacks go only where the calling app may be called", () => {
  test("a web page on another origin cannot aim a callback at a loopback service", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now, fixTiming: { queuedMs: 0, processingMs: 0 } });
    const service = await localService();
    try {
      await expectStatus(upload(server, 10), 201);
      const refused = await expectStatus(startFix(server, `${service.origin}/admin/flush`, { origin: "https://evil.example" }), 400);
      expect(await errorOf(refused)).toBe(
        "A web page is called back on its own origin only: callback_url must start with https://evil.example and be on this machine (or start the sandbox with --callback-origin).",
      );
      await server.flushCallbacks();
      expect(service.hits()).toEqual([]);
      expect(server.callbacks).toEqual([]);
    } finally {
      await service.close();
    }
  });

  test("a page on a loopback origin is called back on that origin, and not on another port", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now, fixTiming: { queuedMs: 0, processingMs: 0 } });
    const page = await localService();
    const other = await localService();
    try {
      await expectStatus(upload(server, 10), 201);
      await expectStatus(startFix(server, `${other.origin}/hook`, { origin: page.origin }), 400);
      await expectStatus(startFix(server, `${page.origin}/hook`, { origin: page.origin }), 201);
      await server.flushCallbacks();
      expect([page.hits(), other.hits()]).toEqual([["POST /hook"], []]);
    } finally {
      await Promise.all([page.close(), other.close()]);
    }
  });

  test("with callbackOrigins, only those origins are called back, whoever asks", async () => {
    const clock = manualClock();
    const allowed = await localService();
    const other = await localService();
    const server = await startTestServer({ now: clock.now, fixTiming: { queuedMs: 0, processingMs: 0 }, callbackOrigins: [allowed.origin] });
    try {
      await expectStatus(upload(server, 10), 201);
      const refused = await expectStatus(startFix(server, `${other.origin}/hook`), 400);
      expect(await errorOf(refused)).toBe(`The sandbox calls back only ${allowed.origin} (its callbackOrigins option, --callback-origin).`);
      await expectStatus(startFix(server, `${allowed.origin}/hook`), 201);
      await server.flushCallbacks();
      expect([allowed.hits(), other.hits()]).toEqual([["POST /hook"], []]);
    } finally {
      await Promise.all([allowed.close(), other.close()]);
    }
  });

  test.each([["https://example.com"], ["http://127.0.0.1:8080/path"], ["not a url"]])("refuses callbackOrigins entry %s", async (origin) => {
    await expect(startTestServer({ callbackOrigins: [origin] })).rejects.toThrow(
      /^callbackOrigins: .* is not a loopback origin such as http:\/\/127\.0\.0\.1:8080$/,
    );
  });

  test("the preflight of the path that starts fixes never says * : a page off this machine gets 403, a loopback page its own origin", async () => {
    const server = await startTestServer();
    const preflight = (origin: string) =>
      fetch(`${server.apiUrl}/fixes`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "key" },
      });
    const evil = await preflight("https://evil.example");
    expect([evil.status, evil.headers.get("access-control-allow-origin")]).toEqual([403, null]);
    const local = await preflight("http://127.0.0.1:5173");
    expect([local.status, local.headers.get("access-control-allow-origin"), local.headers.get("vary")]).toEqual([204, "http://127.0.0.1:5173", "Origin"]);
    // Other paths keep the open policy.
    expect(
      (
        await fetch(`${server.apiUrl}/items`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } })
      ).headers.get("access-control-allow-origin"),
    ).toBe("*");
  });
});

describe("stored uploads are capped in total", () => {
  test("past maxStoredBytes an upload gets 507 naming the fix, and nothing stored is dropped", async () => {
    const server = await startTestServer({ maxStoredBytes: 2500 });
    await expectStatus(upload(server, 1000), 201);
    await expectStatus(upload(server, 1000), 201);
    const full = await expectStatus(upload(server, 1000), 507);
    expect(await full.json()).toEqual({
      error: "insufficient_storage",
      error_description:
        "The sandbox holds 2000 of its 2500 bytes of uploads: delete items (DELETE /items/{id}) or start it with a larger maxStoredBytes (--max-stored-bytes).",
    });
    const list = (await (await fetch(`${server.apiUrl}/items`, { headers: { key: server.demo.apiKey } })).json()) as unknown[];
    expect(list).toHaveLength(2);
    // Deleting an item frees its bytes.
    await expectStatus(fetch(`${server.apiUrl}/items/1`, { method: "DELETE", headers: { key: server.demo.apiKey } }), 204);
    await expectStatus(upload(server, 1000), 201);
  });

  test("30 cross-origin uploads of 1 MiB stop at the cap (the default is 100 MiB)", async () => {
    const server = await startTestServer({ maxStoredBytes: 5 * 1024 * 1024 });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await upload(server, 1024 * 1024, { origin: "https://evil.example" })).status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(4);
    expect(statuses.filter((status) => status === 507)).toHaveLength(26);
  });
});
