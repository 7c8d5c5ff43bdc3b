// Where credentials go and where they never go: concurrent clients keep their own, a server's
// echo of a credential in another encoding and an error's cause never carry one, plain http only
// on loopback.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APIConnectionError, APIError, ClientOptionsError, createClient, unwrap } from "../src/index.js";
import { API_KEY, TOKEN_REQUEST } from "./helpers.js";
import { json, type SeenRequest, shownForms, startRecordingServer } from "@mkp/testing";

const everything = (error: unknown) =>
  [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })].join("\n");

let api: Awaited<ReturnType<typeof startRecordingServer>>;
beforeAll(async () => {
  api = await startRecordingServer((request, response) =>
    json(response, 200, request.url.endsWith("/token") ? { access_token: "t", token_type: "Bearer" } : request.url.endsWith("s") ? [] : { id: 1 }),
  );
});
afterAll(() => api.close());

describe("two clients calling at once, each with its own credential", () => {
  it("each request carries its own client's credential, body and encoding, whatever the interleaving", async () => {
    let tokenCalls = 0;
    const byKey = createClient({ apiKey: API_KEY, baseUrl: api.url });
    // A token function that answers after a pause, so the other client's calls overtake it.
    const byToken = createClient({
      baseUrl: api.url,
      accessToken: () => new Promise<string>((resolve) => setTimeout(() => resolve(`tok${++tokenCalls}`), 5)),
    });
    const calls = [
      ["key", "/items", () => byKey.GET("/items")],
      ["token", "/fixes", () => byToken.POST("/fixes", { body: { item_id: 7, name: "box" } })],
      ["key", "/token", () => byKey.POST("/token", { body: TOKEN_REQUEST })],
      ["token", "/token", () => byToken.POST("/token", { body: TOKEN_REQUEST })],
      ["token", "/items/{id}", () => byToken.GET("/items/{id}", { params: { path: { id: 3 } } })],
      ["key", "/fixes", () => byKey.POST("/fixes", { body: { item_id: 8 } })],
      ["key", "/items/{id}", () => byKey.DELETE("/items/{id}", { params: { path: { id: 4 } } })],
      ["token", "/fixes/{id}", () => byToken.GET("/fixes/{id}", { params: { path: { id: 5 } } })],
    ] as const;
    const before = api.requests.length;
    await Promise.all([...calls, ...calls].map(([, , call]) => call()));
    const seen = api.requests.slice(before);
    expect(seen).toHaveLength(16);
    const form = (request: SeenRequest) => Object.fromEntries(new URLSearchParams(request.body));
    const credentialOf = (request: SeenRequest) => [request.headers.key, request.headers.authorization];
    for (const request of seen) {
      if (request.url === "/token") {
        expect(credentialOf(request)).toEqual([undefined, undefined]);
        expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
        expect(form(request)).toEqual(TOKEN_REQUEST);
      } else if (request.headers.key !== undefined) {
        expect(credentialOf(request)).toEqual([API_KEY, undefined]);
      } else {
        expect(request.headers.authorization).toMatch(/^Bearer tok[0-9]+$/);
      }
      if (request.url === "/fixes") {
        expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
        expect(form(request)).toEqual(request.headers.key ? { item_id: "8" } : { item_id: "7", name: "box" });
      }
    }
    // Asked once per non-public request, never for POST /token: 3 such calls, twice each.
    expect(tokenCalls).toBe(6);
    expect(
      seen
        .filter((request) => request.headers.authorization)
        .map((request) => request.headers.authorization)
        .sort(),
    ).toEqual(["tok1", "tok2", "tok3", "tok4", "tok5", "tok6"].map((token) => `Bearer ${token}`));
    expect(seen.filter((request) => request.url === "/token")).toHaveLength(4);
  });

  it("scrubs the credential from the error of a Response a middleware put in place", async () => {
    const echo = (credential: string) => Response.json({ error: "denied", error_description: `no access for ${credential}` }, { status: 403 });
    const byKey = createClient({ apiKey: API_KEY, baseUrl: api.url });
    byKey.use({ onRequest: ({ request }) => echo(request.headers.get("key")!) });
    const byToken = createClient({ accessToken: async () => "sec_3dFix", baseUrl: api.url });
    byToken.use({ onResponse: ({ request }) => echo(request.headers.get("authorization")!) });
    for (const error of [await unwrap(byKey.GET("/items")).catch((e: unknown) => e), await unwrap(byToken.GET("/items")).catch((e: unknown) => e)]) {
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).message).toBe("403 no access for [redacted]");
      expect(everything(error)).not.toMatch(/12345weLove3DPrinting|sec_3dFix/);
    }
  });
});

describe("an echoed credential in another encoding", () => {
  // A key with characters that percent- and form-encoding change.
  const apiKey = "k3y/With+Plus Spaces&Amp=Eq";
  it.each([
    ["percent-encoded", encodeURIComponent(apiKey)],
    ["form-encoded", new URLSearchParams({ k: apiKey }).toString().slice(2)],
    ["percent-encoded in lower case", encodeURIComponent(apiKey).toLowerCase()],
    ["lower-cased", apiKey.toLowerCase()],
    ["JSON-escaped", JSON.stringify(apiKey).slice(1, -1)],
  ])("scrubs a %s echo from the message, body and headers", async (_form, echoed) => {
    const client = createClient({
      apiKey,
      fetch: async () => Response.json({ message: `unknown key ${echoed}`, nested: { [echoed]: [echoed] } }, { status: 401, headers: { "x-echo": echoed } }),
    });
    const error = (await unwrap(client.GET("/items")).catch((e: unknown) => e)) as APIError;
    expect(error.message).toBe("401 unknown key [redacted]");
    expect(error.body).toEqual({ message: "unknown key [redacted]", nested: { "[redacted]": ["[redacted]"] } });
    expect(error.headers?.get("x-echo")).toBe("[redacted]");
    expect(everything(error).toLowerCase()).not.toContain(echoed.toLowerCase());
  });
});

describe("a call's result, which keeps the credentials it sent for unwrap", () => {
  it.each([
    ["an API key", { apiKey: "k3y_result_0123456789" }, "k3y_result_0123456789"],
    ["a bearer token", { accessToken: "tok_result_0123456789" }, "tok_result_0123456789"],
  ])("shows %s nowhere, however it is printed or copied", async (_, credential, secret) => {
    // (The server's own answer is kept as it came; unwrap scrubs echoes of the credentials held here: see above.)
    const client = createClient({ ...credential, fetch: async () => Response.json({ message: "bad credential" }, { status: 401 }) });
    const result = await client.GET("/items");
    const forms = [...shownForms(result), inspect(result, { showHidden: true, getters: true, customInspect: false, depth: Number.POSITIVE_INFINITY })];
    for (const shown of forms) expect(shown).not.toContain(secret);
    expect(() => unwrap(result)).toThrow("401 bad credential");
  });
});

describe("an echoed bare bearer token", () => {
  it("scrubs the token without its scheme too", async () => {
    const client = createClient({
      accessToken: "sec_3dFix",
      fetch: async (request) => Response.json({ message: `token ${request.headers.get("authorization")!.split(" ")[1]} expired` }, { status: 401 }),
    });
    const error = (await unwrap(client.GET("/items")).catch((e: unknown) => e)) as APIError;
    expect(error.message).toBe("401 token [redacted] expired");
  });
});

describe("a connection error's cause, which a logger prints", () => {
  const failWith = (make: (request: Request) => unknown) =>
    createClient({ apiKey: API_KEY, maxRetries: 0, fetch: async (request) => Promise.reject(make(request)) })
      .GET("/items")
      .catch((e: unknown) => e);

  it.each([
    [
      "nested three deep",
      () => new TypeError("fetch failed", { cause: new Error("socket", { cause: new Error("tls", { cause: new Error(`bad key ${API_KEY}`) }) }) }),
    ],
    ["carrying the Request", (request: Request) => Object.assign(new TypeError("fetch failed"), { request })],
    ["an AggregateError", () => new AggregateError([new Error("ok"), new Error(`key: ${encodeURIComponent(API_KEY)}`)], "all attempts failed")],
    ["a plain object holding the headers", (request: Request) => ({ code: "E", details: { headers: request.headers } })],
  ])("drops a cause %s that holds the key", async (_name, make) => {
    const error = await failWith(make);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).cause).toBeUndefined();
    expect(everything(error)).not.toContain(API_KEY);
  });

  it.each([
    ["a thrown string", "socket hang up", "socket hang up"],
    [
      "an error with no message but a code",
      new TypeError("fetch failed", { cause: Object.assign(new AggregateError([], ""), { code: "ECONNREFUSED" }) }),
      "ECONNREFUSED",
    ],
    ["an error with neither", new TypeError("fetch failed", { cause: new RangeError("") }), "RangeError"],
    ["a reason over 200 characters", new Error("x".repeat(300)), "x".repeat(200)],
    [
      "a chain over 8 causes deep (the 8th is quoted)",
      Array.from({ length: 10 }, (_, i) => 10 - i).reduce<unknown>((cause, n) => new Error(`level ${n}`, { cause }), undefined),
      "level 8",
    ],
  ])("quotes the reason of %s", async (_name, thrown, reason) => {
    const error = (await failWith(() => thrown)) as APIConnectionError;
    expect(error.message).toBe(`could not reach https://api.makeprintable.com/v1/items (${reason}): check baseUrl (or MAKEPRINTABLE_BASE_URL) and the network`);
  });

  it("keeps a cause that holds no secret, with its reason in the message", async () => {
    const cause = new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND api.example"), { code: "ENOTFOUND" }) });
    const error = (await failWith(() => cause)) as APIConnectionError;
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      "could not reach https://api.makeprintable.com/v1/items (getaddrinfo ENOTFOUND api.example): check baseUrl (or MAKEPRINTABLE_BASE_URL) and the network",
    );
  });
});

describe("plain http, where anyone on the path reads the credential", () => {
  it.each(["http://api.example.com/v1", "http://192.168.1.5:4010", "http://10.0.0.2"])("refuses %s unless the caller opts in", (baseUrl) => {
    expect(() => createClient({ apiKey: API_KEY, baseUrl })).toThrow(ClientOptionsError);
    expect(() => createClient({ apiKey: API_KEY, baseUrl })).toThrow(
      `baseUrl ${new URL(baseUrl).origin} is plain http, so the credential would travel unencrypted: use https, or a loopback address (127.0.0.1, localhost, [::1]) for a local sandbox, or set allowInsecureHttp: true`,
    );
    expect(() => createClient({ apiKey: API_KEY, baseUrl, allowInsecureHttp: true })).not.toThrow();
  });

  // (A host name that ends in a number is parsed as an IPv4 address, so "a127.0.0.1" cannot occur.)
  it.each(["http://127.0.0.1.evil.example", "http://localhost.evil.example"])("refuses %s, which only looks like loopback", (baseUrl) => {
    expect(() => createClient({ apiKey: API_KEY, baseUrl })).toThrow("is plain http");
  });

  it.each(["http://127.0.0.1:4010", "http://127.10.200.3", "http://localhost:4010/v1", "http://[::1]:4010"])("allows loopback %s", (baseUrl) => {
    expect(() => createClient({ apiKey: API_KEY, baseUrl })).not.toThrow();
  });

  it("checks a per-request baseUrl the same way, before sending", async () => {
    const client = createClient({ apiKey: API_KEY, baseUrl: api.url });
    await expect(client.GET("/items", { baseUrl: "http://api.example.com" })).rejects.toThrow(ClientOptionsError);
  });
});

describe("small print of errors and bodies", () => {
  it("builds an APIError's message from its status and body when none is given", () => {
    expect(new APIError({ status: 418, body: { message: "I am a teapot" } }).message).toBe("418 I am a teapot");
  });

  it("unwraps a result the client did not make (no credentials known), dropping set-cookie", () => {
    const response = Response.json({ error: "nope" }, { status: 400, headers: { "set-cookie": "s=1", "x-request-id": "r1" } });
    const error = (() => {
      try {
        return unwrap({ error: { error: "nope" }, response });
      } catch (thrown) {
        return thrown as APIError;
      }
    })() as APIError;
    expect([error.message, error.headers?.get("set-cookie"), error.requestId]).toEqual(["400 nope", null, "r1"]);
  });

  it("labels a form operation's body, and sends no content type without a body", async () => {
    const seen: Request[] = [];
    const client = createClient({
      apiKey: API_KEY,
      fetch: async (request) => {
        seen.push(request);
        return Response.json({});
      },
    });
    await client.POST("/fixes", { body: { item_id: 1 } });
    await client.POST("/fixes", {} as never);
    expect(seen.map((request) => request.headers.get("content-type"))).toEqual(["application/x-www-form-urlencoded", null]);
  });

  it("quotes at most 200 characters of a token function's failure", async () => {
    const client = createClient({ accessToken: () => Promise.reject(new Error("y".repeat(300))), fetch: async () => Response.json({}) });
    await expect(client.GET("/items")).rejects.toMatchObject({ message: `the accessToken function failed: ${"y".repeat(200)}` });
  });
});
