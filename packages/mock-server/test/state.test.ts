import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
// The in-memory state directly: what it forgets cannot be seen over HTTP (the handlers re-check
// every expiry), only in the memory a long-running sandbox keeps.
import { digest, OAuthState, sameDigest, type AuthorizationCode, type PendingConsent } from "../src/state.js";

const NOW = Date.UTC(2026, 0, 1);

function consent(expiresAt: number): PendingConsent {
  return {
    clientId: "demo-app",
    redirectUri: "http://127.0.0.1/callback",
    state: undefined,
    scopes: [],
    codeChallenge: undefined,
    bindingDigest: digest("b"),
    expiresAt,
  };
}

function code(retainUntil: number): AuthorizationCode {
  return {
    clientId: "demo-app",
    redirectUri: "http://127.0.0.1/callback",
    scopes: [],
    codeChallenge: undefined,
    userId: 8,
    expiresAt: retainUntil - 600_000,
    used: false,
    retainUntil,
    tokens: [],
  };
}

describe("OAuthState.sweep drops what can no longer be used, and nothing else", () => {
  test("consents, codes and tokens that end exactly now are dropped; those ending later are kept", () => {
    const state = new OAuthState([], [], 8);
    state.consents.set("consent-ended", consent(NOW));
    state.consents.set("consent-open", consent(NOW + 1));
    state.codes.set("code-ended", code(NOW));
    state.codes.set("code-kept", code(NOW + 1));
    state.tokens.set("token-ended", { userId: 8, clientId: "demo-app", scopes: [], expiresAt: NOW, revoked: false });
    state.tokens.set("token-live", { userId: 8, clientId: "demo-app", scopes: [], expiresAt: NOW + 1, revoked: false });
    state.tokens.set("token-revoked", { userId: 8, clientId: "demo-app", scopes: [], expiresAt: NOW + 3_600_000, revoked: true });
    state.sweep(NOW);
    expect([...state.consents.keys()]).toEqual(["consent-open"]);
    expect([...state.codes.keys()]).toEqual(["code-kept"]);
    expect([...state.tokens.keys()]).toEqual(["token-live"]);
  });
});

describe("digests", () => {
  test("digest is SHA-256 of the UTF-8 text", () => {
    expect(digest("sécret").toString("hex")).toBe(createHash("sha256").update(Buffer.from("sécret", "utf8")).digest("hex"));
    expect(digest("").toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("sameDigest compares equal digests as equal and never throws on a length mismatch", () => {
    expect(sameDigest(digest("a"), digest("a"))).toBe(true);
    expect(sameDigest(digest("a"), digest("b"))).toBe(false);
    expect(sameDigest(digest("a"), digest("a").subarray(0, 31))).toBe(false);
  });
});
