// What a web page or a hostile caller could make the sandbox do (DNS rebinding, reading local
// services, piling up consent state, header injection through file names, cross-origin reads),
// over real loopback requests. Raw `node:http` requests where a browser would not let a test set the header (Host).
import { describe, expect, test } from "vitest";
import { MAX_PENDING } from "../src/state.js";
import { authorizeUrl, decide, getWithHost as getHost, openConsent, startTestServer } from "./helpers.js";

/** A GET with the given Host header and the demo key. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return getHost(url, host, { key: "12345weLove3DPrinting" });
}

describe("Host header (DNS rebinding)", () => {
  test("answers its own address and the loopback names on its port, and nothing else", async () => {
    const server = await startTestServer();
    const { port } = new URL(server.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await getWithHost(`${server.apiUrl}/items`, host)).status).toBe(200);
    }
    for (const host of [`attacker.example:${port}`, "attacker.example", `127.0.0.1:${Number(port) + 1}`]) {
      const { status, body } = await getWithHost(`${server.apiUrl}/items`, host);
      expect([host, status]).toEqual([host, 421]);
      expect(JSON.parse(body)).toEqual({
        error: "invalid_request",
        error_description: "This sandbox answers only requests addressed to its own host and port (start it with --allowed-host for another name).",
      });
    }
  });

  test("answers the names it is told to", async () => {
    const server = await startTestServer({ allowedHosts: ["sandbox.test", "mock:4010"] });
    expect((await getWithHost(`${server.apiUrl}/items`, "sandbox.test:1234")).status).toBe(200);
    expect((await getWithHost(`${server.apiUrl}/items`, "mock:4010")).status).toBe(200);
    expect((await getWithHost(`${server.apiUrl}/items`, "mock:4011")).status).toBe(421);
  });
});

describe("fileurl downloads (reading local services for a caller)", () => {
  test("a loopback fileurl is recorded, not fetched, unless its origin is listed", async () => {
    let hits = 0;
    const local = await startTestServer();
    const origin = local.url; // any local service: here another sandbox
    const server = await startTestServer();
    const form = new FormData();
    form.append("fileurl", `${origin}/v1/items/box.obj`);
    const response = await fetch(`${server.apiUrl}/items`, { method: "POST", headers: { key: server.demo.apiKey }, body: form });
    expect(response.status).toBe(201);
    expect(server.fileUrls).toEqual([{ itemId: 1, url: `${origin}/v1/items/box.obj`, downloaded: false }]);
    hits += local.fileUrls.length;
    expect(hits).toBe(0);
  });

  test.each([["https://example.com"], ["http://127.0.0.1:8080/path"], ["not a url"]])("refuses fileUrlOrigins entry %s", async (origin) => {
    await expect(startTestServer({ fileUrlOrigins: [origin] })).rejects.toThrow(
      /^fileUrlOrigins: .* is not a loopback origin such as http:\/\/127\.0\.0\.1:8080$/,
    );
  });
});

describe("consent pages (one cookie per browser, bounded pending state)", () => {
  test("one binding cookie per browser, however many consent pages it opens, and each page can still be answered", async () => {
    const server = await startTestServer();
    const first = await openConsent(authorizeUrl(server));
    let cookie = first.cookie!;
    for (let i = 0; i < 200; i++) {
      const page = await fetch(authorizeUrl(server), { redirect: "manual", headers: { cookie } });
      cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    }
    expect(cookie).toBe(first.cookie);
    const response = await decide(server, { consent: first.consent, cookie }, "allow");
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("location")!).searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test(`keeps at most ${MAX_PENDING} pending consents: the oldest goes first`, async () => {
    const server = await startTestServer();
    const oldest = await openConsent(authorizeUrl(server));
    await Promise.all(
      Array.from({ length: MAX_PENDING }, () => fetch(authorizeUrl(server), { redirect: "manual", headers: { cookie: oldest.cookie! } }).then((r) => r.text())),
    );
    expect((await decide(server, oldest, "allow")).status).toBe(400);
  });

  test("refuses a state over 512 characters", async () => {
    const server = await startTestServer();
    const { response, html } = await openConsent(authorizeUrl(server, { state: "s".repeat(513) }));
    expect(response.status).toBe(400);
    expect(html).toContain("The state parameter is longer than 512 characters.");
    expect((await openConsent(authorizeUrl(server, { state: "s".repeat(512) }))).response.status).toBe(200);
  });
});

describe("Content-Disposition of downloads", () => {
  test("a file name cannot add or end a parameter", async () => {
    const server = await startTestServer({ fixTiming: { queuedMs: 0, processingMs: 0 } });
    const headers = { key: server.demo.apiKey };
    const form = new FormData();
    form.append("file", new File(["v 0 0 0\n"], 'cube"x.stl;filename=evil.sh'));
    const item = (await (await fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: form })).json()) as { id: number };
    const fix = (await (
      await fetch(`${server.apiUrl}/fixes`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: `item_id=${item.id}`,
      })
    ).json()) as { id: number };
    const done = (await (await fetch(`${server.apiUrl}/fixes/${fix.id}`, { headers })).json()) as { download_url: string };
    const disposition = (await fetch(done.download_url)).headers.get("content-disposition")!;
    expect(disposition).toBe(`attachment; filename="cube_x.stl_filename=evil.sh"; filename*=UTF-8''cube%22x.stl%3Bfilename%3Devil.sh`);
  });
});

describe("CORS (browser apps on other origins)", () => {
  const preflight = (url: string, origin: string, method = "GET") =>
    fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": "key, content-type" } });

  test("answers a preflight of the API and marks its responses readable by any origin by default", async () => {
    const server = await startTestServer();
    const answer = await preflight(`${server.apiUrl}/items`, "http://127.0.0.1:5173", "POST");
    expect(answer.status).toBe(204);
    expect(Object.fromEntries([...answer.headers].filter(([name]) => name.startsWith("access-control-")))).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, POST",
      "access-control-allow-headers": "key, authorization, content-type",
      "access-control-max-age": "600",
      "access-control-expose-headers":
        "x-request-id, retry-after, retry-after-ms, www-authenticate, content-disposition, location, x-mkp-sandbox, x-mkp-sandbox-ignored",
    });
    const items = await fetch(`${server.apiUrl}/items`, { headers: { origin: "http://127.0.0.1:5173", key: server.demo.apiKey } });
    expect(items.headers.get("access-control-allow-origin")).toBe("*");
  });

  test("never lets a page read the consent page or call POST /token", async () => {
    const server = await startTestServer();
    expect((await preflight(server.tokenUrl, "http://127.0.0.1:5173", "POST")).headers.get("access-control-allow-origin")).toBeNull();
    expect((await fetch(authorizeUrl(server), { headers: { origin: "http://127.0.0.1:5173" } })).headers.get("access-control-allow-origin")).toBeNull();
  });

  test("allows only the listed origins, or none", async () => {
    const listed = await startTestServer({ cors: ["http://127.0.0.1:5173"] });
    expect((await preflight(`${listed.apiUrl}/items`, "http://127.0.0.1:5173")).headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    const other = await preflight(`${listed.apiUrl}/items`, "http://evil.example");
    expect([other.status, other.headers.get("access-control-allow-origin")]).toEqual([403, null]);
    const none = await startTestServer({ cors: false });
    expect((await preflight(`${none.apiUrl}/items`, "http://127.0.0.1:5173")).status).toBe(403);
  });
});
