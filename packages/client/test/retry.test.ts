import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { API_KEY, recordingSleep } from "./helpers.js";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  ClientOptionsError,
  createClient,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  InternalServerError,
  unwrap,
} from "../src/index.js";
import { backoffMs, retryAfterMs, withoutConnectionFix } from "../src/internal/index.js";
import { sleep as defaultSleep } from "../src/retry.js";
import { json, startRecordingServer } from "@mkp/testing";

const item = { id: 149, user_id: 8, file_name: "box_longline", file_ext: "obj", status: 1, created_at: 1422295700, updated_at: 1422295700 };
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * Fakes `setTimeout` only (sockets keep real time): a per-attempt timeout then fires when the test
 * moves the clock, after the server has the request, instead of after a real wait.
 */
const fakeTimeouts = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });

async function server(...args: Parameters<typeof startRecordingServer>) {
  const started = await startRecordingServer(...args);
  closers.push(started.close);
  return started;
}

/** A client of `url` whose sleeps are recorded, not waited, and whose jitter is zero. */
function clientOf(url: string, options: Parameters<typeof createClient>[0] = {}) {
  const { sleep, delays } = recordingSleep();
  const client = createClient({ apiKey: API_KEY, baseUrl: `${url}/v1`, sleep, random: () => 0, ...options });
  return { client, delays };
}

/** The real fetch, numbering each attempt in an `x-attempt` header (timeouts may beat the server). */
function countingFetch() {
  const counting = Object.assign(
    (request: Request, init?: RequestInit) => {
      counting.attempts++;
      request.headers.set("x-attempt", String(counting.attempts));
      return fetch(request, init);
    },
    { attempts: 0 },
  );
  return counting;
}

describe("retries of idempotent requests", () => {
  it("retries a GET that fails twice with 503 and returns the third answer", async () => {
    const api = await server((_request, response, index) => (index < 2 ? json(response, 503, { error: "busy" }) : json(response, 200, item)));
    const { client, delays } = clientOf(api.url);
    const { data, error } = await client.GET("/items/{id}", { params: { path: { id: 149 } } });
    expect(error).toBeUndefined();
    expect(data).toEqual(item);
    expect(api.requests.map((request) => `${request.method} ${request.url}`)).toEqual(Array(3).fill("GET /v1/items/149"));
    expect(api.requests.every((request) => request.headers.key === API_KEY)).toBe(true);
    // exponential backoff: 0.5 s then 1 s (jitter is zero here)
    expect(delays).toEqual([500, 1000]);
  });

  it("asks a token function once per request, not once per attempt", async () => {
    const api = await server((_request, response, index) => (index < 2 ? json(response, 503, {}) : json(response, 200, [])));
    let asked = 0;
    const { client } = clientOf(api.url, { apiKey: undefined, accessToken: async () => `tok_${++asked}` });
    await client.GET("/items");
    expect(asked).toBe(1);
    expect(api.requests.map((request) => request.headers.authorization)).toEqual(Array(3).fill("Bearer tok_1"));
  });

  it("gives up after maxRetries (default 2) and returns the last error response", async () => {
    const api = await server((_request, response) => json(response, 500, { error: "server_error" }));
    const { client, delays } = clientOf(api.url);
    const result = await client.GET("/fixes");
    expect(result.response.status).toBe(500);
    expect(api.requests).toHaveLength(1 + DEFAULT_MAX_RETRIES);
    expect(delays).toEqual([500, 1000]);
    expect(() => unwrap(result)).toThrow(InternalServerError);
  });

  it("retries a DELETE on 408 and 429 as well", async () => {
    const statuses = [408, 429, 204];
    const api = await server((_request, response, index) => {
      response.writeHead(statuses[index]!);
      response.end();
    });
    const { client } = clientOf(api.url);
    const result = await client.DELETE("/items/{id}", { params: { path: { id: 149 } } });
    expect(result.response.status).toBe(204);
    expect(api.requests.map((request) => request.method)).toEqual(["DELETE", "DELETE", "DELETE"]);
  });

  it("never retries a POST, even on 503", async () => {
    const api = await server((_request, response) => json(response, 503, { error: "busy" }));
    const { client, delays } = clientOf(api.url, { maxRetries: 5 });
    const result = await client.POST("/fixes", { body: { item_id: 149, name: "box" } });
    expect(result.response.status).toBe(503);
    expect(api.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("does not retry a 404 or another 4xx", async () => {
    const api = await server((_request, response) => json(response, 404, { error: "not_found" }));
    const { client } = clientOf(api.url);
    await client.GET("/items/{id}", { params: { path: { id: 1 } } });
    expect(api.requests).toHaveLength(1);
  });

  it("honours maxRetries per client and per request", async () => {
    const api = await server((_request, response) => json(response, 502, {}));
    const { client } = clientOf(api.url, { maxRetries: 4 });
    await client.GET("/items");
    expect(api.requests).toHaveLength(5);
    await client.GET("/items", { maxRetries: 0 });
    expect(api.requests).toHaveLength(6);
    await client.GET("/items", { maxRetries: 1 });
    expect(api.requests).toHaveLength(8);
  });

  it("adds up to 25 % jitter to the backoff", async () => {
    const api = await server((_request, response, index) => (index < 2 ? json(response, 500, {}) : json(response, 200, [])));
    const { client, delays } = clientOf(api.url, { random: () => 0.5 });
    await client.GET("/items");
    expect(delays).toEqual([500 * 0.875, 1000 * 0.875]);
  });
});

describe("Retry-After", () => {
  it("waits the seconds of a 429's Retry-After", async () => {
    const api = await server((_request, response, index) =>
      index === 0 ? json(response, 429, { error: "slow_down" }, { "retry-after": "3" }) : json(response, 200, []),
    );
    const { client, delays } = clientOf(api.url);
    const { data } = await client.GET("/items");
    expect(data).toEqual([]);
    expect(delays).toEqual([3000]);
  });

  it("prefers retry-after-ms", async () => {
    const api = await server((_request, response, index) =>
      index === 0 ? json(response, 503, {}, { "retry-after-ms": "250", "retry-after": "9" }) : json(response, 200, []),
    );
    const { client, delays } = clientOf(api.url);
    await client.GET("/fixes");
    expect(delays).toEqual([250]);
  });

  it("reads an HTTP date, and ignores values that are garbage or over a minute", () => {
    const now = Date.parse("Sun, 29 Nov 2026 09:00:00 GMT");
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 29 Nov 2026 09:00:07 GMT" }), now)).toBe(7000);
    expect(retryAfterMs(new Headers({ "retry-after": "0" }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ "retry-after": "1.5" }), now)).toBe(1500);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "-3" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "3600" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 29 Nov 2026 08:59:00 GMT" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  it("falls back to the backoff when Retry-After is too long", async () => {
    const api = await server((_request, response, index) => (index === 0 ? json(response, 429, {}, { "retry-after": "3600" }) : json(response, 200, [])));
    const { client, delays } = clientOf(api.url);
    await client.GET("/items");
    expect(delays).toEqual([500]);
  });
});

describe("connection errors, timeouts and aborts", () => {
  async function closedPortUrl(): Promise<string> {
    const api = await startRecordingServer(() => undefined);
    await api.close();
    return api.url;
  }

  it("retries a refused connection, then throws APIConnectionError", async () => {
    const url = await closedPortUrl();
    const { client, delays } = clientOf(url);
    const failure = await client.GET("/items", { params: { query: { page: 2 } } }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIConnectionError);
    // The message names the URL (without its query), the reason and the fix.
    const port = new URL(url).port;
    expect(failure).toMatchObject({
      code: "MKP_CONNECTION",
      status: undefined,
      message: `could not reach ${url}/v1/items (connect ECONNREFUSED 127.0.0.1:${port}): check baseUrl (or MAKEPRINTABLE_BASE_URL) and the network`,
    });
    expect(delays).toEqual([500, 1000]);
    // What a tool that names the person's own setting quotes: the message without the library's fix.
    expect(withoutConnectionFix((failure as Error).message)).toBe(`could not reach ${url}/v1/items (connect ECONNREFUSED 127.0.0.1:${port})`);
    expect(withoutConnectionFix(`no response from ${url}/v1/items within 5 ms: raise timeoutMs`)).toBeUndefined();
  });

  it("recovers when the connection drops twice and then works", async () => {
    const api = await server((_request, response, index) => {
      if (index < 2) response.socket?.destroy();
      else json(response, 200, item);
    });
    const { client, delays } = clientOf(api.url);
    const item149 = await unwrap(client.GET("/items/{id}", { params: { path: { id: 149 } } }));
    expect(item149.id).toBe(149);
    expect(api.requests).toHaveLength(3);
    expect(delays).toEqual([500, 1000]);
  });

  it("does not retry a POST whose connection dropped", async () => {
    const api = await server((_request, response) => {
      response.socket?.destroy();
    });
    const { client, delays } = clientOf(api.url);
    await expect(client.POST("/fixes", { body: { item_id: 1 } })).rejects.toBeInstanceOf(APIConnectionError);
    expect(api.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("fails with APIConnectionTimeoutError when no headers arrive within timeoutMs", async () => {
    const api = await server(() => undefined); // never answers
    const { client } = clientOf(api.url, { timeoutMs: 40, maxRetries: 0 });
    fakeTimeouts();
    const pending = client.GET("/items").catch((error: unknown) => error);
    await api.received(1);
    await vi.advanceTimersByTimeAsync(39);
    expect(api.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const failure = await pending;
    expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
    expect(failure).toBeInstanceOf(APIConnectionError);
    expect(failure).toMatchObject({
      code: "MKP_CONNECTION_TIMEOUT",
      message: `no response from ${api.url}/v1/items within 40 ms: raise timeoutMs (per client or per request) or check the server`,
    });
  });

  it("retries a GET that timed out (per-request timeoutMs)", async () => {
    // The first attempt gets no answer, whether or not it reached the server within the timeout.
    const api = await server((request, response) => (request.headers["x-attempt"] === "1" ? undefined : json(response, 200, [])));
    const { client, delays } = clientOf(api.url, { fetch: countingFetch() });
    fakeTimeouts();
    const pending = client.GET("/items", { timeoutMs: 40 });
    await api.received(1);
    await vi.advanceTimersByTimeAsync(40);
    const { data } = await pending;
    expect(data).toEqual([]);
    expect(api.requests.at(-1)?.headers["x-attempt"]).toBe("2");
    expect(delays).toEqual([500]);
  });

  it("keeps a per-request timeoutMs and signal when the body is re-encoded as a form", async () => {
    const api = await server(() => undefined); // never answers
    const { client } = clientOf(api.url, { maxRetries: 0 });
    fakeTimeouts();
    const pending = client.POST("/fixes", { body: { item_id: 149 }, timeoutMs: 30 }).catch((error: unknown) => error);
    await api.received(1);
    await vi.advanceTimersByTimeAsync(30);
    expect(await pending).toMatchObject({ code: "MKP_CONNECTION_TIMEOUT", message: expect.stringContaining("/fixes within 30 ms") });
    const controller = new AbortController();
    const aborted = client.POST("/fixes", { body: { item_id: 149 }, signal: controller.signal }).catch((error: unknown) => error);
    await api.received(2);
    controller.abort();
    expect(await aborted).toBeInstanceOf(APIUserAbortError);
    expect(api.requests.map((request) => request.headers["content-type"])).toEqual(Array(2).fill("application/x-www-form-urlencoded"));
  });

  it("fails with APIUserAbortError when the caller aborts, without retrying", async () => {
    const controller = new AbortController();
    const api = await server(() => controller.abort());
    const { client, delays } = clientOf(api.url);
    const failure = await client.GET("/items", { signal: controller.signal }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIUserAbortError);
    expect(failure).toMatchObject({ code: "MKP_USER_ABORT", message: "request was aborted" });
    expect(api.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    const controller = new AbortController();
    const api = await server((_request, response) => json(response, 503, {}, { "retry-after": "30" }));
    const asked: number[] = [];
    const client = createClient({
      apiKey: API_KEY,
      baseUrl: `${api.url}/v1`,
      // the real sleep, aborted as soon as it starts
      sleep: (ms, signal) => {
        asked.push(ms);
        const sleeping = defaultSleep(ms, signal);
        controller.abort();
        return sleeping;
      },
    });
    await expect(client.GET("/items", { signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(asked).toEqual([30_000]);
    expect(api.requests).toHaveLength(1);
  });
});

describe("options", () => {
  it("documents a one-minute default timeout", () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(60_000);
  });

  it.each([
    [{ maxRetries: -1 }, "maxRetries must be an integer from 0 to 2147483647"],
    [{ maxRetries: 1.5 }, "maxRetries must be an integer from 0 to 2147483647"],
    [{ timeoutMs: 0 }, "timeoutMs must be an integer from 1 to 2147483647"],
    [{ timeoutMs: Number.NaN }, "timeoutMs must be an integer from 1 to 2147483647"],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, "timeoutMs must be an integer from 1 to 2147483647"],
    [{ timeoutMs: 2 ** 31 }, "timeoutMs must be an integer from 1 to 2147483647"],
    [{ timeoutMs: 1.5 }, "timeoutMs must be an integer from 1 to 2147483647"],
  ])("rejects %o with a ClientOptionsError", (options, message) => {
    expect(() => createClient({ apiKey: API_KEY, ...options })).toThrow(new ClientOptionsError(message));
  });

  it("rejects a bad per-request maxRetries before sending anything", async () => {
    const api = await server((_request, response) => json(response, 200, []));
    const { client } = clientOf(api.url);
    await expect(client.GET("/items", { maxRetries: "3" as never })).rejects.toThrow(ClientOptionsError);
    expect(api.requests).toHaveLength(0);
  });
});

// Found by mutation testing (README, Mutation testing): per-request options must survive the
// re-encoding of a form body, and the Retry-After limits are inclusive.
describe("per-request options on form-encoded operations", () => {
  it("applies a per-request timeoutMs to a POST whose body is re-encoded as a form", async () => {
    const api = await server(() => undefined); // never answers
    const fetch = countingFetch();
    const { client } = clientOf(api.url, { fetch });
    fakeTimeouts();
    const pending = client.POST("/fixes", { body: { item_id: 149, name: "box" }, timeoutMs: 40 }).catch((error: unknown) => error);
    await api.received(1);
    await vi.advanceTimersByTimeAsync(40);
    const failure = await pending;
    expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
    expect(failure).toMatchObject({ message: expect.stringContaining("/fixes within 40 ms") });
    expect(fetch.attempts).toBe(1);
  });

  it("checks a per-request maxRetries on a POST whose body is re-encoded as a form", async () => {
    const api = await server((_request, response) => json(response, 200, {}));
    const { client } = clientOf(api.url);
    const failure = await client.POST("/fixes", { body: { item_id: 149, name: "box" }, maxRetries: -1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClientOptionsError);
    expect(failure).toMatchObject({ message: expect.stringMatching(/^maxRetries must be an integer /) });
    expect(api.requests).toHaveLength(0);
  });

  it("checks a per-request timeoutMs before sending anything, naming it", async () => {
    const api = await server((_request, response) => json(response, 200, []));
    const { client } = clientOf(api.url);
    const failure = await client.GET("/items", { timeoutMs: 0 }).catch((error: unknown) => error);
    expect(failure).toEqual(new ClientOptionsError("timeoutMs must be an integer from 1 to 2147483647"));
    expect(api.requests).toHaveLength(0);
  });
});

describe("retryAfterMs limits", () => {
  it("takes a delay of exactly one minute, and no more", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "60000" }))).toBe(60_000);
    expect(retryAfterMs(new Headers({ "retry-after": "60" }))).toBe(60_000);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "60001" }))).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after-ms": "0" }))).toBe(0);
  });
});

// Found by mutation testing (README, Mutation testing): the default sleep, the backoff curve, the
// shared deadline timer and the abort checks around a wait.
describe("the default sleep", () => {
  it("waits, then leaves no listener on the signal", async () => {
    const controller = new AbortController();
    await defaultSleep(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects at once with the reason when the signal is already aborted", async () => {
    const reason = new Error("stop");
    await expect(defaultSleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("rejects with the reason when the signal aborts while waiting, and lets go of the listener", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const sleeping = defaultSleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("backoff and Retry-After details", () => {
  it("doubles from 0.5 s and stops at 8 s; jitter takes off at most a quarter", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((retry) => backoffMs(retry, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffMs(2, () => 1)).toBe(1500);
  });

  it("falls back to Retry-After when retry-after-ms is not a number", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "soon", "retry-after": "2" }))).toBe(2000);
  });

  it("throws APIUserAbortError when the caller aborted during a wait that still resolved", async () => {
    const controller = new AbortController();
    const api = await server((_request, response) => json(response, 503, {}));
    const client = createClient({
      apiKey: API_KEY,
      baseUrl: `${api.url}/v1`,
      // a sleep that ignores the signal
      sleep: async () => controller.abort(),
    });
    await expect(client.GET("/items", { signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.requests).toHaveLength(1);
  });
});

it("ends the request with APIUserAbortError when the sleep between attempts fails", async () => {
  const api = await server((_request, response) => json(response, 503, {}));
  const client = createClient({ apiKey: API_KEY, baseUrl: `${api.url}/v1`, sleep: () => Promise.reject(new Error("no timers here")) });
  await expect(client.GET("/items")).rejects.toBeInstanceOf(APIUserAbortError);
  expect(api.requests).toHaveLength(1);
});

describe("each attempt's own timeout", () => {
  it("times out one attempt without touching another that is still in time", async () => {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    let answerLate!: () => void;
    const api = await server((request, response) => {
      if (!request.url.endsWith("/fixes")) return; // /items never answers
      answerLate = () => json(response, 200, [{ id: 1 }]);
      arrive();
    });
    const { client } = clientOf(api.url, { maxRetries: 0 });
    fakeTimeouts();
    const slow = client.GET("/fixes");
    const fast = client.GET("/items", { timeoutMs: 30 }).catch((error: unknown) => error);
    await api.received(2);
    await vi.advanceTimersByTimeAsync(30);
    expect(await fast).toBeInstanceOf(APIConnectionTimeoutError);
    await arrived;
    answerLate();
    expect((await slow).data).toEqual([{ id: 1 }]);
  });

  it("gives the body a deadline too: a trickled body fails with APIConnectionTimeoutError", async () => {
    const trickles: ReturnType<typeof setInterval>[] = [];
    const api = await server((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("[");
      // One space (valid JSON whitespace) every 5 ms, for ever: the connection is never idle.
      trickles.push(setInterval(() => response.write(" "), 5));
    });
    closers.push(async () => trickles.forEach(clearInterval));
    let headersArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (headersArrived = resolve));
    const noting = async (request: Request) => fetch(request).finally(headersArrived);
    const { client } = clientOf(api.url, { timeoutMs: 300, maxRetries: 0, fetch: noting });
    fakeTimeouts();
    let settled = false;
    const pending = client
      .GET("/items")
      .catch((error: unknown) => error)
      .finally(() => (settled = true));
    await arrived;
    // Real time for the client to take the headers and set the body's deadline (not a fake timer).
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const failure = await pending;
    expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
    expect(failure).toMatchObject({
      code: "MKP_CONNECTION_TIMEOUT",
      message: `the body of the answer from ${api.url}/v1/items did not arrive within 300 ms of its headers: raise timeoutMs (per client or per request) or check the server`,
    });
  });

  it("gives a streamed body the same deadline, counted from the headers", async () => {
    let finish!: () => void;
    const api = await server((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('[{"id":');
      finish = () => response.end("1}]");
    });
    const { client } = clientOf(api.url, { timeoutMs: 40, maxRetries: 0 });
    fakeTimeouts();
    const { data: stream } = await client.GET("/items", { parseAs: "stream" });
    await vi.advanceTimersByTimeAsync(40);
    finish();
    await expect(new Response(stream as ReadableStream).text()).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("reads a body that arrives within its deadline in full", async () => {
    let finish!: () => void;
    const api = await server((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('[{"id":');
      finish = () => response.end("1}]");
    });
    const { client } = clientOf(api.url, { timeoutMs: 40, maxRetries: 0 });
    fakeTimeouts();
    const { data: stream } = await client.GET("/items", { parseAs: "stream" });
    await vi.advanceTimersByTimeAsync(39);
    finish();
    expect(JSON.parse(await new Response(stream as ReadableStream).text())).toEqual([{ id: 1 }]);
  });

  it("leaves no timer behind once the response has arrived", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
    const before = timers();
    const client = createClient({ apiKey: API_KEY, fetch: async () => Response.json([]) });
    await client.GET("/items");
    expect(timers()).toBe(before);
  });
});
