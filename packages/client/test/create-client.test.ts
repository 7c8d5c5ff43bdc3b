import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccessTokenError, ClientOptionsError, createClient, MakeprintableError, SERVER_URL } from "../src/index.js";
import { API_KEY, observedFetch, onlyRequest, TOKEN_REQUEST } from "./helpers.js";

const TOKEN = "sec_3dFix";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("credentials on protected operations", () => {
  it("sends the API key as the `key` header and nothing else", async () => {
    const { fetch, requests } = observedFetch();
    const client = createClient({ apiKey: API_KEY, fetch });
    await client.GET("/items/{id}", { params: { path: { id: 149 } } });
    const request = onlyRequest(requests);
    expect(request.url).toBe(`${SERVER_URL}/items/149`);
    expect(request.headers.get("key")).toBe(API_KEY);
    expect(request.headers.get("authorization")).toBeNull();
  });

  it("sends an access token as `Authorization: Bearer`", async () => {
    const { fetch, requests } = observedFetch();
    const client = createClient({ accessToken: TOKEN, fetch });
    await client.GET("/items");
    const request = onlyRequest(requests);
    expect(request.headers.get("authorization")).toBe("Bearer sec_3dFix");
    expect(request.headers.get("key")).toBeNull();
  });

  it("calls a token provider before every request, so a refreshed token is used", async () => {
    const { fetch, requests } = observedFetch();
    const tokens = ["first_token", "second_token"];
    const provider = vi.fn(async () => tokens.shift() ?? "none");
    const client = createClient({ accessToken: provider, fetch });
    await client.GET("/items");
    await client.GET("/fixes");
    expect(provider).toHaveBeenCalledTimes(2);
    expect(requests.map((request) => request.headers.get("authorization"))).toEqual(["Bearer first_token", "Bearer second_token"]);
  });

  it("fails with a typed error, without the token, when the provider returns garbage", async () => {
    const { fetch, requests } = observedFetch();
    const client = createClient({ accessToken: () => "bad\r\ninjected: header", fetch });
    const failure = await client.GET("/items").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AccessTokenError);
    expect((failure as AccessTokenError).code).toBe("MKP_INVALID_ACCESS_TOKEN");
    expect(String(failure)).not.toContain("injected");
    expect(requests).toHaveLength(0);
  });

  it("reads the API key and base URL from the environment when none is given", async () => {
    vi.stubEnv("MAKEPRINTABLE_API_KEY", "env-key-1");
    vi.stubEnv("MAKEPRINTABLE_BASE_URL", "http://127.0.0.1:9/v1/");
    const { fetch, requests } = observedFetch();
    await createClient({ fetch }).GET("/fixes");
    const request = onlyRequest(requests);
    expect(request.url).toBe("http://127.0.0.1:9/v1/fixes");
    expect(request.headers.get("key")).toBe("env-key-1");
  });

  it("prefers an explicit access token over the environment's API key", async () => {
    vi.stubEnv("MAKEPRINTABLE_API_KEY", "env-key-1");
    const { fetch, requests } = observedFetch();
    await createClient({ fetch, accessToken: TOKEN }).GET("/fixes");
    expect(onlyRequest(requests).headers.get("key")).toBeNull();
  });

  it("sends no credential at all when none is configured", async () => {
    const { fetch, requests } = observedFetch();
    await createClient({ fetch }).GET("/items");
    const request = onlyRequest(requests);
    expect(request.headers.get("key")).toBeNull();
    expect(request.headers.get("authorization")).toBeNull();
  });
});

describe("POST /token", () => {
  it("sends exactly the five fields, form-encoded, with no credential header", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({ access_token: TOKEN, token_type: "Bearer" }));
    const client = createClient({ apiKey: API_KEY, fetch, headers: { authorization: "Bearer leaked" } });
    const { data, error } = await client.POST("/token", { body: TOKEN_REQUEST });
    expect(error).toBeUndefined();
    expect(data).toEqual({ access_token: TOKEN, token_type: "Bearer" });
    const request = onlyRequest(requests);
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`${SERVER_URL}/token`);
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(request.headers.get("key")).toBeNull();
    expect(request.headers.get("authorization")).toBeNull();
    const form = new URLSearchParams(await request.text());
    expect([...form.keys()].sort()).toEqual(["client_id", "client_secret", "code", "grant_type", "redirect_uri"]);
    expect(Object.fromEntries(form)).toEqual(TOKEN_REQUEST);
  });

  // Found by mutation testing: a null field is left out of the form, not sent as the text "null".
  it("leaves null and undefined fields out of a form body", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    const body = { item_id: 149, name: null, description: undefined } as unknown as { item_id: number; name: string };
    await createClient({ apiKey: API_KEY, fetch }).POST("/fixes", { body });
    const request = onlyRequest(requests);
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(await request.text()).toBe("item_id=149");
  });

  it("returns the RFC 6749 §5.2 error body as `error`", async () => {
    const body = { error: "invalid_grant", error_description: "expired" } as const;
    const { fetch } = observedFetch(() => Response.json(body, { status: 400 }));
    const { data, error, response } = await createClient({ fetch }).POST("/token", { body: TOKEN_REQUEST });
    expect(data).toBeUndefined();
    expect(response.status).toBe(400);
    expect(error).toEqual(body);
  });
});

describe("options", () => {
  // Found by mutation testing: runs of spaces inside a key are allowed; only the ends must not be blank.
  it("sends an API key with inner runs of spaces unchanged", async () => {
    const { fetch, requests } = observedFetch();
    await createClient({ apiKey: "key  with\t spaces x", fetch }).GET("/fixes");
    expect(onlyRequest(requests).headers.get("key")).toBe("key  with\t spaces x");
  });

  it.each([
    ["baseURL", 'unknown option "baseURL": did you mean "baseUrl"?'],
    ["apikey", 'unknown option "apikey": did you mean "apiKey"?'],
    ["timeout", 'unknown option "timeout": did you mean "timeoutMs"?'],
    ["retries", 'unknown option "retries": did you mean "maxRetries"?'],
    ["token", 'unknown option "token": did you mean "accessToken"?'],
    ["key", 'unknown option "key": did you mean "apiKey"?'],
    ["ms", 'unknown option "ms"; the options are apiKey, accessToken, baseUrl, fetch, headers, maxRetries, timeoutMs, sleep, random, allowInsecureHttp'],
    [
      "x".repeat(50),
      `unknown option "${"x".repeat(40)}"; the options are apiKey, accessToken, baseUrl, fetch, headers, maxRetries, timeoutMs, sleep, random, allowInsecureHttp`,
    ],
    ["proxy", 'unknown option "proxy"; the options are apiKey, accessToken, baseUrl, fetch, headers, maxRetries, timeoutMs, sleep, random, allowInsecureHttp'],
  ])("refuses the unknown option %s, naming the nearest", (name, message) => {
    expect(() => createClient({ apiKey: API_KEY, [name]: "x" } as never)).toThrow(new ClientOptionsError(message));
  });

  it("rejects an API key and an access token together", () => {
    expect(() => createClient({ apiKey: API_KEY, accessToken: TOKEN })).toThrow(new ClientOptionsError("give either apiKey or accessToken, not both"));
  });

  it.each([
    ["an empty API key", { apiKey: "" }, "apiKey is empty"],
    ["an API key with a line break", { apiKey: "abc\nkey: x" }, "apiKey holds a line break at position 4: copy it again"],
    ["an empty access token", { accessToken: "" }, "accessToken is empty"],
    ["a relative base URL", { baseUrl: "/v1" }, "baseUrl is not an absolute URL: give one such as https://api.makeprintable.com/v1"],
    [
      "a base URL with credentials",
      { baseUrl: "https://user:pw@example.com" },
      "baseUrl holds a user name or password (https://example.com): leave them out; the credential goes in MAKEPRINTABLE_API_KEY or a login",
    ],
    ["a non-http base URL", { baseUrl: "ftp://example.com" }, "baseUrl must be an http(s) URL such as https://api.makeprintable.com/v1, not ftp:"],
  ])("rejects %s", (_name, options, message) => {
    let thrown: unknown;
    try {
      createClient(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClientOptionsError);
    expect(thrown).toBeInstanceOf(MakeprintableError);
    expect((thrown as ClientOptionsError).code).toBe("MKP_INVALID_OPTIONS");
    expect((thrown as Error).message).toContain(message);
  });

  it("never echoes a rejected API key", () => {
    const secret = "s3cret-key\u0000";
    let thrown: unknown;
    try {
      createClient({ apiKey: secret });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClientOptionsError);
    expect(`${String(thrown)} ${JSON.stringify(thrown)} ${inspect(thrown)}`).not.toContain("s3cret");
  });

  it("does not expose the API key on the client object", () => {
    const client = createClient({ apiKey: API_KEY });
    expect(inspect(client, { depth: 5 })).not.toContain(API_KEY);
    expect(JSON.stringify(client) ?? "").not.toContain(API_KEY);
  });

  it("sends default headers with every request", async () => {
    const { fetch, requests } = observedFetch();
    await createClient({ fetch, headers: { "x-trace": "abc" } }).GET("/fixes");
    expect(onlyRequest(requests).headers.get("x-trace")).toBe("abc");
  });
});
