import { afterEach, describe, expect, it } from "vitest";
import { AccessDeniedError, InvalidTokenResponseError, TokenError } from "../src/errors.js";
import { buildAuthorizationUrl, exchangeCode, parseCallback } from "../src/index.js";
import { loopbackLogin } from "../src/node/index.js";
import { actAsUser } from "./helpers.js";
import { startOidcProvider } from "./oidc-provider.js";

// Interoperability with an OAuth 2.0 server we did not write: panva's oidc-provider, driven over
// real HTTP on 127.0.0.1 with response_type=code, its own login and consent pages, and its own
// token endpoint checks (single-use codes, PKCE, redirect_uri binding, client authentication).
const app = { clientId: "interop-app", clientSecret: "interop-secret-0a1b2c3d4e5f", redirectUris: ["http://127.0.0.1/callback"] };
const redirectUri = "http://127.0.0.1:6123/callback"; // a loopback redirect: any port matches (RFC 8252 §7.3)
const user = { fill: { login: "alice", password: "anything" } };

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

async function provider(rewrite?: Parameters<typeof startOidcProvider>[1]) {
  const op = await startOidcProvider(app, rewrite);
  close = op.close;
  return op;
}

async function authorize(op: Awaited<ReturnType<typeof provider>>, pkce = true) {
  const request = await buildAuthorizationUrl({
    clientId: app.clientId,
    redirectUri,
    responseType: "code",
    scopes: ["fix"],
    pkce,
    authorizeUrl: op.authorizeUrl,
  });
  const callback = await actAsUser(request.url, redirectUri, user);
  const { code } = parseCallback(callback, { expectedState: request.state });
  return { code, codeVerifier: request.codeVerifier };
}

const exchange = (op: { baseUrl: string }, code: string, extra: object = {}) =>
  exchangeCode({ clientId: app.clientId, clientSecret: app.clientSecret, redirectUri, code, baseUrl: op.baseUrl, now: () => 5_000_000, ...extra });

describe("against oidc-provider", () => {
  it("completes the flow with PKCE: authorize page, login, consent, callback, token", async () => {
    const op = await provider();
    const { code, codeVerifier } = await authorize(op);
    const token = await exchange(op, code, { codeVerifier });
    expect(token.accessToken).toMatch(/^[\w-]{20,}$/);
    expect({ ...token }).toEqual({ tokenType: "Bearer", scopes: ["fix"], expiresAt: new Date(5_000_000 + 3_600_000), receivedAt: new Date(5_000_000) });
  });

  it("gets invalid_grant, with our explanation, when a code is replayed", async () => {
    const op = await provider();
    const { code, codeVerifier } = await authorize(op);
    await exchange(op, code, { codeVerifier });
    const error = await exchange(op, code, { codeVerifier }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ error: "invalid_grant", status: 400 });
    expect((error as Error).message).toMatch(
      /^the token endpoint \(HTTP 400\) answered invalid_grant: .*\(a code is single use and lives 3 minutes: start the login again\)$/,
    );
  });

  it.each([
    ["a wrong PKCE verifier", { codeVerifier: "x".repeat(43) }, "invalid_grant", 400],
    ["a different redirect_uri", { redirectUri: "http://127.0.0.1:6124/callback" }, "invalid_grant", 400],
    ["a wrong client secret", { clientSecret: "not-the-secret" }, "invalid_client", 401],
  ])("is refused for %s", async (_, override, error, status) => {
    const op = await provider();
    const { code, codeVerifier } = await authorize(op);
    const failure = await exchange(op, code, { codeVerifier, ...override }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TokenError);
    expect(failure).toMatchObject({ error, status });
    expect(String(failure)).not.toContain(code);
  });

  it("reports the user's refusal as AccessDeniedError", async () => {
    const op = await provider();
    const request = await buildAuthorizationUrl({ clientId: app.clientId, redirectUri, responseType: "code", authorizeUrl: op.authorizeUrl });
    // The development login page's "Cancel" link: /interaction/<uid>/abort.
    const callback = await actAsUser(request.url, redirectUri, {
      visit: (url) => (url.pathname.startsWith("/interaction/") ? new URL(`${url.pathname}/abort`, url) : url),
    });
    expect(() => parseCallback(callback, { expectedState: request.state })).toThrow(AccessDeniedError);
  });

  it("tolerates token_type bearer, a numeric-string expires_in and extra fields", async () => {
    const op = await provider((body) => ({ ...body, token_type: "bearer", expires_in: String(body.expires_in), id_token: "ignored", "x-extra": { a: 1 } }));
    const { code, codeVerifier } = await authorize(op);
    const token = await exchange(op, code, { codeVerifier });
    expect(token.tokenType).toBe("Bearer");
    expect(token.expiresAt).toEqual(new Date(5_000_000 + 3_600_000));
  });

  it.each([
    ["a non-numeric expires_in", { expires_in: "one hour" }, "the token response's expires_in is not a number of seconds"],
    ["an empty access_token", { access_token: "" }, "the token response's access_token is missing or empty"],
  ])("rejects %s with a clear message", async (_, change, message) => {
    const op = await provider((body) => ({ ...body, ...change }));
    const { code, codeVerifier } = await authorize(op);
    const error = await exchange(op, code, { codeVerifier }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({ message, status: 200 });
  });

  it("logs in through loopbackLogin, driven by a real HTTP client", async () => {
    const op = await provider();
    let shown = "";
    const pending = loopbackLogin({
      ...app,
      scopes: ["fix"],
      responseType: "code",
      authorizeUrl: op.authorizeUrl,
      baseUrl: op.baseUrl,
      onAuthorizeUrl: (url) => (shown = url),
    });
    while (!shown) await new Promise((resolve) => setTimeout(resolve, 5));
    const loopback = new URL(shown).searchParams.get("redirect_uri")!;
    expect(loopback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const callback = await actAsUser(shown, loopback, user); // stops at the redirect to the loopback listener
    const page = await fetch(callback);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You are logged in to Makeprintable. You can close this tab.");
    const token = await pending;
    expect(token.scopes).toEqual(["fix"]);
    expect(token.accessToken).toMatch(/^[\w-]{20,}$/);
    // The listener is gone once the login is over.
    await expect(fetch(loopback)).rejects.toThrow();
  });
});
