import fc from "fast-check";
import { shownForms as views } from "@mkp/testing";
import { describe, expect, it } from "vitest";
import { OAuthError } from "../src/errors.js";
import { exchangeCode } from "../src/exchange-code.js";
import { buildAuthorizationUrl } from "../src/build-authorization-url.js";
import { parseCallback } from "../src/parse-callback.js";

// Secrets long enough that finding one by chance in fixed message text is impossible.
const secret = fc.string({ minLength: 12, maxLength: 40, unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-._~") });

// What a hostile or broken token endpoint might send back, echoing what it received.
const responses = (form: URLSearchParams, accessToken: string, refreshToken: string): Response[] => {
  const all = [...form.values()].join(" ");
  return [
    Response.json({ access_token: accessToken, token_type: "Bearer", refresh_token: refreshToken, expires_in: 60 }),
    Response.json({ error: "invalid_grant", error_description: `bad: ${all}`, error_uri: `https://x.test/?${form}` }, { status: 400 }),
    Response.json({ error: all }, { status: 401 }),
    new Response(`<html>${all}</html>`, { status: 502, headers: { "content-type": "text/html" } }),
    Response.json({ access_token: accessToken, token_type: "Bearer", expires_in: accessToken }),
    Response.json({ access_token: accessToken, token_type: refreshToken }),
    Response.json({ access_token: accessToken, token_type: "Bearer", scope: [form.get("code")] }),
  ];
};

describe("secrets never show in messages, toString, JSON or inspect", () => {
  it("for every outcome of exchangeCode (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(secret, secret, secret, secret, secret, fc.nat(6), async (clientSecret, code, codeVerifier, accessToken, refreshToken, which) => {
        const outcome = await exchangeCode({
          clientId: "demo-app",
          clientSecret,
          redirectUri: "http://127.0.0.1/callback",
          code,
          codeVerifier,
          fetch: async (request) => responses(new URLSearchParams(await request.text()), accessToken, refreshToken)[which]!,
        }).catch((error: unknown) => error);
        // Still readable the documented way.
        if (which === 0) expect(outcome).toMatchObject({ accessToken, refreshToken });
        else expect(outcome).toBeInstanceOf(OAuthError);
        for (const shown of views(outcome)) {
          for (const value of [clientSecret, code, codeVerifier, accessToken, refreshToken]) expect(shown).not.toContain(value);
        }
      }),
    );
  });

  it("for the authorization request and the parsed callback (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(secret, async (code) => {
        const request = await buildAuthorizationUrl({ clientId: "demo-app", redirectUri: "http://127.0.0.1/callback", pkce: true });
        const callback = parseCallback(`?code=${code}&state=${request.state}`, { expectedState: request.state });
        expect(callback.code).toBe(code);
        expect(request.codeVerifier).toMatch(/^[\w-]{43}$/);
        for (const shown of [...views(request), ...views(callback)]) {
          expect(shown).not.toContain(request.codeVerifier);
          expect(shown).not.toContain(code);
        }
      }),
    );
  });
});
