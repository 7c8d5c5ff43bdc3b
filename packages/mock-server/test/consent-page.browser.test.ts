import { createServer, type Server } from "node:http";
import { launchChromium, type LaunchedChromium, listenOnLoopback } from "@mkp/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { authorizeUrl, exchangeFields, postToken, startTestServer } from "./helpers.js";

let browser: BrowserContext;
let launched: LaunchedChromium | undefined;

beforeAll(async () => {
  launched = await launchChromium();
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
});

/** A local server that records the URLs it is sent to and answers with `html`. */
async function localSite(html = "<!doctype html><title>callback</title><p>back in the app</p>") {
  const hits: URL[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(new URL(request.url ?? "/", "http://127.0.0.1"));
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  // listenOnLoopback's close drops the connections the browser keeps alive.
  const site = await listenOnLoopback(server);
  return { origin: site.url, hits, close: site.close };
}

describe("the consent page in a real browser", () => {
  test("a person sees the app and the scopes, clicks Allow and lands on the app with a code that works", async () => {
    const server = await startTestServer();
    const app = await localSite();
    const page = await browser.newPage();
    try {
      await page.goto(authorizeUrl(server, { redirect_uri: `${app.origin}/callback`, scope: "add_file fix", state: "s-1" }));
      expect(await page.title()).toBe("Authorize Makeprintable Demo App — Makeprintable sandbox");
      expect(await page.locator("h1").innerText()).toBe("Allow Makeprintable Demo App to use your Makeprintable account?");
      expect(await page.locator("li").allInnerTexts()).toEqual([
        "add_file: add 3D files on behalf of the user (announced, not enforced yet)",
        "fix: request fixes on behalf of the user (announced, not enforced yet)",
      ]);
      await Promise.all([page.waitForURL(`${app.origin}/callback?**`), page.getByRole("button", { name: "Allow" }).click()]);
      expect(await page.locator("p").innerText()).toBe("back in the app");
      const hit = app.hits.find((candidate) => candidate.pathname === "/callback");
      expect(hit?.pathname).toBe("/callback");
      expect(hit?.searchParams.get("state")).toBe("s-1");
      const code = hit?.searchParams.get("code") ?? "";
      const result = await postToken(server, exchangeFields(server, code, { redirect_uri: `${app.origin}/callback` }));
      expect(result.status).toBe(200);
    } finally {
      await page.close();
      await app.close();
    }
  });

  test("Deny sends the person back with error=access_denied", async () => {
    const server = await startTestServer();
    const app = await localSite();
    const page = await browser.newPage();
    try {
      await page.goto(authorizeUrl(server, { redirect_uri: `${app.origin}/callback`, state: "s-2" }));
      await Promise.all([page.waitForURL(`${app.origin}/callback?**`), page.getByRole("button", { name: "Deny" }).click()]);
      expect(app.hits.find((candidate) => candidate.pathname === "/callback")?.search).toBe("?error=access_denied&state=s-2");
    } finally {
      await page.close();
      await app.close();
    }
  });

  test("a form on another origin that submits the decision is refused, even with the consent id and cookie in the browser", async () => {
    const server = await startTestServer();
    const app = await localSite();
    const page = await browser.newPage();
    try {
      // The person opens a real consent page (the browser now holds its cookie) …
      await page.goto(authorizeUrl(server, { redirect_uri: `${app.origin}/callback` }));
      const consent = await page.locator('input[name="consent"]').getAttribute("value");
      // … and an attacker's page on another port (same site, other origin) submits "allow".
      const evil = await localSite(
        `<!doctype html><form method="post" action="${server.authorizeUrl}/decision"><input name="consent" value="${consent}"><input name="decision" value="allow"></form><script>document.forms[0].submit()</script>`,
      );
      try {
        const answer = page.waitForResponse(`${server.authorizeUrl}/decision`);
        await page.goto(evil.origin);
        expect((await answer).status()).toBe(403);
        await page.waitForURL(`${server.authorizeUrl}/decision`);
        expect(await page.locator("main p").first().innerText()).toBe("This decision was not sent from the sandbox's consent page.");
        expect(app.hits).toHaveLength(0);
      } finally {
        await evil.close();
      }
    } finally {
      await page.close();
      await app.close();
    }
  });

  test("the consent page cannot be framed", async () => {
    const server = await startTestServer();
    const framer = await localSite(`<!doctype html><iframe src="${authorizeUrl(server)}"></iframe>`);
    const page = await browser.newPage();
    try {
      await page.goto(framer.origin);
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      // Chromium refuses to render the frame (X-Frame-Options / frame-ancestors) and shows its error page.
      expect(frame?.url()).toBe("chrome-error://chromewebdata/");
    } finally {
      await page.close();
      await framer.close();
    }
  });
});
