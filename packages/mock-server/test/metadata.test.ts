// RFC 8414 authorization-server metadata: a tool that knows only the API's base URL finds the
// sandbox's authorize page, token endpoint and capabilities.
import { describe, expect, test } from "vitest";
import { authorizeUrl, exchangeFields, getCode, getWithHost, pkcePair, postToken, startTestServer } from "./helpers.js";

/** The metadata URL RFC 8414 §3 forms from an issuer: the well-known suffix between host and path. */
function metadataUrlOf(issuer: string): string {
  const url = new URL(issuer);
  return `${url.origin}/.well-known/oauth-authorization-server${url.pathname.replace(/\/$/, "")}`;
}

describe("GET /.well-known/oauth-authorization-server/v1", () => {
  test("the issuer is the API base URL, and every endpoint is this sandbox's", async () => {
    const server = await startTestServer();
    expect(metadataUrlOf(server.apiUrl)).toBe(`${server.url}/.well-known/oauth-authorization-server/v1`);
    const response = await fetch(metadataUrlOf(server.apiUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({
      issuer: server.apiUrl,
      authorization_endpoint: server.authorizeUrl,
      token_endpoint: server.tokenUrl,
      response_types_supported: ["authorization_code", "code"],
      grant_types_supported: ["authorization_code"],
      scopes_supported: ["add_file", "fix"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_post"],
    });
  });

  test("the endpoints it names work: authorize with S256, exchange with client_secret_post", async () => {
    const server = await startTestServer();
    const metadata = (await (await fetch(metadataUrlOf(server.apiUrl))).json()) as Record<string, string>;
    expect(authorizeUrl(server).startsWith(metadata["authorization_endpoint"] ?? "-")).toBe(true);
    const { verifier, challenge } = pkcePair();
    const { code } = await getCode(server, { code_challenge: challenge, code_challenge_method: "S256", scope: "add_file fix" });
    const exchanged = await fetch(metadata["token_endpoint"] ?? "", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(exchangeFields(server, code, { code_verifier: verifier })),
    });
    expect(exchanged.status).toBe(200);
    expect((await postToken(server, exchangeFields(server, code, { code_verifier: verifier }))).json?.["error"]).toBe("invalid_grant");
  });

  test("a client that reached the sandbox as localhost gets localhost URLs (the issuer equals what it asked for)", async () => {
    const server = await startTestServer();
    const { port } = new URL(server.url);
    const { status, body } = await getWithHost(metadataUrlOf(server.apiUrl), `localhost:${port}`);
    expect(status).toBe(200);
    const metadata = JSON.parse(body) as Record<string, unknown>;
    expect([metadata["issuer"], metadata["authorization_endpoint"], metadata["token_endpoint"]]).toEqual([
      `http://localhost:${port}/v1`,
      `http://localhost:${port}/authorize`,
      `http://localhost:${port}/v1/token`,
    ]);
  });

  test("a name that is not the sandbox's gets no metadata (421), so a rebinding page cannot plant its own host", async () => {
    const server = await startTestServer();
    const { port } = new URL(server.url);
    expect((await getWithHost(metadataUrlOf(server.apiUrl), `attacker.example:${port}`)).status).toBe(421);
  });

  test("only the RFC 8414 location: not the root one (its issuer would differ) nor one appended to the base URL", async () => {
    const server = await startTestServer();
    for (const url of [`${server.url}/.well-known/oauth-authorization-server`, `${server.apiUrl}/.well-known/oauth-authorization-server`]) {
      expect([url, (await fetch(url)).status]).toEqual([url, 404]);
    }
    const post = await fetch(metadataUrlOf(server.apiUrl), { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
  });
});
