import { afterEach, describe, expect, it, vi } from "vitest";
import { ClientOptionsError, createClient } from "../src/index.js";
import { displayUrl, headerValueProblem, resolveBaseUrl } from "../src/internal/index.js";
import { API_KEY, observedFetch } from "./helpers.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** What `run` throws (it must throw). */
function thrownBy(run: () => unknown): ClientOptionsError {
  try {
    run();
  } catch (error) {
    return error as ClientOptionsError;
  }
  throw new Error("nothing was thrown");
}

describe("every message names the setting the person used", () => {
  it("names MAKEPRINTABLE_API_KEY, not apiKey, when the variable has a space at its end", () => {
    vi.stubEnv("MAKEPRINTABLE_API_KEY", "12345weLove3DPrinting ");
    const error = thrownBy(() => createClient());
    expect(error).toEqual(new ClientOptionsError("MAKEPRINTABLE_API_KEY has a space at its end: remove it", { setting: "MAKEPRINTABLE_API_KEY" }));
    expect(error.message).not.toContain("12345");
  });

  it("names apiKey when the option is at fault", () => {
    expect(thrownBy(() => createClient({ apiKey: "12345weLove3DPrinting " })).message).toBe("apiKey has a space at its end: remove it");
  });

  it("names MAKEPRINTABLE_BASE_URL or baseUrl, whichever gave the base URL", () => {
    vi.stubEnv("MAKEPRINTABLE_BASE_URL", "http://10.0.0.2:4010/v1");
    expect(thrownBy(() => createClient({ apiKey: API_KEY })).message).toMatch(/^MAKEPRINTABLE_BASE_URL http:\/\/10\.0\.0\.2:4010 is plain http/);
    expect(thrownBy(() => createClient({ apiKey: API_KEY, baseUrl: "/v1" })).setting).toBe("baseUrl");
  });

  it.each(["https://api.example.test/v1#x", "https://api.example.test/v1#"])(
    "refuses a base URL with a fragment (%s), which paths would land in",
    (baseUrl) => {
      vi.stubEnv("MAKEPRINTABLE_BASE_URL", baseUrl);
      expect(thrownBy(() => createClient({ apiKey: API_KEY })).message).toBe("MAKEPRINTABLE_BASE_URL ends in a fragment (#…): leave it out");
    },
  );

  it("resolves the option, then the variable, then the spec's server", () => {
    expect(resolveBaseUrl({ value: "http://127.0.0.1:1/v1", source: "baseUrl" }, { MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:2/v1" }).source).toBe("baseUrl");
    expect(resolveBaseUrl(undefined, { MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:2/v1" }).source).toBe("MAKEPRINTABLE_BASE_URL");
    expect(resolveBaseUrl(undefined, { MAKEPRINTABLE_BASE_URL: "" })).toEqual({ value: "https://api.makeprintable.com/v1", source: "the spec's server" });
  });
});

describe("displayUrl", () => {
  it.each([
    ["https://user:pw@proxy.example/v1", "https://proxy.example/v1"],
    ["https://user@proxy.example:8443/v1?x=1", "https://proxy.example:8443/v1?x=1"],
    ["http://a:b@c@127.0.0.1/v1", "http://127.0.0.1/v1"],
    ["https://api.makeprintable.com/v1", "https://api.makeprintable.com/v1"],
    ["https://api.example/v1/users/me@example.com", "https://api.example/v1/users/me@example.com"],
    ["not a url", "not a url"],
  ])("prints %s as %s", (value, shown) => {
    expect(displayUrl(value)).toBe(shown);
  });
});

describe("headerValueProblem", () => {
  it.each(["12345weLove3DPrinting", "a b", "a\tb"])("finds nothing wrong with %j", (value) => {
    expect(headerValueProblem(value)).toBeUndefined();
  });
});

describe("per-request options", () => {
  it.each([
    ["timeoutMS", 'unknown per-request option "timeoutMS": did you mean "timeoutMs"?'],
    ["retries", 'unknown per-request option "retries": did you mean "maxRetries"?'],
    [
      "proxy",
      'unknown per-request option "proxy"; the per-request options are maxRetries, timeoutMs, params, body, headers, signal, fetch, parseAs, bodySerializer, querySerializer, pathSerializer, baseUrl, middleware, cache, credentials, integrity, keepalive, method, mode, priority, redirect, referrer, referrerPolicy, window, duplex, dispatcher',
    ],
  ])("refuses %s for JavaScript callers before anything is sent, naming the nearest", async (name, message) => {
    const { fetch, requests } = observedFetch();
    const client = createClient({ apiKey: API_KEY, fetch });
    await expect(client.GET("/items", { [name]: 5 } as never)).rejects.toThrow(new ClientOptionsError(message));
    await expect(client.request("get", "/items", { [name]: 5 } as never)).rejects.toThrow(new ClientOptionsError(message));
    expect(requests).toHaveLength(0);
  });

  it("accepts the client's own and openapi-fetch's", async () => {
    const { fetch, requests } = observedFetch(() => Response.json([]));
    const client = createClient({ apiKey: API_KEY, fetch });
    const { data } = await client.GET("/items", {
      params: { query: { page: 2 } },
      timeoutMs: 1000,
      maxRetries: 0,
      headers: { "x-trace": "1" },
      parseAs: "json",
    });
    expect(data).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});
