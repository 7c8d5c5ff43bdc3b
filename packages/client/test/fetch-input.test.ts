// What `fetch` and middleware are given: always a real `Request`, over a real server on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { APIConnectionTimeoutError, APIUserAbortError, createClient, type MakeprintableClient } from "../src/index.js";
import { API_KEY, TOKEN_REQUEST } from "./helpers.js";
import { json, startRecordingServer } from "@mkp/testing";

let api: Awaited<ReturnType<typeof startRecordingServer>>;

beforeAll(async () => {
  api = await startRecordingServer((request, response) => {
    // Page 999 never answers: for timeouts and aborts.
    if (request.url.startsWith("/v1/items?page=999")) return;
    json(response, 200, request.method === "POST" ? { access_token: "t", token_type: "Bearer" } : []);
  });
});
afterAll(() => api.close());

const clientOf = (options: Parameters<typeof createClient>[0] = {}): MakeprintableClient =>
  createClient({ apiKey: API_KEY, baseUrl: `${api.url}/v1`, ...options });
const last = () => api.requests.at(-1)!;

afterEach(() => vi.useRealTimers());

/**
 * A GET of the page that never answers, timed out by moving a faked `setTimeout` (sockets keep
 * real time) once the server has the request, instead of waiting for real.
 */
async function timedOutGet(client: MakeprintableClient): Promise<unknown> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const arrived = api.received(api.requests.length + 1);
  const pending = client.GET("/items", { params: { query: { page: 999 } }, timeoutMs: 30 }).catch((error: unknown) => error);
  await arrived;
  await vi.advanceTimersByTimeAsync(30);
  return pending;
}

describe("with the default fetch", () => {
  it("sends the credential, and a public form operation exactly as the spec says", async () => {
    const client = clientOf();
    expect((await client.GET("/items")).data).toEqual([]);
    expect(last().headers.key).toBe(API_KEY);
    await client.POST("/token", { body: TOKEN_REQUEST });
    expect(last().headers.key).toBeUndefined();
    expect(last().headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(last().body))).toEqual(TOKEN_REQUEST);
  });

  it("times out and aborts as it does with a Request", async () => {
    const client = clientOf({ maxRetries: 0 });
    const timedOut = await timedOutGet(client);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
    const controller = new AbortController();
    const pending = client.GET("/items", { params: { query: { page: 999 } }, signal: controller.signal }).catch((error: unknown) => error);
    controller.abort(new Error("user left"));
    expect(await pending).toMatchObject({ code: "MKP_USER_ABORT", cause: new Error("user left") });
    expect(await pending).toBeInstanceOf(APIUserAbortError);
  });
});

describe("a caller's middleware and fetch get a real Request", () => {
  it("gives a middleware added with use() a Request, from the next call on", async () => {
    const client = clientOf();
    await client.GET("/items");
    const seen: unknown[] = [];
    client.use({
      onRequest: ({ request }) => {
        seen.push(request);
        request.headers.set("x-trace", "t1");
      },
      onResponse: ({ request, response }) => {
        seen.push(request instanceof Request && response instanceof Response);
      },
    });
    await client.GET("/items", { params: { query: { page: 2 } } });
    expect(seen).toHaveLength(2);
    const request = seen[0] as Request;
    expect(request).toBeInstanceOf(Request);
    expect(request.url).toBe(`${api.url}/v1/items?page=2`);
    expect(request.headers.get("key")).toBe(API_KEY);
    expect(seen[1]).toBe(true);
    expect(last().headers["x-trace"]).toBe("t1");
  });

  it("still times out through a middleware", async () => {
    const client = clientOf({ maxRetries: 0 });
    client.use({ onRequest: () => undefined });
    const timedOut = await timedOutGet(client);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("keeps the caller's signal on a Request that a middleware replaced", async () => {
    const client = clientOf({ maxRetries: 0 });
    client.use({ onRequest: ({ request }) => new Request(request, { headers: { "x-trace": "t2" } }) });
    const controller = new AbortController();
    const arrived = api.received(api.requests.length + 1);
    const pending = client.GET("/items", { params: { query: { page: 999 } }, signal: controller.signal }).catch((error: unknown) => error);
    await arrived;
    controller.abort(new Error("user left"));
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    expect(await pending).toMatchObject({ cause: new Error("user left") });
  });

  it("shows a middleware the bearer token of a token function, asked once per request", async () => {
    let asked = 0;
    const client = createClient({ accessToken: () => `tok_${++asked}`, baseUrl: `${api.url}/v1` });
    const seen: (string | null)[] = [];
    client.use({ onRequest: ({ request }) => void seen.push(request.headers.get("authorization")) });
    await client.GET("/items");
    await client.GET("/items");
    expect(seen).toEqual(["Bearer tok_1", "Bearer tok_2"]);
    expect(last().headers.authorization).toBe("Bearer tok_2");
  });

  it("never asks a token function for POST /token, even when a middleware replaces the Request", async () => {
    let asked = 0;
    const client = createClient({ accessToken: () => `tok_${++asked}`, baseUrl: `${api.url}/v1` });
    client.use({ onRequest: ({ request }) => new Request(request, { headers: { "x-trace": "t3", "content-type": request.headers.get("content-type")! } }) });
    await client.POST("/token", { body: TOKEN_REQUEST });
    expect(asked).toBe(0);
    expect(last().headers.authorization).toBeUndefined();
    expect(last().headers["x-trace"]).toBe("t3");
  });

  it("gives a per-request middleware a Request, and only that call", async () => {
    const client = clientOf();
    const seen: Request[] = [];
    await client.POST("/token", { body: TOKEN_REQUEST, middleware: [{ onRequest: ({ request }) => void seen.push(request.clone()) }] });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(Request);
    expect(seen[0]!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(await seen[0]!.text()))).toEqual(TOKEN_REQUEST);
    await client.GET("/items");
    expect(seen).toHaveLength(1);
  });

  it("gives a per-request fetch a Request", async () => {
    const client = clientOf();
    const seen: Request[] = [];
    const { data } = await client.GET("/items", {
      fetch: (request: Request) => {
        seen.push(request);
        return fetch(request);
      },
    });
    expect(data).toEqual([]);
    expect(seen[0]).toBeInstanceOf(Request);
    expect(seen[0]!.headers.get("key")).toBe(API_KEY);
  });

  it("gives the client's fetch option a Request with the caller's signal honoured and redirect \"manual\"", async () => {
    const seen: Request[] = [];
    const client = clientOf({
      maxRetries: 0,
      fetch: (request) => {
        seen.push(request);
        return fetch(request);
      },
    });
    await client.GET("/items");
    expect(seen[0]).toBeInstanceOf(Request);
    // The client follows redirects itself (redirects.test.ts), so fetch must not.
    expect(seen[0]!.redirect).toBe("manual");
    const timedOut = await timedOutGet(client);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
    const controller = new AbortController();
    const pending = client.GET("/items", { params: { query: { page: 999 } }, signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
  });
});
