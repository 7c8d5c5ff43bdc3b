// What the code exchange sends and to where, what errors and tokens may show, and expiry. Real servers on 127.0.0.1.
import { afterEach, describe, expect, it, vi } from "vitest";
import { inspect } from "node:util";
import { OAuthOptionsError, TokenError } from "../src/errors.js";
import { exchangeCode } from "../src/exchange-code.js";
import { isExpired } from "../src/is-expired.js";
import { json, startRecordingServer } from "@mkp/testing";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handle: Parameters<typeof startRecordingServer>[0]) {
  const s = await startRecordingServer(handle);
  servers.push(s);
  return s;
}
const credentials = { clientId: "demo-app", clientSecret: "s3cr3t/+&= x", redirectUri: "http://127.0.0.1:5000/callback", code: "c0de/+&= y" };

describe("exchangeCode never sends an API key (the token endpoint is not the API)", () => {
  it.each([
    ["without PKCE", undefined],
    ["with PKCE", "v".repeat(43)],
  ])("sends exactly the form fields and no key or authorization header, %s, whatever the environment", async (_name, codeVerifier) => {
    vi.stubEnv("MAKEPRINTABLE_API_KEY", "12345weLove3DPrinting");
    const api = await server((_request, response) => json(response, 200, { access_token: "t", token_type: "Bearer" }));
    vi.stubEnv("MAKEPRINTABLE_BASE_URL", `${api.url}/v1`);
    await exchangeCode({ ...credentials, codeVerifier });
    const [request] = api.requests;
    expect(api.requests).toHaveLength(1);
    expect(request!.url).toBe("/v1/token");
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: "authorization_code",
      client_id: "demo-app",
      client_secret: credentials.clientSecret,
      redirect_uri: credentials.redirectUri,
      code: credentials.code,
      ...(codeVerifier && { code_verifier: codeVerifier }),
    });
    expect(Object.keys(request!.headers).filter((name) => ["key", "authorization", "cookie"].includes(name))).toEqual([]);
  });
});

describe("the base URL from the environment is checked too (it carries the client secret)", () => {
  it.each(["http://api.example.test/v1", "ftp://127.0.0.1/v1", "https://user:pw@api.example.test"])(
    "refuses MAKEPRINTABLE_BASE_URL=%s before sending anything",
    async (baseUrl) => {
      vi.stubEnv("MAKEPRINTABLE_BASE_URL", baseUrl);
      const sent: Request[] = [];
      const error = await exchangeCode({
        ...credentials,
        fetch: async (request) => {
          sent.push(request);
          return Response.json({});
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OAuthOptionsError);
      // The message names the setting the person used, never the option they did not write.
      expect((error as Error).message).toMatch(/^MAKEPRINTABLE_BASE_URL /);
      expect((error as Error).message).not.toContain("user:pw");
      expect(sent).toEqual([]);
    },
  );

  it("takes the option before the environment", async () => {
    vi.stubEnv("MAKEPRINTABLE_BASE_URL", "http://api.example.test/v1");
    const api = await server((_request, response) => json(response, 200, { access_token: "t", token_type: "Bearer" }));
    await expect(exchangeCode({ ...credentials, baseUrl: api.url })).resolves.toMatchObject({ tokenType: "Bearer" });
  });
});

describe("an echoed secret in another encoding", () => {
  const verifier = "Vv~._-".repeat(8);
  it.each([
    ["percent-encoded", encodeURIComponent],
    ["form-encoded", (text: string) => new URLSearchParams({ s: text }).toString().slice(2)],
    ["lower-cased and percent-encoded", (text: string) => encodeURIComponent(text).toLowerCase()],
  ])("redacts the client secret, code and verifier echoed %s", async (_form, encode) => {
    const api = await server((_request, response) =>
      json(response, 400, {
        error: "invalid_request",
        error_description: `got ${encode(credentials.clientSecret)} ${encode(credentials.code)} ${encode(verifier)}`,
        error_uri: `https://x.example/?s=${encode(credentials.clientSecret)}`,
      }),
    );
    const error = (await exchangeCode({ ...credentials, codeVerifier: verifier, baseUrl: api.url }).catch((e: unknown) => e)) as TokenError;
    expect(error).toBeInstanceOf(TokenError);
    expect(error.errorDescription).toBe("got [redacted] [redacted] [redacted]");
    const shown = [error.message, error.errorUri, JSON.stringify(error), inspect(error, { showHidden: true, depth: 9 })].join("\n").toLowerCase();
    for (const secret of [credentials.clientSecret, credentials.code, verifier]) expect(shown).not.toContain(encode(secret).toLowerCase());
  });
});

describe("advice that fits the error", () => {
  it.each([
    ["redirect_uri does not equal the one used at the authorize step.", "pass exchangeCode the exact redirectUri given to buildAuthorizationUrl"],
    ["code_verifier does not match the code_challenge.", "pass exchangeCode the codeVerifier that buildAuthorizationUrl returned for this login"],
    ["The authorization code has expired.", "a code is single use and lives 3 minutes: start the login again"],
  ])("invalid_grant %j → %s", async (description, advice) => {
    const api = await server((_request, response) => json(response, 400, { error: "invalid_grant", error_description: description }));
    await expect(exchangeCode({ ...credentials, baseUrl: api.url })).rejects.toThrow(
      `the token endpoint (HTTP 400) answered invalid_grant: ${description} (${advice})`,
    );
  });
});

describe("isExpired, which must not call an unreadable date fresh", () => {
  it("counts a token whose expiry is not a valid date as expired", () => {
    expect(isExpired({ expiresAt: new Date(Number.NaN) })).toBe(true);
    expect(isExpired({ expiresAt: new Date(Date.now() + 3_600_000) })).toBe(false);
    expect(isExpired({})).toBe(false);
  });
});
