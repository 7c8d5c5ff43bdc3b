// A credential never leaves the origin it was given for (a redirect must not hand the API key to
// another host). `fetch` drops `Authorization`
// on a cross-origin redirect but not the `key` header; the client follows redirects itself.
import { afterEach, describe, expect, it } from "vitest";
import { createClient, RedirectRefusedError, unwrap } from "../src/index.js";
import { API_KEY } from "./helpers.js";
import { json, startRecordingServer } from "@mkp/testing";

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => Promise.all(servers.splice(0).map((server) => server.close())));
async function server(...args: Parameters<typeof startRecordingServer>) {
  const started = await startRecordingServer(...args);
  servers.push(started);
  return started;
}

/** An API whose every request is redirected with `status` to `location`. */
const redirecting = (status: number, location: () => string) =>
  server((_request, response) => {
    response.writeHead(status, { location: location() });
    response.end();
  });

// localhost and 127.0.0.1 are different origins on the same machine: the attacker's server.
const otherOrigin = (url: string) => url.replace("127.0.0.1", "localhost");

describe.each([
  ["the default fetch", undefined],
  ["a caller's fetch", (request: Request) => fetch(request)],
])("with %s", (_name, customFetch) => {
  it.each([301, 302, 303, 307, 308])("follows a %i to another origin without the API key or bearer token", async (status) => {
    const elsewhere = await server((_request, response) => json(response, 200, [{ id: 1 }]));
    const api = await redirecting(status, () => `${otherOrigin(elsewhere.url)}/landing?x=1`);
    for (const credential of [{ apiKey: API_KEY }, { accessToken: async () => "sec_3dFix" }]) {
      const client = createClient({ ...credential, baseUrl: api.url, fetch: customFetch });
      expect((await client.GET("/items")).data).toEqual([{ id: 1 }]);
    }
    expect(api.requests.map((request) => request.headers.key ?? request.headers.authorization)).toEqual([API_KEY, "Bearer sec_3dFix"]);
    expect(elsewhere.requests.map((request) => request.url)).toEqual(["/landing?x=1", "/landing?x=1"]);
    for (const request of elsewhere.requests) {
      expect(request.headers.key).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it("keeps the credential on a redirect within the origin", async () => {
    const api = await server((request, response) => {
      if (request.url === "/v2/items") return json(response, 200, []);
      response.writeHead(308, { location: "/v2/items" });
      response.end();
    });
    const client = createClient({ apiKey: API_KEY, baseUrl: `${api.url}/v1`, fetch: customFetch });
    expect((await client.GET("/items")).data).toEqual([]);
    expect(api.requests.map((request) => [request.url, request.headers.key])).toEqual([
      ["/v1/items", API_KEY],
      ["/v2/items", API_KEY],
    ]);
  });
});

describe("redirects the client refuses, naming the fix", () => {
  it("does not send a body again: a redirected POST fails and reaches nobody else", async () => {
    const elsewhere = await server((_request, response) => json(response, 200, {}));
    const api = await redirecting(307, () => `${otherOrigin(elsewhere.url)}/fixes`);
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url });
    const failure = await client.POST("/fixes", { body: { item_id: 149 } }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedirectRefusedError);
    expect(failure).toMatchObject({
      code: "MKP_REDIRECT_REFUSED",
      message: `${api.url}/fixes redirected (307) to ${otherOrigin(elsewhere.url)}/fixes; a request with a body is not sent again: set baseUrl to the address it redirects to`,
    });
    expect(elsewhere.requests).toEqual([]);
  });

  it('keeps a request\'s redirect: "error" (fetch refuses the redirect)', async () => {
    const api = await redirecting(302, () => "/elsewhere");
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url, maxRetries: 0 });
    await expect(client.GET("/items", { redirect: "error" })).rejects.toThrow(`could not reach ${api.url}/items (unexpected redirect)`);
    expect(api.requests).toHaveLength(1);
  });

  it('returns the redirect itself for redirect: "manual"', async () => {
    const api = await redirecting(302, () => "/elsewhere");
    const { response } = await createClient({ apiKey: API_KEY, baseUrl: api.url }).GET("/items", { redirect: "manual" });
    expect([response.status, response.headers.get("location")]).toEqual([302, "/elsewhere"]);
  });

  it("stops after 20 redirects", async () => {
    const api = await redirecting(302, () => "/items");
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url, maxRetries: 0 });
    await expect(unwrap(client.GET("/items"))).rejects.toThrow("more than 20 redirects: check baseUrl");
    expect(api.requests).toHaveLength(21);
  });

  it("refuses a redirect to another scheme", async () => {
    const api = await redirecting(302, () => "file:///etc/passwd");
    await expect(createClient({ apiKey: API_KEY, baseUrl: api.url }).GET("/items")).rejects.toThrow("only http(s) redirects are followed");
  });

  it("refuses a redirect that a browser hides (opaqueredirect), which it cannot check", async () => {
    const opaque = Response.redirect("https://elsewhere.example/", 302);
    Object.defineProperty(opaque, "type", { value: "opaqueredirect" });
    const client = createClient({ apiKey: API_KEY, fetch: async () => opaque });
    await expect(client.GET("/items")).rejects.toThrow(
      "https://api.makeprintable.com/v1/items answered with a redirect that the browser hides from scripts: set baseUrl to the address it redirects to",
    );
  });
});

describe("a caller's fetch that follows redirects itself", () => {
  it('refuses the answer of a fetch that dropped redirect: "manual", naming the wrapper', async () => {
    const elsewhere = await server((_request, response) => json(response, 200, [{ id: 666 }]));
    const api = await redirecting(302, () => `${otherOrigin(elsewhere.url)}/landing`);
    // A wrapper that rebuilds the request from its URL and headers loses its redirect mode.
    const careless = (request: Request) => fetch(request.url, { headers: request.headers });
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url, fetch: careless, maxRetries: 0 });
    const failure = await client.GET("/items").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedirectRefusedError);
    expect((failure as Error).message).toBe(
      `the fetch given to the client followed a redirect from ${api.url}/items to ${otherOrigin(elsewhere.url)}/landing itself, so it may have sent the credential there: pass the Request it gets to fetch unchanged (its redirect is "manual"), and rotate the key if that origin is not yours`,
    );
    expect(String(failure)).not.toContain(API_KEY);
  });
});

describe("what counts as a redirect", () => {
  it("returns a 3xx without a Location, and a Location on a status that is no redirect, as they are", async () => {
    const api = await server((request, response) => {
      const get = request.method === "GET";
      response.writeHead(get ? 302 : 201, { ...(get ? {} : { location: "/items/149" }), "content-type": "application/json" });
      response.end("{}");
    });
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url, maxRetries: 0 });
    expect((await client.GET("/items")).response.status).toBe(302);
    const created = await client.POST("/items", { body: { fileurl: "https://example.com/a.stl" } });
    expect([created.response.status, created.response.headers.get("location")]).toEqual([201, "/items/149"]);
    expect(api.requests.map((request) => request.url)).toEqual(["/items", "/items"]);
  });

  it.each([
    [303, "DELETE", "GET"],
    [303, "GET", "GET"],
    [302, "DELETE", "DELETE"],
    [307, "DELETE", "DELETE"],
  ])("after a %i, a %s becomes a %s (as fetch does)", async (status, method, next) => {
    const api = await server((request, response) => {
      if (request.url === "/done") return json(response, 200, {});
      response.writeHead(status, { location: "/done" });
      response.end();
    });
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url });
    await client.request(method.toLowerCase() as "get", "/items/{id}", { params: { path: { id: 1 } } });
    expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual([`${method} /items/1`, `${next} /done`]);
  });

  it("keeps a HEAD a HEAD after a 303", async () => {
    const api = await server((request, response) => {
      response.writeHead(request.url === "/done" ? 200 : 303, request.url === "/done" ? {} : { location: "/done" });
      response.end();
    });
    await createClient({ apiKey: API_KEY, baseUrl: api.url }).request("head" as "get", "/items");
    expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual(["HEAD /items", "HEAD /done"]);
  });

  it("follows a redirect to https, without the credential when the origin differs", async () => {
    const seen: Request[] = [];
    const fetch = async (request: Request) => {
      seen.push(request);
      return request.url.startsWith("https:") ? Response.json([]) : new Response(null, { status: 301, headers: { location: "https://api.example/items" } });
    };
    expect((await createClient({ apiKey: API_KEY, baseUrl: "http://127.0.0.1:9", fetch }).GET("/items")).data).toEqual([]);
    expect(seen.map((request) => [request.url, request.headers.get("key")])).toEqual([
      ["http://127.0.0.1:9/items", API_KEY],
      ["https://api.example/items", null],
    ]);
  });

  it("refuses a Location that is no URL", async () => {
    const api = await redirecting(302, () => "http://[");
    await expect(createClient({ apiKey: API_KEY, baseUrl: api.url }).GET("/items")).rejects.toThrow(
      `${api.url}/items redirected to an unusable Location: check baseUrl`,
    );
  });
});
