import { describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { isLoopbackHost, mayCarryCredential } from "../src/internal/index.js";

describe("the transport rule (@mkp/client/internal)", () => {
  it.each([
    ["http://localhost:4010/v1", true],
    ["http://LOCALHOST/v1", true],
    ["http://127.0.0.1/v1", true],
    ["http://127.0.0.2:8080/v1", true],
    ["http://127.1/v1", true],
    ["http://[::1]:4010/v1", true],
    ["http://128.0.0.1/v1", false],
    ["http://127.0.0.1.example.test/v1", false],
    ["http://localhost.example.test/v1", false],
    ["http://[::2]/v1", false],
    ["http://api.example.test/v1", false],
  ])("%s is loopback: %s", (url, loopback) => {
    expect(isLoopbackHost(new URL(url).hostname)).toBe(loopback);
    expect(mayCarryCredential(new URL(url))).toBe(loopback);
  });

  it("lets a credential travel over https anywhere, over http off loopback only when allowed, and never over other schemes", () => {
    expect(mayCarryCredential(new URL("https://api.example.test/v1"))).toBe(true);
    expect(mayCarryCredential(new URL("http://api.example.test/v1"), true)).toBe(true);
    expect(mayCarryCredential(new URL("ftp://127.0.0.1/v1"), true)).toBe(false);
    expect(mayCarryCredential(new URL("file:///etc/passwd"))).toBe(false);
  });

  it("is what createClient applies to its base URL (127.0.0.2 included)", () => {
    expect(() => createClient({ apiKey: "k", baseUrl: "http://127.0.0.2:4010/v1" })).not.toThrow();
    expect(() => createClient({ apiKey: "k", baseUrl: "http://10.0.0.2:4010/v1" })).toThrow(/plain http/);
  });
});
