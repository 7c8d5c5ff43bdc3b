import { describe, expect, test } from "vitest";
import { authorizeUrl, decide, openConsent, startTestServer } from "./helpers.js";

// What a person reads on the sandbox's pages, and the headers that keep those pages safe, over real HTTP.

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

function expectPageHeaders(response: Response): void {
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("content-security-policy")).toBe(CSP);
  expect(response.headers.get("referrer-policy")).toBe("same-origin");
  expect(response.headers.get("location")).toBeNull();
}

/** The text of the page's `<main>` with the tags stripped: what a reader sees, line by line. */
function visibleText(html: string): string[] {
  const main = /<main>([\s\S]*)<\/main>/.exec(html)?.[1] ?? "";
  return main
    .replace(/<[^>]+>/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

describe("the consent page", () => {
  test("says which app asks, for which scopes (with their descriptions), as whom, and where the user goes back to", async () => {
    const server = await startTestServer();
    const { response, html, consent } = await openConsent(authorizeUrl(server, { scope: "fix add_file" }));
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("<title>Authorize Makeprintable Demo App — Makeprintable sandbox</title>");
    expect(visibleText(html)).toEqual([
      "Allow Makeprintable Demo App to use your Makeprintable account?",
      "Makeprintable sandbox · signed in as user 8",
      "It asks to:",
      // In the order asked for, each with the spec's description.
      "fix: request fixes on behalf of the user (announced, not enforced yet)add_file: add 3D files on behalf of the user (announced, not enforced yet)",
      "Either way you will be sent back to http://127.0.0.1:4321.",
      "Allow",
      "Deny",
    ]);
    expect(html).toContain(
      "<ul><li><code>fix</code>: request fixes on behalf of the user (announced, not enforced yet)</li><li><code>add_file</code>: add 3D files on behalf of the user (announced, not enforced yet)</li></ul>",
    );
    expect(html).toContain(`<form method="post" action="/authorize/decision">\n<input type="hidden" name="consent" value="${consent}">`);
    expect(html.match(/<form /g)).toHaveLength(1);
    expect(html.match(/<button /g)).toHaveLength(2);
  });

  test("carries its own inline stylesheet (the CSP allows no other), in which Allow is the primary button", async () => {
    const server = await startTestServer();
    const { html } = await openConsent(authorizeUrl(server));
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    expect(style).toContain("button[value=allow]{background:#1f6feb;");
    expect(style).toContain("body{font-family:system-ui,sans-serif;");
    expect(html).not.toMatch(/<link |<script/);
  });

  test("without a scope it says that no particular scope is asked for", async () => {
    const server = await startTestServer();
    const { html } = await openConsent(authorizeUrl(server));
    expect(visibleText(html)).toContain("It asks for no particular scope.");
    expect(html).not.toContain("It asks to:");
    expect(html).not.toContain("<ul>");
  });

  test("a scope asked for twice is listed once", async () => {
    const server = await startTestServer();
    const { html } = await openConsent(authorizeUrl(server, { scope: "fix fix" }));
    expect(html.match(/<li>/g)).toHaveLength(1);
    expect(html).toContain("<li><code>fix</code>: request fixes on behalf of the user (announced, not enforced yet)</li>");
  });

  test("the app's name is escaped wherever it is shown", async () => {
    const name = `Evil "app" & <script>alert('x')</script>`;
    const server = await startTestServer({ clients: [{ clientId: "evil", clientSecret: "s", redirectUris: ["https://evil.example/cb"], name }] });
    const { response, html } = await openConsent(authorizeUrl(server, { client_id: "evil", redirect_uri: "https://evil.example/cb" }));
    expect(response.status).toBe(200);
    const escaped = "Evil &#34;app&#34; &#38; &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;";
    expect(html).toContain(`<title>Authorize ${escaped} — Makeprintable sandbox</title>`);
    expect(html).toContain(`<h1>Allow <strong>${escaped}</strong> to use your Makeprintable account?</h1>`);
    expect(html).toContain("sent back to <code>https://evil.example</code>.");
    expect(html).not.toContain("<script");
  });

  test("the Set-Cookie that binds the decision to this browser: HttpOnly, SameSite=Strict, scoped to /authorize, 10 minutes", async () => {
    const server = await startTestServer();
    const { response, consent } = await openConsent(authorizeUrl(server));
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^mkp_consent=[A-Za-z0-9_-]{43}; Path=\/authorize; Max-Age=600; HttpOnly; SameSite=Strict$/);
    // A new page, a new consent id and a new binding.
    const second = await openConsent(authorizeUrl(server));
    expect(second.consent).not.toBe(consent);
    expect(second.cookie?.split("=")[1]).not.toBe(setCookie.split(";")[0]?.split("=")[1]);
  });
});

describe("the error page (the request cannot be trusted, so nobody is redirected)", () => {
  test("names the problem under a heading, with the page headers, and says the user was not redirected", async () => {
    const server = await startTestServer();
    const response = await fetch(authorizeUrl(server, { client_id: "nobody" }), { redirect: "manual" });
    expect(response.status).toBe(400);
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).toContain("<title>Invalid request — Makeprintable sandbox</title>");
    expect(visibleText(html)).toEqual(["Invalid request", "No app is registered with this client_id.", "You were not redirected back to the app."]);
    expect(html).not.toContain("<ul>");
  });

  test("lists each problem the spec's validator found", async () => {
    const server = await startTestServer();
    const response = await fetch(authorizeUrl(server, { response_type: "token", scope: "admin" }), { redirect: "manual" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(visibleText(html).slice(0, 2)).toEqual(["Invalid request", "The request does not match the authorize endpoint&#39;s description."]);
    const items = [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1]);
    expect(items).toHaveLength(2);
    expect(items.some((item) => item?.startsWith("/response_type must be equal to one of the allowed values"))).toBe(true);
    expect(items.some((item) => item?.startsWith("/scope must match pattern"))).toBe(true);
    expect(html).toMatch(/<ul><li>[^<]*<\/li><li>[^<]*<\/li><\/ul>/);
  });

  test("a repeated parameter's name is escaped (it is attacker-controlled)", async () => {
    const server = await startTestServer();
    const evil = `<img src=x onerror="alert('1')">&`;
    const response = await fetch(`${authorizeUrl(server)}&${encodeURIComponent(evil)}=1&${encodeURIComponent(evil)}=2`, { redirect: "manual" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("The parameter &#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38; is repeated (RFC 6749 §3.1).");
    expect(html).not.toContain("<img");
  });

  test("code_challenge_method without a code_challenge is refused like the other way round", async () => {
    const server = await startTestServer();
    const response = await fetch(authorizeUrl(server, { code_challenge_method: "S256" }), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(visibleText(await response.text())).toContain("code_challenge and code_challenge_method=S256 go together (RFC 7636 §4.3).");
  });

  test("a redirect URI on a non-loopback host is matched exactly, also by port", async () => {
    const server = await startTestServer({ clients: [{ clientId: "web", clientSecret: "s", redirectUris: ["http://app.example/cb"], name: "Web" }] });
    const other = await fetch(authorizeUrl(server, { client_id: "web", redirect_uri: "http://app.example:8080/cb" }), { redirect: "manual" });
    expect(other.status).toBe(400);
    expect(visibleText(await other.text())).toContain("The redirect_uri is not registered for Web.");
    const page = await openConsent(authorizeUrl(server, { client_id: "web", redirect_uri: "http://app.example/cb" }));
    expect(page.response.status).toBe(200);
    expect((await decide(server, page, "deny")).headers.get("location")).toBe("http://app.example/cb?error=access_denied&state=state-123");
  });
});
