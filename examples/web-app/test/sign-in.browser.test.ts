import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, type LaunchedChromium } from "@mkp/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWebApp, type RunningApp } from "../src/start.js";

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "../test-results");
const CODE_LIFETIME_MS = 180_000;

let browser: BrowserContext;
let launched: LaunchedChromium | undefined;
let app: RunningApp;
let page: Page;
/** The sandbox's clock: tests move it forward to expire codes. */
let clockOffset = 0;
/** Every access token the sandbox issued during a test, read off the token responses. */
let issuedTokens: string[] = [];
/** Every URL the browser asked for, and every redirect target it was sent to. */
let seenUrls: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  launched = await launchChromium();
  browser = launched.context;
}, 60_000);

afterAll(async () => {
  await launched?.close();
});

beforeEach(async () => {
  clockOffset = 0;
  issuedTokens = [];
  seenUrls = [];
  app = await startWebApp({
    env: {},
    sandbox: { now: () => Date.now() + clockOffset },
    // Observe the sandbox's answers the way an attacker with the browser's view could not.
    fetch: async (request: Request) => {
      const response = await fetch(request);
      if (request.url.endsWith("/token") && response.ok) {
        const body = (await response.clone().json()) as { access_token?: string };
        if (body.access_token) issuedTokens.push(body.access_token);
      }
      return response;
    },
  });
  await browser.clearCookies();
  page = await browser.newPage();
  page.on("request", (request) => seenUrls.push(request.url()));
  page.on("response", (response) => {
    const location = response.headers()["location"];
    if (location) seenUrls.push(location);
  });
});

afterEach(async () => {
  await page?.close();
  await app?.close();
});

async function screenshot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Lets the sandbox answer the consent form, then hands its redirect to `edit` before the browser
 * follows it (Chromium does not route the redirected request itself).
 */
async function interceptConsent(edit: (location: string) => string) {
  await page.route("**/authorize/decision", async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    const location = response.headers()["location"];
    expect(location).toMatch(/\/callback\?code=/);
    await route.fulfill({ response, headers: { ...response.headers(), location: edit(location!) } });
  });
}

async function startSignIn() {
  await page.goto(app.url);
  await page.getByRole("link", { name: "Connect Makeprintable" }).click();
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("button", { name: "Allow" }).waitFor();
}

describe("signing in with Makeprintable", () => {
  it("Allow → signed in; the token is in no URL and not in the page", async () => {
    await page.goto(app.url);
    await screenshot("1-home");
    await page.getByRole("link", { name: "Connect Makeprintable" }).click();
    await page.waitForURL(/\/authorize\?/);
    expect(await page.textContent("body")).toContain("Makeprintable Demo App");
    await screenshot("2-consent");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${app.url}/`);
    await screenshot("3-signed-in");
    expect(await page.textContent("h1")).toBe("Signed in with Makeprintable");
    expect(await page.isVisible("#items-empty")).toBe(true);

    expect(issuedTokens).toHaveLength(1);
    const token = issuedTokens[0]!;
    const html = await page.content();
    expect(html).not.toContain(token);
    expect(seenUrls.some((url) => url.includes("/callback?code="))).toBe(true);
    for (const url of seenUrls) expect(url).not.toContain(token);
    // The code left the address bar: the app redirected after the callback.
    expect(page.url()).toBe(`${app.url}/`);
    const cookies = await browser.cookies(app.url);
    for (const cookie of cookies) {
      expect(cookie.value).not.toContain(token);
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe("Lax");
    }
  });

  it("uploads a model once signed in, and forgets the token on sign-out", async () => {
    await startSignIn();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${app.url}/`);
    await page.setInputFiles("input[type=file]", {
      name: "cube.obj",
      mimeType: "text/plain",
      buffer: Buffer.from("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.waitForURL(/\?uploaded=1$/);
    expect(await page.textContent("#items")).toContain("cube.obj");
    await screenshot("4-uploaded");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${app.url}/`);
    expect(await page.isVisible("#connect")).toBe(true);
  });

  it("Deny → a clear message, not signed in", async () => {
    await startSignIn();
    await page.getByRole("button", { name: "Deny" }).click();
    await page.waitForURL(/\/callback\?/);
    expect(await page.textContent("h1")).toBe("Not connected");
    expect(await page.textContent("[role=alert]")).toBe("You chose not to connect your Makeprintable account. Nothing was shared.");
    await screenshot("5-denied");
    expect(issuedTokens).toEqual([]);
  });

  it("a tampered state is rejected and no code is exchanged", async () => {
    await startSignIn();
    await interceptConsent((location) => {
      const url = new URL(location);
      url.searchParams.set("state", "forged-by-an-attacker");
      return url.toString();
    });
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(/\/callback\?/);
    expect(await page.textContent("h1")).toBe("Sign-in rejected");
    expect(await page.textContent("[role=alert]")).toContain("did not match the request we sent");
    await screenshot("6-state-rejected");
    expect(issuedTokens).toEqual([]);
  });

  it("a replayed callback URL is rejected", async () => {
    await startSignIn();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${app.url}/`);
    const callback = seenUrls.find((url) => url.startsWith(`${app.url}/callback?code=`));
    expect(callback).toBeDefined();
    await page.goto(callback!);
    expect(await page.textContent("h1")).toBe("Sign-in rejected");
    expect(await page.textContent("[role=alert]")).toContain("not valid any more");
    await screenshot("7-replay-rejected");
    expect(issuedTokens).toHaveLength(1);
  });

  it("a code used after 3 minutes → the user is told to sign in again", async () => {
    await startSignIn();
    await interceptConsent((location) => {
      // The user comes back with a fresh code, but only after its 3 minutes are over.
      clockOffset += CODE_LIFETIME_MS + 1_000;
      return location;
    });
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(/\/callback\?/);
    expect(await page.textContent("h1")).toBe("Sign-in expired");
    expect(await page.textContent("[role=alert]")).toBe("The sign-in took too long or was already completed. Please sign in again.");
    expect(await page.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe("/login");
    await screenshot("8-expired");
    expect(issuedTokens).toEqual([]);
  });

  it("sets Referrer-Policy: no-referrer on the callback page", async () => {
    await startSignIn();
    const callbackResponse = page.waitForResponse((response) => response.url().startsWith(`${app.url}/callback?`));
    await page.getByRole("button", { name: "Allow" }).click();
    const response = await callbackResponse;
    expect(response.headers()["referrer-policy"]).toBe("no-referrer");
    expect(response.status()).toBe(303);
    // Let the navigation finish before the servers close under it.
    await page.waitForURL(`${app.url}/`);
  });

  it("refuses a cross-site form post", async () => {
    const response = await fetch(`${app.url}/logout`, { method: "POST", headers: { origin: "https://evil.example" }, redirect: "manual" });
    expect(response.status).toBe(403);
  });
});
