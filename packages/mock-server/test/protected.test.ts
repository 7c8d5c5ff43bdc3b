import { describe, expect, test } from "vitest";
import { exchangeFields, getCode, manualClock, postToken, startTestServer } from "./helpers.js";

describe("protected operations", () => {
  test("the API key in the key header reaches them", async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.apiUrl}/items`, { headers: { key: "12345weLove3DPrinting" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual([]);
  });

  test("no credential: 401 with a bare Bearer challenge (RFC 6750 §3.1: no error code)", async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.apiUrl}/items`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    expect(await response.json()).toEqual({ error: "invalid_token", error_description: "Send the key header or an Authorization: Bearer token." });
  });

  test.each([
    ["a wrong API key", { key: "12345weLove3DPrintinG" }, "The API key is not valid."],
    ["an unknown bearer token", { authorization: "Bearer sec_3dFix" }, "The access token is not valid, has expired or was revoked."],
    ["a malformed Authorization header", { authorization: "Bearer a b" }, "The access token is not valid, has expired or was revoked."],
    ["another scheme", { authorization: "Basic ZGVtbzpkZW1v" }, "The access token is not valid, has expired or was revoked."],
  ])('%s: 401 with WWW-Authenticate: Bearer error="invalid_token"', async (_name, headers, description) => {
    const server = await startTestServer();
    const response = await fetch(`${server.apiUrl}/fixes`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer error="invalid_token", error_description="${description}"`);
    const text = await response.text();
    expect(text).not.toContain("12345weLove3DPrintinG");
    expect(text).not.toContain("sec_3dFix");
  });

  test("an issued bearer token works (scheme case-insensitive) until it expires on the injected clock", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const { code } = await getCode(server);
    const token = String((await postToken(server, exchangeFields(server, code))).json?.["access_token"]);
    expect((await fetch(`${server.apiUrl}/items/1`, { headers: { authorization: `bearer ${token}` } })).status).toBe(404);
    clock.advance(3600 * 1000);
    expect((await fetch(`${server.apiUrl}/items/1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test("several API keys each work", async () => {
    const server = await startTestServer({ apiKeys: ["first-key", "second-key"] });
    for (const key of ["first-key", "second-key"]) expect((await fetch(`${server.apiUrl}/items`, { headers: { key } })).status).toBe(200);
    expect((await fetch(`${server.apiUrl}/items`, { headers: { key: "12345weLove3DPrinting" } })).status).toBe(401);
  });

  test("a path parameter that names no resource is 404", async () => {
    const server = await startTestServer();
    for (const id of ["abc", "0", "-1", "1.5", "%ZZ"]) {
      const response = await fetch(`${server.apiUrl}/items/${id}`, { headers: { key: server.demo.apiKey } });
      expect(response.status).toBe(404);
    }
  });

  test("unknown paths are 404", async () => {
    const server = await startTestServer();
    expect((await fetch(`${server.url}/v2/items`)).status).toBe(404);
    expect((await fetch(`${server.apiUrl}/items/1/2`)).status).toBe(404);
  });

  test("Accept: application/xml gets the XML representation the spec documents", async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.apiUrl}/items`, { headers: { key: server.demo.apiKey, accept: "application/xml" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<ItemList></ItemList>\n');
    // Errors are documented as JSON only.
    const error = await fetch(`${server.apiUrl}/items`, { headers: { accept: "application/xml" } });
    expect(error.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
});

describe("secrets stay out of logs and inspection", () => {
  test("a full flow logs no code, token, secret or key, and the server object does not hold the secrets", async () => {
    const { inspect } = await import("node:util");
    const lines: string[] = [];
    const server = await startTestServer({
      clients: [{ clientId: "private-app", clientSecret: "very-private-secret", redirectUris: ["http://127.0.0.1/callback"], name: "Private" }],
      apiKeys: ["very-private-key"],
      onRequest: (entry) => lines.push(JSON.stringify(entry)),
      logError: (message) => lines.push(message),
    });
    const { code } = await getCode(server, { client_id: "private-app" });
    const fields = { ...exchangeFields(server, code), client_id: "private-app", client_secret: "very-private-secret" };
    const token = String((await postToken(server, fields)).json?.["access_token"]);
    await postToken(server, fields);
    await fetch(`${server.apiUrl}/items`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${server.apiUrl}/items`, { headers: { key: "very-private-key" } });
    expect(lines.length).toBeGreaterThan(4);
    const everything = [...lines, inspect(server, { depth: 10, showHidden: true }), JSON.stringify(server)].join("\n");
    for (const secret of [code, token, "very-private-secret", "very-private-key"]) expect(everything).not.toContain(secret);
  });
});
