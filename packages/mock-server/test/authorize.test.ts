import { describe, expect, test } from "vitest";
import { redirectUriMatches } from "../src/index.js";
import { authorizeUrl, decide, getCode, manualClock, openConsent, pkcePair, startTestServer } from "./helpers.js";

describe("GET /authorize", () => {
  test("shows a consent page with the app's name, the requested scopes and Allow / Deny buttons", async () => {
    const server = await startTestServer();
    const { response, html, consent, cookie } = await openConsent(authorizeUrl(server, { scope: "add_file fix" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(html).toContain("<strong>Makeprintable Demo App</strong>");
    expect(html).toContain("<code>add_file</code>: add 3D files on behalf of the user");
    expect(html).toContain("<code>fix</code>: request fixes on behalf of the user");
    expect(html).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    expect(html).toContain('<button type="submit" name="decision" value="deny">Deny</button>');
    expect(html).toContain('<form method="post" action="/authorize/decision">');
    expect(consent).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).toMatch(/^mkp_consent=[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get("set-cookie")).toMatch(/; Path=\/authorize; Max-Age=600; HttpOnly; SameSite=Strict$/);
  });

  test("Allow redirects to the redirect URI with a code and the state", async () => {
    const server = await startTestServer();
    const { location } = await getCode(server, { state: "xyz 1/2" });
    expect(location.origin + location.pathname).toBe("http://127.0.0.1:4321/callback");
    expect([...location.searchParams.keys()]).toEqual(["code", "state"]);
    expect(location.searchParams.get("state")).toBe("xyz 1/2");
    expect(location.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("response_type=code (RFC 6749) is accepted as well as authorization_code", async () => {
    const server = await startTestServer();
    const { location } = await getCode(server, { response_type: "code" });
    expect(location.searchParams.get("code")).toBeTruthy();
  });

  test("Deny redirects with error=access_denied and the state, and no code", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await decide(server, page, "deny");
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.href).toBe("http://127.0.0.1:4321/callback?error=access_denied&state=state-123");
  });

  test("without state the redirect carries no state", async () => {
    const server = await startTestServer();
    const { location } = await getCode(server, { state: undefined });
    expect([...location.searchParams.keys()]).toEqual(["code"]);
  });

  test.each([
    ["an unknown client", { client_id: "nobody" }, "No app is registered with this client_id."],
    ["a missing client_id", { client_id: undefined }, "The client_id parameter is missing."],
    ["a redirect URI on another host", { redirect_uri: "https://evil.example/callback" }, "The redirect_uri is not registered for Makeprintable Demo App."],
    ["a redirect URI with another path", { redirect_uri: "http://127.0.0.1:4321/callback/../evil" }, "The redirect_uri is not registered"],
    ["a missing redirect_uri", { redirect_uri: undefined }, "The redirect_uri parameter is missing."],
  ])("%s gets an error page and is never redirected to", async (_name, params, message) => {
    const server = await startTestServer();
    const response = await fetch(authorizeUrl(server, params), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain(message);
    expect(html).toContain("You were not redirected back to the app.");
    expect(html).not.toContain("evil.example");
  });

  test.each([
    ["a wrong response_type", { response_type: "token" }, "/response_type must be equal to one of the allowed values"],
    ["an unknown scope", { scope: "add_file admin" }, "/scope must match pattern"],
    ["a malformed code_challenge", { code_challenge: "short", code_challenge_method: "S256" }, "/code_challenge must match pattern"],
    [
      "the plain PKCE method",
      { code_challenge: pkcePair().challenge, code_challenge_method: "plain" },
      "/code_challenge_method must be equal to one of the allowed values",
    ],
    ["a code_challenge without its method", { code_challenge: pkcePair().challenge }, "code_challenge and code_challenge_method=S256 go together"],
    ["a missing response_type", { response_type: undefined }, "(root) must have required property &#39;response_type&#39;"],
  ])("%s gets a 400 error page (the spec's answer to a bad parameter)", async (_name, params, message) => {
    const server = await startTestServer();
    const response = await fetch(authorizeUrl(server, params), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain(message);
  });

  test("a repeated parameter gets an error page", async () => {
    const server = await startTestServer();
    const response = await fetch(`${authorizeUrl(server)}&state=again`, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The parameter state is repeated (RFC 6749 §3.1).");
  });

  test("loopback redirect URIs match on any port (RFC 8252 §7.3); others only exactly", () => {
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://127.0.0.1:51234/callback")).toBe(true);
    expect(redirectUriMatches("http://localhost/callback", "http://localhost:8080/callback")).toBe(true);
    expect(redirectUriMatches("http://[::1]/callback", "http://[::1]:9/callback")).toBe(true);
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://127.0.0.1:51234/callback2")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://localhost:51234/callback")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "https://127.0.0.1:51234/callback")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://127.0.0.1:51234/callback?x=1")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://user@127.0.0.1:51234/callback")).toBe(false);
    expect(redirectUriMatches("https://app.example/cb", "https://app.example/cb")).toBe(true);
    expect(redirectUriMatches("https://app.example/cb", "https://app.example:444/cb")).toBe(false);
    expect(redirectUriMatches("https://app.example/cb", "https://app.example/cb/")).toBe(false);
    // A registered port is no exception: loopback ports are chosen at run time.
    expect(redirectUriMatches("http://127.0.0.1:8000/callback", "http://127.0.0.1:9000/callback")).toBe(true);
    // Only plain-http loopback URIs match on any port.
    expect(redirectUriMatches("https://localhost/callback", "https://localhost:8443/callback")).toBe(false);
    // Exact string matching (RFC 9700 §2.1): a URI that only normalises to a registered one does not match.
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://127.0.0.1:51234/x/../callback")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "HTTP://127.0.0.1:51234/callback")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "http://127.0.0.1:80/callback")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1/callback", "not a uri")).toBe(false);
  });

  test.each([
    ["a path that only normalises to the registered one", "http://127.0.0.1:4321/x/../callback"],
    ["a redirect_uri that is not a URI", "callback"],
  ])("%s gets an error page", async (_name, redirectUri) => {
    const server = await startTestServer();
    const response = await fetch(authorizeUrl(server, { redirect_uri: redirectUri }), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("The redirect_uri is not registered for Makeprintable Demo App.");
  });

  test("registered clients replace the demo app, and their own redirect URIs are matched exactly", async () => {
    const server = await startTestServer({
      clients: [{ clientId: "shop", clientSecret: "s3cret", redirectUris: ["https://shop.example/oauth/done"], name: "Shop & <Co>" }],
    });
    const ok = await openConsent(authorizeUrl(server, { client_id: "shop", redirect_uri: "https://shop.example/oauth/done" }));
    expect(ok.response.status).toBe(200);
    expect(ok.html).toContain("<strong>Shop &#38; &#60;Co&#62;</strong>");
    const demo = await fetch(authorizeUrl(server), { redirect: "manual" });
    expect(demo.status).toBe(400);
  });

  test("autoApprove redirects with a code at once", async () => {
    const server = await startTestServer({ autoApprove: true });
    const response = await fetch(authorizeUrl(server), { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get("state")).toBe("state-123");
  });
});

describe("POST /authorize/decision is protected against cross-site submission", () => {
  test("a form posted from another origin is refused", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await decide(server, page, "allow", { origin: "http://127.0.0.1:1" });
    expect(response.status).toBe(403);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("This decision was not sent from the sandbox&#39;s consent page.");
  });

  test("a same-site but cross-origin fetch (Sec-Fetch-Site: same-site) is refused", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await decide(server, page, "allow", { "sec-fetch-site": "same-site" });
    expect(response.status).toBe(403);
  });

  test("a decision without the page's cookie is refused, and the page can still be answered", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const forged = await decide(server, { consent: page.consent }, "allow");
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("not sent from the browser that was shown the consent page");
    const wrongCookie = await decide(server, { consent: page.consent, cookie: "mkp_consent=guess" }, "allow");
    expect(wrongCookie.status).toBe(403);
    const real = await decide(server, page, "allow");
    expect(real.status).toBe(302);
  });

  test("a consent page is answered once, and expires", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const page = await openConsent(authorizeUrl(server));
    expect((await decide(server, page, "deny")).status).toBe(302);
    const again = await decide(server, page, "allow");
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This consent page has expired or was already answered.");

    const late = await openConsent(authorizeUrl(server));
    clock.advance(10 * 60 * 1000);
    expect((await decide(server, late, "allow")).status).toBe(400);
  });

  test("an unknown decision or consent id is a 400 page", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    expect((await decide(server, page, "maybe")).status).toBe(400);
    expect((await decide(server, { consent: "nope", cookie: page.cookie }, "allow")).status).toBe(400);
    const notForm = await fetch(`${server.authorizeUrl}/decision`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: "{}",
    });
    expect(notForm.status).toBe(400);
  });
});
