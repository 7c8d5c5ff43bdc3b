// What the client does to each request, by the spec's facts about the operation: credentials,
// body encoding, option checks. Many of these were found by mutation testing (README, "Mutation
// testing"): each fails against the mutant it was written for.
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccessTokenError, ClientOptionsError, createClient, SERVER_URL } from "../src/index.js";
import { API_KEY, observedFetch, onlyRequest, TOKEN_REQUEST } from "./helpers.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The ClientOptionsError (or other error) createClient throws for these options. */
function rejection(options: Parameters<typeof createClient>[0]): Error {
  try {
    createClient(options);
  } catch (error) {
    return error as Error;
  }
  throw new Error("createClient accepted the options");
}

describe("a token function and the public token endpoint", () => {
  it("neither calls the token function nor sends a bearer token on POST /token", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    const provider = vi.fn(() => "sec_3dFix");
    await createClient({ accessToken: provider, fetch }).POST("/token", { body: TOKEN_REQUEST });
    expect(provider).not.toHaveBeenCalled();
    expect(onlyRequest(requests).headers.get("authorization")).toBeNull();
  });

  it("drops a fixed bearer token from POST /token too", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    await createClient({ accessToken: "sec_3dFix", fetch }).POST("/token", { body: TOKEN_REQUEST });
    expect(onlyRequest(requests).headers.get("authorization")).toBeNull();
  });

  it("applies the spec's facts to client.request with a lower-case method as well", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    const client = createClient({ apiKey: API_KEY, fetch });
    await client.request("post", "/token", { body: TOKEN_REQUEST });
    const request = onlyRequest(requests);
    expect(request.headers.get("key")).toBeNull();
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual(TOKEN_REQUEST);
  });

  it("wraps the token function's failure, keeping it as the cause", async () => {
    const { fetch, requests } = observedFetch();
    const broken = new Error("token store offline");
    const failure = await createClient({ accessToken: () => Promise.reject(broken), fetch })
      .GET("/items")
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AccessTokenError);
    expect(failure).toMatchObject({ code: "MKP_INVALID_ACCESS_TOKEN", message: `the accessToken function failed: ${broken.message}`, cause: broken });
    expect(requests).toHaveLength(0);
  });

  it.each([
    ["a number", 42, "the token the accessToken function returned is not a string (number)"],
    ["an empty string", "", "the token the accessToken function returned is empty"],
  ])("rejects a token function that returns %s", async (_name, token, message) => {
    const { fetch, requests } = observedFetch();
    const failure = await createClient({ accessToken: () => token as string, fetch })
      .GET("/items")
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AccessTokenError);
    expect(failure).toMatchObject({ message });
    expect(requests).toHaveLength(0);
  });
});

describe("request bodies", () => {
  it("sends a FormData body as it is", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    const form = new FormData();
    form.append("fileurl", "https://example.com/a.stl");
    await createClient({ apiKey: API_KEY, fetch }).POST("/items", { body: form as never });
    const request = onlyRequest(requests);
    expect(request.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    expect(Object.fromEntries(await request.formData())).toEqual({ fileurl: "https://example.com/a.stl" });
  });

  it("leaves null fields out of a multipart body with a file", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    const body = { file: new File(["v 0 0 0\n"], "cube.obj"), fileurl: null } as never;
    await createClient({ apiKey: API_KEY, fetch }).POST("/items", { body });
    const form = await onlyRequest(requests).formData();
    expect([...form.keys()]).toEqual(["file"]);
    expect((form.get("file") as File).name).toBe("cube.obj");
  });

  it("sends JSON to an operation the spec gives no form type (through client.request)", async () => {
    const { fetch, requests } = observedFetch(() => Response.json({}));
    await createClient({ apiKey: API_KEY, fetch }).request("put", "/items/{id}" as never, { params: { path: { id: 1 } }, body: { name: "x" } } as never);
    const request = onlyRequest(requests);
    expect(request.method).toBe("PUT");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("key")).toBe(API_KEY);
    expect(await request.json()).toEqual({ name: "x" });
  });
});

describe("openapi-fetch middleware still works", () => {
  it("accepts a Request returned by a middleware", async () => {
    const { fetch, requests } = observedFetch(() => Response.json([]));
    const client = createClient({ apiKey: API_KEY, fetch });
    client.use({ onRequest: ({ request }) => new Request(request, { headers: { ...Object.fromEntries(request.headers), "x-trace": "t1" } }) });
    const { data } = await client.GET("/items");
    expect(data).toEqual([]);
    const request = onlyRequest(requests);
    expect(request.headers.get("x-trace")).toBe("t1");
    expect(request.headers.get("key")).toBe(API_KEY);
  });
});

describe("option checks", () => {
  it.each([
    ["a leading space", " key", "apiKey has a space at its start: remove it"],
    ["a trailing space", "key ", "apiKey has a space at its end: remove it"],
    ["a line break", "ke\ny", "apiKey holds a line break at position 3: copy it again"],
    ["a DEL character", "ke\u007fy", "apiKey holds an invisible character at position 3: copy it again"],
    ["only a tab", "\t", "apiKey has a tab at its start: remove it"],
  ])("rejects an API key with %s, saying what is wrong without echoing it", (_name, apiKey, message) => {
    const error = rejection({ apiKey });
    expect(error).toBeInstanceOf(ClientOptionsError);
    expect(error.message).toBe(message);
  });

  it.each(["a", "~!", "a b", "a\tb", "a  \t b"])("accepts the API key %j and sends it as it is", async (apiKey) => {
    const { fetch, requests } = observedFetch();
    await createClient({ apiKey, fetch }).GET("/items");
    expect(onlyRequest(requests).headers.get("key")).toBe(apiKey);
  });

  it("rejects an API key that is not a string", () => {
    expect(rejection({ apiKey: 12345 as never })).toMatchObject({
      code: "MKP_INVALID_OPTIONS",
      message: "apiKey is not a string (number)",
    });
  });

  it("checks a fixed access token when the client is created", () => {
    const error = rejection({ accessToken: "tok\r\nx-injected: 1" });
    expect(error).toBeInstanceOf(ClientOptionsError);
    expect(error.message).toBe("accessToken holds a line break at position 4: copy it again");
    expect(inspect(error)).not.toContain("injected");
    expect(rejection({ accessToken: 42 as never }).message).toBe("accessToken is not a string (number)");
  });

  it.each([
    ["a record", { "X-Trace": "t1", "x-app": "demo" }],
    ["a Headers object", new Headers({ "X-Trace": "t1", "x-app": "demo" })],
    [
      "name-value pairs",
      [
        ["X-Trace", "t1"],
        ["x-app", "demo"],
      ] as [string, string][],
    ],
  ])("sends default headers given as %s with every request, next to the credential", async (_name, headers) => {
    const { fetch, requests } = observedFetch();
    await createClient({ apiKey: API_KEY, fetch, headers }).GET("/items");
    const request = onlyRequest(requests);
    expect([...request.headers]).toEqual([
      ["key", API_KEY],
      ["x-app", "demo"],
      ["x-trace", "t1"],
    ]);
  });

  it("rejects an unusable default header without echoing it", () => {
    for (const headers of [{ "x-app": "s3cr3t\nVALUE-77" }, { "bad name s3cr3t": "VALUE-77" }]) {
      const error = rejection({ apiKey: API_KEY, headers });
      expect(error).toBeInstanceOf(ClientOptionsError);
      expect(error.message).toBe("headers must be valid HTTP header names and values");
      expect(inspect(error)).not.toMatch(/s3cr3t|VALUE-77/);
    }
  });

  it.each([
    ["a scheme ending in http", "xhttp://example.com", "baseUrl must be an http(s) URL such as https://api.makeprintable.com/v1, not xhttp:"],
    [
      "a user name only",
      "https://user@example.com",
      "baseUrl holds a user name or password (https://example.com): leave them out; the credential goes in MAKEPRINTABLE_API_KEY or a login",
    ],
    [
      "a password only",
      "https://:pw@example.com",
      "baseUrl holds a user name or password (https://example.com): leave them out; the credential goes in MAKEPRINTABLE_API_KEY or a login",
    ],
  ])("rejects a base URL with %s", (_name, baseUrl, message) => {
    const error = rejection({ baseUrl });
    expect(error).toBeInstanceOf(ClientOptionsError);
    expect(error.message).toBe(message);
  });

  // (openapi-fetch drops one trailing slash itself.)
  it("drops every trailing slash of the base URL", async () => {
    const { fetch, requests } = observedFetch();
    await createClient({ fetch, baseUrl: "http://127.0.0.1:9/v1///" }).GET("/items");
    expect(onlyRequest(requests).url).toBe("http://127.0.0.1:9/v1/items");
  });

  it("treats empty environment variables as unset", async () => {
    vi.stubEnv("MAKEPRINTABLE_API_KEY", "");
    vi.stubEnv("MAKEPRINTABLE_BASE_URL", "");
    const { fetch, requests } = observedFetch();
    await createClient({ fetch }).GET("/items");
    const request = onlyRequest(requests);
    expect(request.url).toBe(`${SERVER_URL}/items`);
    expect(request.headers.get("key")).toBeNull();
  });

  it.each([[{ timeoutMs: 1 }], [{ timeoutMs: 2 ** 31 - 1 }], [{ maxRetries: 0 }], [{ maxRetries: 2 ** 31 - 1 }]])("accepts the limits %o", (options) => {
    expect(() => createClient({ apiKey: API_KEY, ...options })).not.toThrow();
  });
});
