import { afterEach, describe, expect, it, vi } from "vitest";
import { inspect } from "node:util";
import { InvalidTokenResponseError, ClientSecretInBrowserError, OAuthOptionsError, TokenError, TokenRequestError, TokenTimeoutError } from "../src/errors.js";
import { exchangeCode, type ExchangeCodeOptions } from "../src/exchange-code.js";
import { json, startRecordingServer } from "@mkp/testing";
import { SERVER_URL } from "@mkp/client";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handle: Parameters<typeof startRecordingServer>[0]) {
  const s = await startRecordingServer(handle);
  servers.push(s);
  return s;
}

const credentials = {
  clientId: "demo-app",
  clientSecret: "demo-secret",
  redirectUri: "http://127.0.0.1:5000/callback",
  code: "the-code",
};
const failure = (options: ExchangeCodeOptions) =>
  exchangeCode(options).then(
    () => Promise.reject(new Error("expected a failure")),
    (e: unknown) => e,
  );

describe("exchangeCode", () => {
  // A token is printed (`mkp login --print-token`) and sent in a header: one holding terminal
  // escapes would retitle the window and clear the screen. RFC 6750 §2.1 says what a token is.
  it.each([
    ["terminal escapes", "\u001b]0;owned\u0007\u001b[2Jabc"],
    ["a space", "abc def"],
    ["a quote", 'abc"def'],
    ["a line break", "abc\r\nSet-Cookie: x=1"],
    ["a character outside ASCII", "abc\u202edef"],
    ["an = before the end", "ab=c"],
  ])("refuses an access_token holding %s, with a typed error that never echoes it", async (_what, accessToken) => {
    const api = await server((_, res) => json(res, 200, { access_token: accessToken, token_type: "Bearer" }));
    const error = await failure({ ...credentials, baseUrl: `${api.url}/v1` });
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({
      message: "the token response's access_token is not an RFC 6750 bearer token (letters, digits, - . _ ~ + / then any = at the end)",
      status: 200,
    });
    const shown = String(error) + JSON.stringify(error) + inspect(error, { showHidden: true });
    expect(shown).not.toContain(accessToken);
    expect(shown).not.toContain("\u001b");
  });

  it("takes every character RFC 6750 allows in a token", async () => {
    const accessToken = "AZaz09-._~+/==";
    const api = await server((_, res) => json(res, 200, { access_token: accessToken, token_type: "Bearer" }));
    expect((await exchangeCode({ ...credentials, baseUrl: `${api.url}/v1` })).accessToken).toBe(accessToken);
  });

  it("POSTs the spec's form to /token without a credential header, and normalises what real servers send", async () => {
    const api = await server((_, res) =>
      json(res, 200, {
        access_token: "tok-1",
        token_type: "bearer",
        expires_in: "3600",
        refresh_token: "ref-1",
        scope: "fix add_file",
        id_token: "x",
        extra: { a: 1 },
      }),
    );
    const token = await exchangeCode({ ...credentials, codeVerifier: "v".repeat(43), baseUrl: `${api.url}/v1`, now: () => 1_700_000_000_000 });
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: "POST", url: "/v1/token" });
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request!.headers.accept).toBe("application/json");
    expect(request!.headers).not.toHaveProperty("authorization");
    expect(request!.headers).not.toHaveProperty("key");
    expect(request!.body).toBe(
      `grant_type=authorization_code&client_id=demo-app&client_secret=demo-secret&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&code=the-code&code_verifier=${"v".repeat(43)}`,
    );
    expect(token.accessToken).toBe("tok-1");
    expect(token.refreshToken).toBe("ref-1");
    expect({ ...token }).toEqual({
      tokenType: "Bearer",
      expiresAt: new Date(1_700_000_000_000 + 3_600_000),
      scopes: ["fix", "add_file"],
      receivedAt: new Date(1_700_000_000_000),
    });
  });

  it("makes the request with cache: no-store, refuses redirects, and puts nothing in the URL", async () => {
    const seen: Request[] = [];
    await exchangeCode({
      ...credentials,
      baseUrl: "https://api.example.test/v1",
      fetch: async (request) => {
        seen.push(request);
        return Response.json({ access_token: "t", token_type: "Bearer" });
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.cache).toBe("no-store");
    expect(seen[0]!.redirect).toBe("error");
    expect(seen[0]!.url).toBe("https://api.example.test/v1/token");
  });

  it("posts to <base URL>/token however many slashes the base URL ends with", async () => {
    const urls: string[] = [];
    for (const baseUrl of ["https://api.example.test/v1", "https://api.example.test/v1/", "https://api.example.test/v1//"]) {
      await exchangeCode({
        ...credentials,
        baseUrl,
        fetch: async (request) => {
          urls.push(request.url);
          return Response.json({ access_token: "t", token_type: "Bearer" });
        },
      });
    }
    expect(urls).toEqual(["https://api.example.test/v1/token", "https://api.example.test/v1/token", "https://api.example.test/v1/token"]);
  });

  it("keeps the token itself safe to log", async () => {
    const token = await exchangeCode({
      ...credentials,
      fetch: async () => Response.json({ access_token: "tok-secret", token_type: "Bearer", refresh_token: "ref-secret" }),
    });
    // Also with showHidden and customInspect: false, which skip the redacting hook: a logger set up
    // that way must still not print a token.
    const hidden = { showHidden: true, customInspect: false, depth: 9 };
    for (const shown of [
      JSON.stringify(token),
      inspect(token),
      inspect(token, { showHidden: true, depth: 9 }),
      inspect(token, hidden),
      inspect({ token }, hidden),
      String(token),
    ]) {
      expect(shown).not.toContain("tok-secret");
      expect(shown).not.toContain("ref-secret");
    }
    expect(inspect(token)).toContain("accessToken: '[redacted]'");
  });

  it("explains invalid_grant: codes are single use and live 3 minutes", async () => {
    const api = await server((_, res) =>
      json(res, 400, { error: "invalid_grant", error_description: "The authorization code has expired or was already used." }),
    );
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({
      code: "MKP_OAUTH_TOKEN_ERROR",
      message:
        "the token endpoint (HTTP 400) answered invalid_grant: The authorization code has expired or was already used. (a code is single use and lives 3 minutes: start the login again)",
      error: "invalid_grant",
      errorDescription: "The authorization code has expired or was already used.",
      status: 400,
    });
  });

  it("reports invalid_client with its status and error_uri", async () => {
    const api = await server((_, res) => json(res, 401, { error: "invalid_client", error_uri: "https://docs.example/errors" }));
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toMatchObject({
      message: "the token endpoint (HTTP 401) answered invalid_client (check the client ID and secret)",
      status: 401,
      errorUri: "https://docs.example/errors",
    });
  });

  it("treats an error inside a 200 as a failure", async () => {
    const api = await server((_, res) => json(res, 200, { error: "invalid_request", access_token: "no" }));
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ message: "the token endpoint (HTTP 200) answered invalid_request", status: 200 });
  });

  it("turns a proxy's HTML 502 into a typed error with the status, once, without retrying", async () => {
    const api = await server((_, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
    });
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({
      code: "MKP_OAUTH_INVALID_TOKEN_RESPONSE",
      message: "the token endpoint answered HTTP 502, not an OAuth 2.0 error",
      status: 502,
    });
    expect(api.requests).toHaveLength(1);
  });

  it("does not retry a 503 either", async () => {
    const api = await server((_, res) => json(res, 503, { message: "busy" }, { "retry-after": "0" }));
    expect(await failure({ ...credentials, baseUrl: api.url })).toMatchObject({ status: 503 });
    expect(api.requests).toHaveLength(1);
  });

  it.each([
    ["a 200 that is not JSON", "<html>ok</html>", "the token response is not a JSON object"],
    ["a JSON array", "[]", "the token response is not a JSON object"],
    ["an empty access_token", JSON.stringify({ access_token: "", token_type: "Bearer" }), "the token response's access_token is missing or empty"],
    ["no access_token", JSON.stringify({ token_type: "Bearer" }), "the token response's access_token is missing or empty"],
    ["a MAC token", JSON.stringify({ access_token: "t", token_type: "mac" }), "the token response's token_type is not Bearer"],
    [
      "a non-numeric expires_in",
      JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: "soon" }),
      "the token response's expires_in is not a number of seconds",
    ],
    [
      "a negative expires_in",
      JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: -5 }),
      "the token response's expires_in is not a number of seconds",
    ],
    ["an empty refresh_token", JSON.stringify({ access_token: "t", token_type: "Bearer", refresh_token: "" }), "the token response's refresh_token is empty"],
    ["a scope list", JSON.stringify({ access_token: "t", token_type: "Bearer", scope: ["fix"] }), "the token response's scope is not a string"],
  ])("rejects %s with a clear message", async (_, body, message) => {
    const api = await server((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({ message, status: 200 });
  });

  it("redacts a secret the server echoes back in its error text", async () => {
    const api = await server((req, res) => {
      const form = new URLSearchParams(req.body);
      json(res, 400, { error: "invalid_grant", error_description: `code ${form.get("code")} for ${form.get("client_secret")} is bad` });
    });
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toMatchObject({ errorDescription: "code [redacted] for [redacted] is bad" });
  });

  it("gives up after timeoutMs with TokenTimeoutError, having sent one request", async () => {
    const api = await server(() => {}); // never answers
    const error = await failure({ ...credentials, baseUrl: api.url, timeoutMs: 200 });
    expect(error).toBeInstanceOf(TokenTimeoutError);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_TIMEOUT", message: "the token request timed out after 200 ms" });
    expect(api.requests).toHaveLength(1);
  });

  it("stops when the caller aborts", async () => {
    const api = await server(() => {});
    const controller = new AbortController();
    const pending = failure({ ...credentials, baseUrl: api.url, signal: controller.signal });
    await api.received(1);
    controller.abort();
    expect(await pending).toMatchObject({ code: "MKP_OAUTH_REQUEST_FAILED", message: "the token request was aborted" });
  });

  it("refuses to follow a redirect, so the secret never reaches the redirect target", async () => {
    const elsewhere = await server((_, res) => json(res, 200, { access_token: "stolen", token_type: "Bearer" }));
    const api = await server((_, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/token` });
      res.end();
    });
    const error = await failure({ ...credentials, baseUrl: api.url });
    expect(error).toMatchObject({ code: "MKP_OAUTH_REQUEST_FAILED", message: "the token request failed (network error or redirect)" });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("reports a refused connection as TokenRequestError, with the network error as its cause", async () => {
    const api = await server(() => {});
    const url = api.url;
    await api.close();
    const error = await failure({ ...credentials, baseUrl: url });
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).not.toBeInstanceOf(TokenTimeoutError);
    expect(error).toMatchObject({ message: "the token request failed (network error or redirect)" });
    expect((error as Error).cause).toBeInstanceOf(Error); // what @mkp/client reports about the connection
  });

  it.each([
    ["the client secret", "demo-secret"],
    ["the code", "the-code"],
    ["the code verifier", "v".repeat(43)],
  ])("drops a network error that quotes %s instead of keeping it as the cause", async (_, secret) => {
    const error = await failure({
      ...credentials,
      codeVerifier: "v".repeat(43),
      baseUrl: "https://api.example.test/v1",
      fetch: async () => {
        throw new TypeError(`fetch failed: a proxy echoed ${secret}`);
      },
    });
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as Error).cause).toBeUndefined();
  });

  // What a web page looks like to the guard (browser.test.ts runs the bundle in real Chromium).
  it.each<[string, { window?: object; document?: object; dangerouslyAllowBrowser?: boolean }, typeof ClientSecretInBrowserError | undefined]>([
    ["a web page", { window: {}, document: {} }, ClientSecretInBrowserError],
    ["a web page, with dangerouslyAllowBrowser", { window: {}, document: {}, dangerouslyAllowBrowser: true }, undefined],
    ["a runtime with window alone (Deno)", { window: {} }, undefined],
    ["a runtime with document alone", { document: {} }, undefined],
  ])("in %s it %s", async (_, { window, document, dangerouslyAllowBrowser }, refused) => {
    if (window) vi.stubGlobal("window", window);
    if (document) vi.stubGlobal("document", document);
    let sent = 0;
    const outcome = await exchangeCode({
      ...credentials,
      ...(dangerouslyAllowBrowser && { dangerouslyAllowBrowser }),
      fetch: async () => {
        sent++;
        return Response.json({ access_token: "t", token_type: "Bearer" });
      },
    }).catch((e: unknown) => e);
    if (refused) {
      expect(outcome).toBeInstanceOf(refused);
      expect(outcome).toMatchObject({
        code: "MKP_OAUTH_CLIENT_SECRET_IN_BROWSER",
        message: "a browser page cannot keep the client secret: exchange codes on a server (or set dangerouslyAllowBrowser)",
      });
      expect(sent).toBe(0);
    } else {
      expect(outcome).toMatchObject({ tokenType: "Bearer" });
      expect(sent).toBe(1);
    }
  });

  it.each([
    [
      "plain http off loopback",
      { baseUrl: "http://api.example.test/v1" },
      "baseUrl http://api.example.test is plain http, so the credential would travel unencrypted: use https, or a loopback address (127.0.0.1, localhost, [::1]) for a local sandbox",
    ],
    ["a base URL with a fragment", { baseUrl: "https://api.example.test/v1#x" }, "baseUrl ends in a fragment (#…): leave it out"],
    ["an empty code", { code: "" }, "code must be a non-empty string"],
    ["a missing client secret", { clientSecret: undefined }, "clientSecret must be a non-empty string"],
    ["an empty client id", { clientId: "" }, "clientId must be a non-empty string"],
    ["no redirect URI", { redirectUri: undefined }, "redirectUri must be a non-empty string"],
    ["a base URL that is not https", { baseUrl: "ftp://127.0.0.1/v1" }, `baseUrl must be an http(s) URL such as ${SERVER_URL}, not ftp:`],
  ])("rejects %s before sending anything", async (_, override, message) => {
    let sent = 0;
    const error = await failure({
      ...credentials,
      ...override,
      fetch: async () => {
        sent++;
        return Response.json({});
      },
    } as ExchangeCodeOptions);
    expect(error).toBeInstanceOf(OAuthOptionsError);
    expect(error).toMatchObject({ message });
    expect(sent).toBe(0);
  });
});
