import { describe, expect, test } from "vitest";
import { authorizeUrl, decide, exchangeFields, getCode, manualClock, openConsent, pkcePair, postToken, startTestServer } from "./helpers.js";

describe("POST /v1/token", () => {
  test("full flow: consent, exchange, then the token works on a protected operation", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server, { scope: "add_file" });
    const { response, status, json } = await postToken(server, exchangeFields(server, code));
    expect(status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(Object.keys(json ?? {}).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(json).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "add_file" });
    expect(json?.["access_token"]).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const items = await fetch(`${server.apiUrl}/items`, { headers: { authorization: `Bearer ${String(json?.["access_token"])}` } });
    expect(items.status).toBe(200);
    expect(await items.json()).toEqual([]);
  });

  test("the token endpoint is mounted at the spec's token path under the API base", async () => {
    const server = await startTestServer();
    expect(server.tokenUrl).toBe(`${server.apiUrl}/token`);
    expect(server.apiUrl).toBe(`${server.url}/v1`);
    expect(server.authorizeUrl).toBe(`${server.url}/authorize`);
  });

  test("a wrong client secret is invalid_client with 401, and the code stays usable", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const wrong = await postToken(server, exchangeFields(server, code, { client_secret: "demo-secreT" }));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
    expect(wrong.response.headers.get("cache-control")).toBe("no-store");
    expect(wrong.text).not.toContain("demo-secreT");
    expect((await postToken(server, exchangeFields(server, code))).status).toBe(200);
  });

  test("an unknown client is invalid_client with 401", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const result = await postToken(server, exchangeFields(server, code, { client_id: "someone-else" }));
    expect(result.status).toBe(401);
    expect(result.json?.["error"]).toBe("invalid_client");
  });

  test("a code issued to another client is invalid_grant", async () => {
    const server = await startTestServer({
      clients: [
        { clientId: "a", clientSecret: "secret-a", redirectUris: ["http://127.0.0.1/callback"], name: "A" },
        { clientId: "b", clientSecret: "secret-b", redirectUris: ["http://127.0.0.1/callback"], name: "B" },
      ],
    });
    const { code } = await getCode(server, { client_id: "a" });
    const result = await postToken(server, exchangeFields(server, code, { client_id: "b", client_secret: "secret-b" }));
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant", error_description: "The authorization code is unknown." });
  });

  test("expiry: the code works until 180 s on the injected clock, not at 180 s", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const first = await getCode(server);
    clock.advance(179_999);
    expect((await postToken(server, exchangeFields(server, first.code))).status).toBe(200);

    const second = await getCode(server);
    clock.advance(180_000);
    const late = await postToken(server, exchangeFields(server, second.code));
    expect(late.status).toBe(400);
    expect(late.json).toEqual({ error: "invalid_grant", error_description: "The authorization code has expired." });
  });

  test("replay: a second exchange is invalid_grant and revokes the token issued from the code", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const first = await postToken(server, exchangeFields(server, code));
    const token = String(first.json?.["access_token"]);
    const call = () => fetch(`${server.apiUrl}/fixes`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);

    const replay = await postToken(server, exchangeFields(server, code));
    expect(replay.status).toBe(400);
    expect(replay.json).toEqual({
      error: "invalid_grant",
      error_description: "The authorization code was already used; the tokens issued from it are revoked.",
    });
    const revoked = await call();
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="The access token is not valid, has expired or was revoked."',
    );
  });

  test("a replay after the code's lifetime still revokes the token", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const { code } = await getCode(server);
    const token = String((await postToken(server, exchangeFields(server, code))).json?.["access_token"]);
    clock.advance(10 * 60 * 1000);
    expect((await postToken(server, exchangeFields(server, code))).json?.["error"]).toBe("invalid_grant");
    expect((await fetch(`${server.apiUrl}/items`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test("redirect_uri must equal the one used at the authorize step", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server, { redirect_uri: "http://127.0.0.1:5555/callback" });
    for (const other of ["http://127.0.0.1:4321/callback", "http://127.0.0.1/callback", "http://127.0.0.1:5555/callback/"]) {
      const result = await postToken(server, exchangeFields(server, code, { redirect_uri: other }));
      expect(result.status).toBe(400);
      expect(result.json).toEqual({ error: "invalid_grant", error_description: "redirect_uri does not equal the one used at the authorize step." });
    }
    expect((await postToken(server, exchangeFields(server, code, { redirect_uri: "http://127.0.0.1:5555/callback" }))).status).toBe(200);
  });

  describe("PKCE (RFC 7636)", () => {
    test("the right verifier gets the token", async () => {
      const server = await startTestServer();
      const { verifier, challenge } = pkcePair();
      const { code } = await getCode(server, { code_challenge: challenge, code_challenge_method: "S256" });
      expect((await postToken(server, exchangeFields(server, code, { code_verifier: verifier }))).status).toBe(200);
    });

    test("the RFC 7636 Appendix B example verifier matches its challenge", async () => {
      const server = await startTestServer();
      const { code } = await getCode(server, { code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
      const result = await postToken(server, exchangeFields(server, code, { code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" }));
      expect(result.status).toBe(200);
    });

    test("a missing verifier is invalid_request, a wrong one invalid_grant", async () => {
      const server = await startTestServer();
      const { challenge } = pkcePair();
      const { code } = await getCode(server, { code_challenge: challenge, code_challenge_method: "S256" });
      const missing = await postToken(server, exchangeFields(server, code));
      expect(missing.json).toEqual({
        error: "invalid_request",
        error_description: "Missing parameter: code_verifier (the code was issued with a code_challenge).",
      });
      const wrong = await postToken(server, exchangeFields(server, code, { code_verifier: pkcePair().verifier }));
      expect(wrong.status).toBe(400);
      expect(wrong.json).toEqual({ error: "invalid_grant", error_description: "code_verifier does not match the code_challenge." });
    });

    test("a verifier for a code issued without a challenge is refused (downgrade, RFC 9700 §2.1.1)", async () => {
      const server = await startTestServer();
      const { code } = await getCode(server);
      const result = await postToken(server, exchangeFields(server, code, { code_verifier: pkcePair().verifier }));
      expect(result.json?.["error"]).toBe("invalid_grant");
    });

    test("a malformed verifier is invalid_request", async () => {
      const server = await startTestServer();
      const { code } = await getCode(server, { code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
      const result = await postToken(server, exchangeFields(server, code, { code_verifier: "too-short" }));
      expect(result.json?.["error"]).toBe("invalid_request");
      expect(result.json?.["error_description"]).toContain("/code_verifier must match pattern");
    });
  });

  describe("bad input", () => {
    test.each([
      ["JSON", "application/json", JSON.stringify({ grant_type: "authorization_code" })],
      ["multipart", "multipart/form-data; boundary=x", "--x--"],
      ["text", "text/plain", "grant_type=authorization_code"],
    ])("a %s body is invalid_request", async (_name, contentType, body) => {
      const server = await startTestServer();
      const result = await postToken(server, body, { "content-type": contentType });
      expect(result.status).toBe(400);
      expect(result.json).toEqual({ error: "invalid_request", error_description: "The body must be application/x-www-form-urlencoded (RFC 6749 §4.1.3)." });
    });

    test("a repeated parameter is invalid_request, even with the same value", async () => {
      const server = await startTestServer();
      const { code } = await getCode(server);
      const body = `${new URLSearchParams(exchangeFields(server, code)).toString()}&client_id=demo-app`;
      const result = await postToken(server, body);
      expect(result.json).toEqual({ error: "invalid_request", error_description: "The parameter client_id is repeated (RFC 6749 §3.1)." });
      expect((await postToken(server, exchangeFields(server, code))).status).toBe(200);
    });

    test("missing fields are named; empty ones count as missing", async () => {
      const server = await startTestServer();
      const result = await postToken(server, { grant_type: "authorization_code", code: "", client_id: "demo-app" });
      expect(result.json).toEqual({ error: "invalid_request", error_description: "Missing parameters: code, redirect_uri, client_secret." });
    });

    test("another grant type is unsupported_grant_type", async () => {
      const server = await startTestServer();
      const result = await postToken(server, { grant_type: "password", username: "a", password: "b" });
      expect(result.status).toBe(400);
      expect(result.json?.["error"]).toBe("unsupported_grant_type");
    });

    test("an unknown field is invalid_request (the spec's TokenRequest allows none)", async () => {
      const server = await startTestServer();
      const { code } = await getCode(server);
      const result = await postToken(server, exchangeFields(server, code, { scope: "fix" }));
      expect(result.json?.["error"]).toBe("invalid_request");
      expect(result.json?.["error_description"]).toContain("must NOT have additional properties (scope)");
    });

    test("a redirect_uri that is not a URI is invalid_request", async () => {
      const server = await startTestServer();
      const result = await postToken(server, exchangeFields(server, "x", { redirect_uri: "not a uri" }));
      expect(result.json?.["error"]).toBe("invalid_request");
    });

    test("a body that is not UTF-8 is invalid_request", async () => {
      const server = await startTestServer();
      const response = await fetch(server.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new Uint8Array([0x63, 0x6f, 0x64, 0x65, 0x3d, 0xff, 0xfe]),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid_request", error_description: "The body is not valid UTF-8." });
    });

    test("a body over 64 KiB is 413", async () => {
      const server = await startTestServer();
      const result = await postToken(server, `code=${"a".repeat(64 * 1024)}`);
      expect(result.status).toBe(413);
      expect(result.json).toEqual({ error: "invalid_request", error_description: "The body is larger than 65536 bytes." });
    });

    test("a streamed body (no Content-Length) over the limit is 413", async () => {
      const server = await startTestServer({ maxBodyBytes: 1024 });
      const chunk = new TextEncoder().encode("a".repeat(512));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i += 1) controller.enqueue(chunk);
          controller.close();
        },
      });
      const response = await fetch(server.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
    });

    test("GET on the token endpoint is 405 with Allow", async () => {
      const server = await startTestServer();
      const response = await fetch(server.tokenUrl);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    });
  });

  test("50 concurrent exchanges of one code give exactly one token", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const results = await Promise.all(Array.from({ length: 50 }, () => postToken(server, exchangeFields(server, code))));
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(49);
    expect(new Set(results.filter((result) => result.status === 400).map((result) => result.json?.["error"]))).toEqual(new Set(["invalid_grant"]));
    // The replays revoked the one token that was issued.
    const token = String(results.find((result) => result.status === 200)?.json?.["access_token"]);
    expect((await fetch(`${server.apiUrl}/items`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe("POST /v1/token: the exact answers", () => {
  test("every error is an RFC 6749 §5.2 JSON body that is never cached", async () => {
    const server = await startTestServer();
    const result = await postToken(server, exchangeFields(server, "unknown-code-unknown-code-unknown-code-abcd"));
    expect(result.status).toBe(400);
    expect(result.response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(result.response.headers.get("cache-control")).toBe("no-store");
    expect(result.response.headers.get("pragma")).toBe("no-cache");
    expect(result.json).toEqual({ error: "invalid_grant", error_description: "The authorization code is unknown." });
  });

  test("invalid_client (401) is not cached either, and an unknown client is told the same as a wrong secret", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const unknown = await postToken(server, exchangeFields(server, code, { client_id: "someone-else" }));
    expect(unknown.status).toBe(401);
    expect(unknown.response.headers.get("pragma")).toBe("no-cache");
    expect(unknown.response.headers.get("cache-control")).toBe("no-store");
    expect(unknown.json).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
    // The secret of another registered client does not authenticate this one.
    const other = await startTestServer({
      clients: [
        { clientId: "a", clientSecret: "secret-a", redirectUris: ["http://127.0.0.1/callback"], name: "A" },
        { clientId: "b", clientSecret: "secret-b", redirectUris: ["http://127.0.0.1/callback"], name: "B" },
      ],
    });
    const fromA = await getCode(other, { client_id: "a" });
    const swapped = await postToken(other, exchangeFields(other, fromA.code, { client_id: "a", client_secret: "secret-b" }));
    expect(swapped.status).toBe(401);
    expect((await postToken(other, exchangeFields(other, fromA.code, { client_id: "a", client_secret: "secret-a" }))).status).toBe(200);
  });

  test("a missing grant_type is named as missing, not as unsupported", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const { grant_type: _omitted, ...fields } = exchangeFields(server, code);
    const result = await postToken(server, fields);
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_request", error_description: "Missing parameter: grant_type." });
  });

  test("one missing field is named in the singular", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const { client_secret: _omitted, ...fields } = exchangeFields(server, code);
    const result = await postToken(server, fields);
    expect(result.json).toEqual({ error: "invalid_request", error_description: "Missing parameter: client_secret." });
    expect((await postToken(server, { grant_type: "authorization_code" })).json).toEqual({
      error: "invalid_request",
      error_description: "Missing parameters: code, redirect_uri, client_id, client_secret.",
    });
  });

  test("another grant type is unsupported_grant_type, with the one that is supported", async () => {
    const server = await startTestServer();
    const result = await postToken(server, { grant_type: "client_credentials", client_id: "demo-app", client_secret: "demo-secret" });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "unsupported_grant_type", error_description: "Only grant_type=authorization_code is supported." });
  });

  test("a field the spec does not describe is invalid_request naming the spec's complaint", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const result = await postToken(server, exchangeFields(server, code, { scope: "fix" }));
    expect(result.status).toBe(400);
    expect(result.json?.["error_description"]).toMatch(
      /^The request does not match the token endpoint's description: .*must NOT have additional properties \(scope\).*\.$/,
    );
  });

  test("every problem the spec's validator finds is named, separated by semicolons", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server, { code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
    const result = await postToken(server, exchangeFields(server, code, { code_verifier: "too-short", redirect_uri: "not a uri" }));
    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      error: "invalid_request",
      error_description:
        'The request does not match the token endpoint\'s description: /redirect_uri must match format "uri"; /code_verifier must match pattern "^[A-Za-z0-9._~-]{43,128}$".',
    });
  });

  test("the form's media type is matched without parameters and case-insensitively", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const result = await postToken(server, exchangeFields(server, code), { "content-type": "Application/X-WWW-Form-URLEncoded ; charset=UTF-8" });
    expect(result.status).toBe(200);
  });

  test("a body without a content type is invalid_request", async () => {
    const server = await startTestServer();
    const response = await fetch(server.tokenUrl, { method: "POST", body: new Uint8Array([0x61]) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "The body must be application/x-www-form-urlencoded (RFC 6749 §4.1.3).",
    });
  });

  test("without scopes the token response has no scope; with several they are space-separated, each once", async () => {
    const server = await startTestServer();
    const bare = await postToken(server, exchangeFields(server, (await getCode(server)).code));
    expect(Object.keys(bare.json ?? {}).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    const both = await postToken(server, exchangeFields(server, (await getCode(server, { scope: "fix add_file fix" })).code));
    expect(both.json?.["scope"]).toBe("fix add_file");
  });

  test("a verifier for a code issued without a challenge is named as the downgrade it is", async () => {
    const server = await startTestServer();
    const { code } = await getCode(server);
    const result = await postToken(server, exchangeFields(server, code, { code_verifier: pkcePair().verifier }));
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant", error_description: "code_verifier was sent, but the code was issued without a code_challenge." });
  });

  test("a verifier checked against another code's challenge fails, and each code is single use with its own verifier", async () => {
    const server = await startTestServer();
    const one = pkcePair();
    const two = pkcePair();
    const first = await getCode(server, { code_challenge: one.challenge, code_challenge_method: "S256" });
    const second = await getCode(server, { code_challenge: two.challenge, code_challenge_method: "S256" });
    expect((await postToken(server, exchangeFields(server, first.code, { code_verifier: two.verifier }))).json?.["error"]).toBe("invalid_grant");
    expect((await postToken(server, exchangeFields(server, second.code, { code_verifier: two.verifier }))).status).toBe(200);
    expect((await postToken(server, exchangeFields(server, first.code, { code_verifier: one.verifier }))).status).toBe(200);
  });
});

describe("codes and tokens on the injected clock", () => {
  test("an issued token works until exactly 3600 s, and not at 3600 s", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const { code } = await getCode(server);
    const token = String((await postToken(server, exchangeFields(server, code))).json?.["access_token"]);
    const call = () => fetch(`${server.apiUrl}/items`, { headers: { authorization: `Bearer ${token}` } });
    clock.advance(3_599_999);
    expect((await call()).status).toBe(200);
    clock.advance(1);
    expect((await call()).status).toBe(401);
  });

  test("a code used half an hour ago, replayed, still revokes its token (kept as long as the token lives)", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const { code } = await getCode(server);
    const token = String((await postToken(server, exchangeFields(server, code))).json?.["access_token"]);
    clock.advance(30 * 60 * 1000);
    const replay = await postToken(server, exchangeFields(server, code));
    expect(replay.json).toEqual({
      error: "invalid_grant",
      error_description: "The authorization code was already used; the tokens issued from it are revoked.",
    });
    expect((await fetch(`${server.apiUrl}/items`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test("an unused code is told expired for 10 minutes after its expiry, and is unknown from then on", async () => {
    const clock = manualClock();
    const first = await startTestServer({ now: clock.now });
    const kept = await getCode(first);
    const second = await startTestServer({ now: clock.now });
    const forgotten = await getCode(second);
    clock.advance(180_000 + 600_000 - 1);
    expect((await postToken(first, exchangeFields(first, kept.code))).json?.["error_description"]).toBe("The authorization code has expired.");
    clock.advance(1);
    expect((await postToken(second, exchangeFields(second, forgotten.code))).json?.["error_description"]).toBe("The authorization code is unknown.");
  });

  test("a consent page answered minutes after it was shown still works (pages live 10 minutes)", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const page = await openConsent(authorizeUrl(server));
    clock.advance(9 * 60 * 1000);
    const response = await decide(server, page, "allow");
    expect(response.status).toBe(302);
    const code = new URL(response.headers.get("location") ?? "").searchParams.get("code") ?? "";
    clock.advance(179_000);
    expect((await postToken(server, exchangeFields(server, code))).status).toBe(200);
  });

  test("a key listed twice is one account: the first one's", async () => {
    const server = await startTestServer({ apiKeys: ["same-key", "other-key", "same-key"] });
    const form = new FormData();
    form.append("fileurl", "https://files.example/cube.stl");
    const response = await fetch(`${server.apiUrl}/items`, { method: "POST", headers: { key: "same-key" }, body: form });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { user_id: number }).user_id).toBe(8);
  });

  test("each API key is its own account; the consent page's user is the first key's account", async () => {
    const server = await startTestServer({ apiKeys: ["first-key", "second-key"] });
    const create = (headers: Record<string, string>) => {
      const form = new FormData();
      form.append("fileurl", "https://files.example/cube.stl");
      return fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: form });
    };
    const { code } = await getCode(server);
    const token = String((await postToken(server, exchangeFields(server, code))).json?.["access_token"]);
    const owners = [];
    for (const headers of [{ key: "first-key" }, { key: "second-key" }, { authorization: `Bearer ${token}` }]) {
      const response = await create(headers);
      expect(response.status).toBe(201);
      owners.push(((await response.json()) as { user_id: number }).user_id);
    }
    expect(owners).toEqual([8, 9, 8]);
  });
});
