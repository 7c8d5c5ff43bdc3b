import { createClient, AUTHORIZATION_CODE_LIFETIME_SECONDS } from "@mkp/client";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { AccessDeniedError, StateMismatchError, TokenError } from "../src/errors.js";
import { buildAuthorizationUrl, exchangeCode, isExpired, parseCallback, tokenProvider } from "../src/index.js";
import { loopbackLogin } from "../src/node/index.js";
import { actAsUser } from "./helpers.js";

// The whole flow over loopback against @mkp/mock-server: its real consent page (Allow / Deny,
// protected against cross-site posts), its token endpoint and its protected API.
let server: MockServer | undefined;
afterEach(async () => {
  if (server) expect(server.specViolations).toEqual([]);
  await server?.close();
  server = undefined;
});

let clock = 1_800_000_000_000;
const now = () => clock;
async function sandbox() {
  server = await startMockServer({ now, strict: true });
  return server;
}

const redirectUri = "http://127.0.0.1:7001/callback"; // the demo app's loopback redirect, on any port

async function authorize(s: MockServer, options: { pkce?: boolean; decision?: "allow" | "deny"; redirectUri?: string } = {}) {
  const request = await buildAuthorizationUrl({
    clientId: s.demo.clientId,
    redirectUri: options.redirectUri ?? redirectUri,
    scopes: ["add_file", "fix"],
    pkce: options.pkce ?? false,
    authorizeUrl: s.authorizeUrl,
  });
  const callback = await actAsUser(request.url, options.redirectUri ?? redirectUri, { decision: options.decision ?? "allow" });
  return { request, callback };
}

const exchange = (s: MockServer, code: string, extra: object = {}) =>
  exchangeCode({ clientId: s.demo.clientId, clientSecret: s.demo.clientSecret, redirectUri, code, baseUrl: s.apiUrl, now, ...extra });

describe("against @mkp/mock-server", () => {
  it("runs the full flow: consent page, callback, token, then an API call as the user", async () => {
    const s = await sandbox();
    const { request, callback } = await authorize(s);
    expect(callback.searchParams.get("state")).toBe(request.state);
    const { code } = parseCallback(callback, { expectedState: request.state });
    const token = await exchange(s, code);
    expect(token.tokenType).toBe("Bearer");
    expect(token.receivedAt).toEqual(new Date(clock));
    const client = createClient({ baseUrl: s.apiUrl, accessToken: tokenProvider(token, { now }) });
    const { response } = await client.GET("/items");
    expect(response.status).toBe(200);
  });

  it("with PKCE: the right verifier works, a wrong or missing one is invalid_grant", async () => {
    const s = await sandbox();
    for (const [verifier, ok] of [
      ["right", true],
      ["x".repeat(43), false],
      [undefined, false],
    ] as const) {
      // A wrong verifier is invalid_grant (RFC 7636 §4.6); a missing one may also be invalid_request.
      const { request, callback } = await authorize(s, { pkce: true });
      const { code } = parseCallback(callback, { expectedState: request.state });
      const outcome = await exchange(s, code, { codeVerifier: verifier === "right" ? request.codeVerifier : verifier }).catch((e: unknown) => e);
      if (ok) expect(outcome).toMatchObject({ tokenType: "Bearer" });
      else
        expect(outcome).toMatchObject({
          name: "TokenError",
          error: verifier ? "invalid_grant" : expect.stringMatching(/^invalid_(grant|request)$/),
          status: 400,
        });
    }
  });

  it("reports Deny as AccessDeniedError", async () => {
    const s = await sandbox();
    const { request, callback } = await authorize(s, { decision: "deny" });
    let error: unknown;
    try {
      parseCallback(callback, { expectedState: request.state });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({ error: "access_denied" });
  });

  it("refuses a callback whose state was swapped", async () => {
    const s = await sandbox();
    const first = await authorize(s);
    const second = await authorize(s);
    // The attacker's callback (second login) delivered to the victim's session (first login).
    expect(() => parseCallback(second.callback, { expectedState: first.request.state })).toThrow(StateMismatchError);
  });

  it("gets invalid_grant on replay, explains it, and the replay revokes the first token", async () => {
    const s = await sandbox();
    const { request, callback } = await authorize(s);
    const { code } = parseCallback(callback, { expectedState: request.state });
    const token = await exchange(s, code);
    const replay = await exchange(s, code).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(TokenError);
    expect((replay as Error).message).toBe(
      "the token endpoint (HTTP 400) answered invalid_grant: The authorization code was already used; the tokens issued from it are revoked. (a code is single use and lives 3 minutes: start the login again)",
    );
    const { response } = await createClient({ baseUrl: s.apiUrl, accessToken: tokenProvider(token, { now }) }).GET("/items");
    expect(response.status).toBe(401);
  });

  it("expires codes after 3 minutes and tokens on the injected clock", async () => {
    const s = await sandbox();
    const { request, callback } = await authorize(s);
    const { code } = parseCallback(callback, { expectedState: request.state });
    clock += AUTHORIZATION_CODE_LIFETIME_SECONDS * 1000;
    expect(await exchange(s, code).catch((e: unknown) => e)).toMatchObject({ error: "invalid_grant", errorDescription: "The authorization code has expired." });

    const fresh = await authorize(s);
    const token = await exchange(s, parseCallback(fresh.callback, { expectedState: fresh.request.state }).code);
    expect(token.expiresAt).toBeInstanceOf(Date);
    expect(isExpired(token, { now })).toBe(false);
    clock = token.expiresAt!.getTime();
    expect(isExpired(token, { now })).toBe(true);
    const client = createClient({ baseUrl: s.apiUrl, accessToken: tokenProvider(token, { now }) });
    expect(await client.GET("/items").catch((e: unknown) => (e as Error).cause)).toMatchObject({ code: "MKP_OAUTH_TOKEN_EXPIRED" });
  });

  it("a redirect URI that is not registered gets an error page, never a redirect; a different one at /token is invalid_grant", async () => {
    const s = await sandbox();
    const request = await buildAuthorizationUrl({ clientId: s.demo.clientId, redirectUri: "https://evil.example/callback", authorizeUrl: s.authorizeUrl });
    const page = await fetch(request.url, { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();

    const { request: ok, callback } = await authorize(s);
    const { code } = parseCallback(callback, { expectedState: ok.state });
    const error = await exchange(s, code, { redirectUri: "http://127.0.0.1:7002/callback" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ error: "invalid_grant", status: 400 });
  });

  it("loopbackLogin, driven by a real HTTP client through the consent page, with the browser flag off", async () => {
    const s = await sandbox();
    let shown = "";
    const pending = loopbackLogin({
      clientId: s.demo.clientId,
      clientSecret: s.demo.clientSecret,
      scopes: ["fix"],
      authorizeUrl: s.authorizeUrl,
      baseUrl: s.apiUrl,
      openBrowser: false,
      onAuthorizeUrl: (url) => (shown = url),
    });
    while (!shown) await new Promise((resolve) => setTimeout(resolve, 5));
    const loopback = new URL(shown).searchParams.get("redirect_uri")!;
    const callback = await actAsUser(shown, loopback, { decision: "allow" });
    expect(callback.searchParams.has("code")).toBe(true);
    const page = await fetch(callback);
    expect(await page.text()).toContain("You are logged in to Makeprintable.");
    const token = await pending;
    const { response } = await createClient({ baseUrl: s.apiUrl, accessToken: tokenProvider(token) }).GET("/items");
    expect(response.status).toBe(200);
  });
});
