import { describe, expect, test } from "vitest";
import { authorizeUrl, decide, manualClock, openConsent, startTestServer } from "./helpers.js";

// POST /authorize/decision, the consent form's target, over real HTTP: who may answer, and what the redirect carries.

async function pageText(response: Response): Promise<string> {
  return (await response.text()).replace(/<[^>]+>/g, "");
}

describe("POST /authorize/decision", () => {
  test("Allow: 302 to the app, never cached, no Referer to the app; the browser's binding cookie stays for its other pages", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server, { state: "s&t=1" }));
    const response = await decide(server, page, "allow");
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("set-cookie")).toBeNull();
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("state")).toBe("s&t=1");
  });

  test("Deny: the same redirect headers, with error=access_denied", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server, { state: undefined }));
    const response = await decide(server, page, "deny");
    expect(response.headers.get("location")).toBe("http://127.0.0.1:4321/callback?error=access_denied");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  test("is accepted from a browser that sends no Origin header (older browsers on a same-origin POST)", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await fetch(`${server.authorizeUrl}/decision`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie ?? "" },
      body: new URLSearchParams({ consent: page.consent ?? "", decision: "allow" }),
    });
    expect(response.status).toBe(302);
  });

  test.each([
    ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }],
    ["Sec-Fetch-Site: none (typed or bookmarked)", { "sec-fetch-site": "none" }],
  ])("is accepted from the page's own browser with %s", async (_name, headers) => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await decide(server, page, "allow", headers);
    expect(response.status).toBe(302);
  });

  test.each([
    ["a cross-site Sec-Fetch-Site", { "sec-fetch-site": "cross-site" }],
    ["an Origin with another scheme", { origin: "https://127.0.0.1" }],
    ["the Origin of another port, even with Sec-Fetch-Site: same-origin", { origin: "http://127.0.0.1:1", "sec-fetch-site": "same-origin" }],
  ])("is refused with a 403 page for %s, and the page can still be answered", async (_name, headers) => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const refused = await decide(server, page, "allow", headers);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("location")).toBeNull();
    expect(await pageText(refused)).toContain("This decision was not sent from the sandbox&#39;s consent page.");
    expect((await decide(server, page, "allow")).status).toBe(302);
  });

  test("the consent cookie is found among the browser's other cookies", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const [name, value] = (page.cookie ?? "").split("=");
    const response = await decide(server, { consent: page.consent, cookie: `theme=dark;  ${name}=${value} ; lang=en` }, "allow");
    expect(response.status).toBe(302);
  });

  test("a cookie without '=' is ignored, even one that starts with the consent cookie's name", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await decide(server, { consent: page.consent, cookie: `${page.cookie}; mkp_consentx` }, "allow");
    expect(response.status).toBe(302);
  });

  test("the cookie of another consent page does not answer this one", async () => {
    const server = await startTestServer();
    const first = await openConsent(authorizeUrl(server));
    const second = await openConsent(authorizeUrl(server));
    const value = first.cookie?.split("=")[1];
    const response = await decide(server, { consent: second.consent, cookie: `mkp_consent=${value}` }, "allow");
    expect(response.status).toBe(403);
    expect(await pageText(response)).toContain("This decision was not sent from the browser that was shown the consent page.");
  });

  test("a body that is not a form, a repeated field and an unknown decision get a 400 page naming the problem", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const json = await fetch(`${server.authorizeUrl}/decision`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url, cookie: page.cookie ?? "" },
      body: JSON.stringify({ consent: page.consent, decision: "allow" }),
    });
    expect(json.status).toBe(400);
    expect(await pageText(json)).toContain("The decision must be a form submission.");
    const repeated = await fetch(`${server.authorizeUrl}/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, cookie: page.cookie ?? "" },
      body: `consent=${page.consent}&decision=deny&decision=allow`,
    });
    expect(repeated.status).toBe(400);
    expect(await pageText(repeated)).toContain("The parameter decision is repeated.");
    const maybe = await decide(server, page, "maybe");
    expect(maybe.status).toBe(400);
    expect(await pageText(maybe)).toContain("The decision must be allow or deny.");
    // None of these used up the page.
    expect((await decide(server, page, "allow")).status).toBe(302);
  });

  test("a form with a charset parameter and an upper-case media type is still a form", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await decide(server, page, "allow", { "content-type": "Application/X-WWW-Form-URLEncoded ; charset=UTF-8" });
    expect(response.status).toBe(302);
  });

  test("a missing consent id is the expired-page answer", async () => {
    const server = await startTestServer();
    const page = await openConsent(authorizeUrl(server));
    const response = await fetch(`${server.authorizeUrl}/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, cookie: page.cookie ?? "" },
      body: "decision=allow",
    });
    expect(response.status).toBe(400);
    expect(await pageText(response)).toContain("This consent page has expired or was already answered. Start again from the app.");
  });

  test("a consent page can be answered for 10 minutes on the clock, and not at exactly 10 minutes", async () => {
    const clock = manualClock();
    const server = await startTestServer({ now: clock.now });
    const early = await openConsent(authorizeUrl(server));
    const edge = await openConsent(authorizeUrl(server));
    const late = await openConsent(authorizeUrl(server));
    clock.advance(5 * 60 * 1000);
    expect((await decide(server, early, "allow")).status).toBe(302);
    clock.advance(5 * 60 * 1000 - 1);
    expect((await decide(server, edge, "allow")).status).toBe(302);
    // 1 ms later: the page is refused by the decision's own check (the clock has not moved on enough to sweep).
    clock.advance(1);
    const refused = await decide(server, late, "allow");
    expect(refused.status).toBe(400);
    expect(await pageText(refused)).toContain("This consent page has expired or was already answered.");
  });
});
