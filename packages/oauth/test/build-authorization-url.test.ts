import { AUTHORIZATION_URL } from "@mkp/client";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { buildAuthorizationUrl } from "../src/build-authorization-url.js";
import { OAuthOptionsError } from "../src/errors.js";

const base = { clientId: "demo-app", redirectUri: "http://127.0.0.1/callback" };

describe("buildAuthorizationUrl", () => {
  it("adds PKCE by default (RFC 9700 §2.1.1)", async () => {
    const { url, codeVerifier } = await buildAuthorizationUrl(base);
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("sends the user to the spec's authorize URL with the page's response_type and a 32-byte state", async () => {
    const { url, state, codeVerifier } = await buildAuthorizationUrl({ ...base, scopes: ["add_file", "fix"], pkce: false });
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(AUTHORIZATION_URL);
    expect(url.startsWith("https://makeprintable.com/authorize?")).toBe(true);
    expect([...parsed.searchParams]).toEqual([
      ["client_id", "demo-app"],
      ["redirect_uri", "http://127.0.0.1/callback"],
      ["response_type", "authorization_code"],
      ["scope", "add_file fix"],
      ["state", state],
    ]);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, unpadded base64url
    expect(codeVerifier).toBeUndefined();
  });

  it("draws a fresh state every time", async () => {
    const states = new Set(await Promise.all(Array.from({ length: 50 }, async () => (await buildAuthorizationUrl(base)).state)));
    expect(states.size).toBe(50);
  });

  it("adds an RFC 7636 S256 challenge whose verifier hashes to it (RFC 7636 Appendix B check)", async () => {
    const { url, codeVerifier } = await buildAuthorizationUrl({ ...base, pkce: true });
    const params = new URL(url).searchParams;
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("code_challenge_method")).toBe("S256");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier));
    expect(params.get("code_challenge")).toBe(Buffer.from(digest).toString("base64url"));
    expect(url).not.toContain(codeVerifier);
  });

  it("keeps the code verifier out of JSON and inspect output, but readable", async () => {
    const request = await buildAuthorizationUrl({ ...base, pkce: true });
    const verifier = request.codeVerifier!;
    expect(JSON.stringify(request)).not.toContain(verifier);
    expect(inspect(request, { showHidden: true, depth: 5 })).not.toContain(verifier);
    expect(inspect(request, { showHidden: true, customInspect: false, depth: 5 })).not.toContain(verifier);
    expect(inspect(request)).toContain("codeVerifier: '[redacted]'");
    expect({ ...request }).not.toHaveProperty("codeVerifier");
  });

  it("takes a given state, response_type code and an authorize URL on loopback, keeping its query", async () => {
    const { url, state } = await buildAuthorizationUrl({
      ...base,
      state: "s-1-0123456789abc",
      responseType: "code",
      authorizeUrl: "http://127.0.0.1:4000/oauth/authorize?tenant=a",
      pkce: false,
    });
    expect(state).toBe("s-1-0123456789abc");
    expect(url).toBe(
      "http://127.0.0.1:4000/oauth/authorize?tenant=a&client_id=demo-app&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&response_type=code&state=s-1-0123456789abc",
    );
  });

  it.each(["http://127.0.0.1:4000/authorize", "http://[::1]:4000/authorize", "http://localhost:4000/authorize"])(
    "takes plain http on loopback: %s",
    async (authorizeUrl) => {
      const { url } = await buildAuthorizationUrl({ ...base, authorizeUrl });
      expect(url.startsWith(`${authorizeUrl}?client_id=demo-app&`)).toBe(true);
    },
  );

  it.each([
    ["plain http off loopback", { authorizeUrl: "http://makeprintable.com/authorize" }, "authorizeUrl must be https (http only on loopback), got http:"],
    ["a relative authorize URL", { authorizeUrl: "/authorize" }, "authorizeUrl is not an absolute URL"],
    ["user info", { authorizeUrl: "https://u:p@makeprintable.com/authorize" }, "authorizeUrl has user info or a fragment"],
    ["a user name alone", { authorizeUrl: "https://u@makeprintable.com/authorize" }, "authorizeUrl has user info or a fragment"],
    ["a password alone", { authorizeUrl: "https://:p@makeprintable.com/authorize" }, "authorizeUrl has user info or a fragment"],
    ["a fragment", { authorizeUrl: "https://makeprintable.com/authorize#top" }, "authorizeUrl has user info or a fragment"],
    [
      "plain http on a look-alike of loopback",
      { authorizeUrl: "http://127.0.0.1.example/authorize" },
      "authorizeUrl must be https (http only on loopback), got http:",
    ],
    ["an empty client id", { clientId: "" }, "clientId must be a non-empty string"],
    ["no redirect URI", { redirectUri: undefined }, "redirectUri must be a non-empty string"],
    ["an empty state", { state: "" }, "state must be a non-empty string"],
    ["a scope with a space", { scopes: ["fix add_file"] }, 'unknown scope "fix add_file": the scopes are add_file, fix'],
    ["a misspelt scope", { scopes: ["fixx"] }, 'unknown scope "fixx": the scopes are add_file, fix'],
    ["a long unknown scope, quoted only in part", { scopes: ["x".repeat(100)] }, `unknown scope "${"x".repeat(40)}": the scopes are add_file, fix`],
    [
      "a state one character short",
      { state: "s".repeat(15) },
      "state must be at least 16 characters of unguessable randomness: leave it out to get 32 random bytes",
    ],
    ["a state short enough to guess", { state: "1" }, "state must be at least 16 characters of unguessable randomness: leave it out to get 32 random bytes"],
    ["a relative redirect URI", { redirectUri: "/callback" }, "redirectUri must be an absolute URL without a fragment, such as https://app.example/callback"],
    [
      "a redirect URI with a fragment",
      { redirectUri: "https://app.example/cb#x" },
      "redirectUri must be an absolute URL without a fragment, such as https://app.example/callback",
    ],
  ])("rejects %s", async (_, override, message) => {
    const error = await buildAuthorizationUrl({ ...base, ...override } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthOptionsError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_INVALID_OPTIONS", message });
  });

  it("accepts a state of exactly 16 characters", async () => {
    const { url, state } = await buildAuthorizationUrl({ ...base, state: "s".repeat(16) });
    expect(state).toBe("s".repeat(16));
    expect(new URL(url).searchParams.get("state")).toBe("s".repeat(16));
  });
});
