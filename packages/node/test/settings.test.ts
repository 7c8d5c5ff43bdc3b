import { AUTHORIZATION_URL, ClientOptionsError, createClient, SERVER_URL } from "@mkp/client";
import { exchangeCode } from "@mkp/oauth";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthorizationDiscoveryError, findCredentials, resolveAuthorizeUrl, resolveBaseUrlSetting, resolveSettings, saveLogin } from "../src/index.js";

const API = "http://127.0.0.1:4010/v1";
let home: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "mkp-settings-"));
  env = { XDG_CONFIG_HOME: join(home, "config") };
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("the base URL", () => {
  it("comes from the flag, then MAKEPRINTABLE_BASE_URL, then the spec's server, saying which", () => {
    const variable = { MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:2/v1" };
    expect(resolveBaseUrlSetting({ value: "http://127.0.0.1:1/v1/", source: "--base-url" }, variable)).toEqual({
      value: "http://127.0.0.1:1/v1",
      source: "--base-url",
    });
    expect(resolveBaseUrlSetting({ value: undefined, source: "--base-url" }, variable)).toEqual({
      value: "http://127.0.0.1:2/v1",
      source: "MAKEPRINTABLE_BASE_URL",
    });
    expect(resolveBaseUrlSetting(undefined, { MAKEPRINTABLE_BASE_URL: "" })).toEqual({ value: SERVER_URL, source: "the spec's server" });
  });

  it.each([
    ["not a URL", "MAKEPRINTABLE_BASE_URL is not an absolute URL: give one such as https://api.makeprintable.com/v1"],
    ["ftp://127.0.0.1/v1", "MAKEPRINTABLE_BASE_URL must be an http(s) URL such as https://api.makeprintable.com/v1, not ftp:"],
    [
      "http://10.0.0.2:4010/v1",
      "MAKEPRINTABLE_BASE_URL http://10.0.0.2:4010 is plain http, so the credential would travel unencrypted: use https, or a loopback address (127.0.0.1, localhost, [::1]) for a local sandbox",
    ],
    [
      "https://user:pw@proxy.example/v1",
      "MAKEPRINTABLE_BASE_URL holds a user name or password (https://proxy.example/v1): leave them out; the credential goes in MAKEPRINTABLE_API_KEY or a login",
    ],
  ])("refuses %s, naming the variable the person set (and never a password)", (value, message) => {
    const thrown = (() => {
      try {
        resolveBaseUrlSetting(undefined, { MAKEPRINTABLE_BASE_URL: value });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toEqual(new ClientOptionsError(message, { setting: "MAKEPRINTABLE_BASE_URL" }));
    expect((thrown as ClientOptionsError).setting).toBe("MAKEPRINTABLE_BASE_URL");
    expect((thrown as Error).message).not.toContain("pw");
  });

  it("names the flag when the flag is at fault", () => {
    expect(() => resolveBaseUrlSetting({ value: "localhost:4010/v1", source: "--base-url" }, {})).toThrow(
      /^--base-url must be an http\(s\) URL .*, not localhost:$/,
    );
  });

  it("takes any 127/8 address as loopback, as createClient and exchangeCode do (127.0.0.2)", async () => {
    expect(resolveBaseUrlSetting(undefined, { MAKEPRINTABLE_BASE_URL: "http://127.0.0.2:4010/v1" }).value).toBe("http://127.0.0.2:4010/v1");
    const settings = await resolveSettings({ env: { ...env, MAKEPRINTABLE_BASE_URL: "http://127.0.0.2:4010/v1", MAKEPRINTABLE_API_KEY: "k" } });
    expect(() => createClient({ ...settings.credential.clientOptions(), baseUrl: settings.baseUrl.value })).not.toThrow();
  });
});

describe("one transport rule through every entry point", () => {
  const code = { clientId: "demo-app", clientSecret: "demo-secret", redirectUri: "http://127.0.0.1/callback", code: "c0de" };
  /** Where each entry point sends its request for `baseUrl`, or its error's class when it refuses. */
  async function outcomes(baseUrl: string) {
    const sent: string[] = [];
    const fetch = async (request: Request) => {
      sent.push(new URL(request.url).origin);
      return Response.json({ access_token: "t", token_type: "Bearer" });
    };
    const settle = (work: () => Promise<unknown>) => work().catch((error: Error) => error.constructor.name);
    const given = { value: baseUrl, source: "--base-url" };
    return [
      await settle(async () => {
        await createClient({ apiKey: "k", baseUrl, fetch }).GET("/items");
        return sent.pop();
      }),
      await settle(async () => {
        await exchangeCode({ ...code, baseUrl, fetch });
        return sent.pop();
      }),
      await settle(async () => new URL((await resolveSettings({ env: { ...env, MAKEPRINTABLE_API_KEY: "k" }, baseUrl: given })).baseUrl.value).origin),
    ];
  }

  it("treats 127.0.0.2 as loopback in createClient, exchangeCode and resolveSettings alike", async () => {
    expect(await outcomes("http://127.0.0.2:4010/v1")).toEqual(["http://127.0.0.2:4010", "http://127.0.0.2:4010", "http://127.0.0.2:4010"]);
  });

  it("refuses plain http to 10.0.0.2 in all three", async () => {
    expect(await outcomes("http://10.0.0.2:4010/v1")).toEqual(["ClientOptionsError", "OAuthOptionsError", "ClientOptionsError"]);
  });
});

describe("the credential", () => {
  it("says MAKEPRINTABLE_API_KEY has a space at its end, never naming a library option", async () => {
    const spaced = { ...env, MAKEPRINTABLE_API_KEY: "12345weLove3DPrinting " };
    const thrown = await resolveSettings({ env: spaced }).catch((error: unknown) => error);
    expect(thrown).toEqual(new ClientOptionsError("MAKEPRINTABLE_API_KEY has a space at its end: remove it", { setting: "MAKEPRINTABLE_API_KEY" }));
    expect((thrown as ClientOptionsError).setting).toBe("MAKEPRINTABLE_API_KEY");
    expect((thrown as Error).message).not.toContain("12345");
    expect((await findCredentials({ env: spaced, baseUrl: SERVER_URL })).apiKeyProblem).toBe("MAKEPRINTABLE_API_KEY has a space at its end: remove it");
  });

  it.each([
    [" key", "has a space at its start: remove it"],
    ["key\n", "has a line break at its end: remove it"],
    ["ke\u00a0y", "holds a non-breaking space at position 3: copy it again"],
    ["k\u00e9y", "holds a character outside ASCII at position 2: copy it again"],
  ])("says exactly what is wrong with %j", async (value, problem) => {
    await expect(resolveSettings({ env: { ...env, MAKEPRINTABLE_API_KEY: value } })).rejects.toThrow(`MAKEPRINTABLE_API_KEY ${problem}`);
  });

  it("says where the credential came from", async () => {
    const fromVariable = await resolveSettings({ env: { ...env, MAKEPRINTABLE_API_KEY: "12345weLove3DPrinting" } });
    expect(fromVariable.credential.source).toBe("MAKEPRINTABLE_API_KEY");
    await saveLogin({ baseUrl: API, accessToken: "tok_0123456789" }, { env });
    const fromLogin = await resolveSettings({ env, baseUrl: { value: API, source: "--base-url" } });
    expect(fromLogin.credential.source).toBe("the stored login");
    expect(fromLogin.baseUrl).toEqual({ value: API, source: "--base-url" });
  });
});

/** A server on 127.0.0.1 answering `routes[path]` (JSON, 200) and 404 for anything else; records the paths asked. */
async function metadataServer(routes: (origin: string) => Record<string, unknown>) {
  const asked: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    asked.push(request.url ?? "");
    const body = routes(origin)[request.url ?? ""];
    response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" }).end(JSON.stringify(body ?? { error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, asked, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("the authorize page", () => {
  const refuse = () => Promise.reject(new Error("no request may be sent"));

  it("is the flag, then MAKEPRINTABLE_AUTHORIZE_URL, without asking any server", async () => {
    const baseUrl = { value: "http://127.0.0.1:9/v1", source: "MAKEPRINTABLE_BASE_URL" };
    const page = "http://127.0.0.1:9/authorize";
    expect(await resolveAuthorizeUrl({ authorizeUrl: { value: page, source: "--authorize-url" }, baseUrl, env: {}, fetch: refuse })).toEqual({
      value: page,
      source: "--authorize-url",
    });
    expect(await resolveAuthorizeUrl({ baseUrl, env: { MAKEPRINTABLE_AUTHORIZE_URL: page }, fetch: refuse })).toEqual({
      value: page,
      source: "MAKEPRINTABLE_AUTHORIZE_URL",
    });
  });

  it("is the spec's documented page for the spec's server, which is never asked for metadata", async () => {
    const baseUrl = { value: SERVER_URL, source: "the spec's server" };
    expect((await resolveAuthorizeUrl({ baseUrl, env: {}, fetch: refuse })).value).toBe(AUTHORIZATION_URL);
  });

  it("is what another server publishes at its path-aware RFC 8414 location (issuer = the base URL)", async () => {
    const server = await metadataServer((origin) => ({
      "/.well-known/oauth-authorization-server/v1": {
        issuer: `${origin}/v1`,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/v1/token`,
      },
    }));
    try {
      const baseUrl = { value: `${server.origin}/v1`, source: "MAKEPRINTABLE_BASE_URL" };
      const found = await resolveAuthorizeUrl({ baseUrl, env: {} });
      expect(found).toEqual({
        value: `${server.origin}/authorize`,
        source: `the authorization-server metadata at ${server.origin}/.well-known/oauth-authorization-server/v1`,
      });
      expect(server.asked).toEqual(["/.well-known/oauth-authorization-server/v1"]);
    } finally {
      await server.close();
    }
  });

  it("falls back to the origin's metadata (issuer = the origin)", async () => {
    const server = await metadataServer((origin) => ({
      "/.well-known/oauth-authorization-server": { issuer: origin, authorization_endpoint: `${origin}/oauth/authorize` },
    }));
    try {
      const found = await resolveAuthorizeUrl({ baseUrl: { value: `${server.origin}/v1`, source: "--base-url" }, env: {} });
      expect(found.value).toBe(`${server.origin}/oauth/authorize`);
      expect(server.asked).toEqual(["/.well-known/oauth-authorization-server/v1", "/.well-known/oauth-authorization-server"]);
    } finally {
      await server.close();
    }
  });

  it.each([
    ["names another issuer", (origin: string) => ({ issuer: "https://evil.example", authorization_endpoint: `${origin}/authorize` }), /is for another issuer/],
    [
      "sends the person over plain http off loopback",
      (origin: string) => ({ issuer: `${origin}/v1`, authorization_endpoint: "http://10.0.0.2/authorize" }),
      /no usable/,
    ],
    ["has no authorization_endpoint", (origin: string) => ({ issuer: `${origin}/v1` }), /no usable authorization_endpoint/],
  ])("refuses metadata that %s", async (_name, metadata, message) => {
    const server = await metadataServer((origin) => ({ "/.well-known/oauth-authorization-server/v1": metadata(origin) }));
    try {
      const failure = resolveAuthorizeUrl({ baseUrl: { value: `${server.origin}/v1`, source: "MAKEPRINTABLE_BASE_URL" }, env: {} });
      await expect(failure).rejects.toThrow(AuthorizationDiscoveryError);
      await expect(failure).rejects.toThrow(message);
    } finally {
      await server.close();
    }
  });

  it("says how to go on when another server publishes no metadata, or cannot be reached", async () => {
    const server = await metadataServer(() => ({}));
    const baseUrl = { value: `${server.origin}/v1`, source: "MAKEPRINTABLE_BASE_URL" };
    try {
      await expect(resolveAuthorizeUrl({ baseUrl, env: {} })).rejects.toThrow(
        `MAKEPRINTABLE_BASE_URL (${server.origin}/v1) is not the spec's server and publishes no authorization-server metadata (RFC 8414), so its authorize page is unknown: give --authorize-url (or set MAKEPRINTABLE_AUTHORIZE_URL)`,
      );
    } finally {
      await server.close();
    }
    await expect(resolveAuthorizeUrl({ baseUrl, env: {} })).rejects.toThrow(/could not read the authorization-server metadata of MAKEPRINTABLE_BASE_URL/);
  });
});
