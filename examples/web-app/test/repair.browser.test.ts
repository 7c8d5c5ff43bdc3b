import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium, type LaunchedChromium } from "@mkp/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startWebApp, type RunningApp } from "../src/start.js";

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "../test-results");
const TIMING = { queuedMs: 1000, processingMs: 10_000 };
const MODEL = Buffer.from("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");

let chromium: LaunchedChromium | undefined;
let app: RunningApp | undefined;
let page: Page | undefined;
/** The sandbox's clock: the test moves the repair along. */
const clock = { t: 0 };

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
});
afterEach(async () => {
  await page?.close();
  await app?.close();
  await chromium?.context.clearCookies();
});

async function start(fixCallbacks?: boolean) {
  clock.t = Date.now();
  app = await startWebApp({
    env: {},
    sandbox: { now: () => clock.t, fixTiming: TIMING, strict: true },
    ...(fixCallbacks === undefined ? {} : { fixCallbacks }),
  });
  page = await chromium!.context.newPage();
  return { app, page };
}

/** Sign in → upload → Repair: leaves the page on the repair's progress page. */
async function uploadAndRepair(page: Page, app: RunningApp) {
  await page.goto(app.url);
  await page.getByRole("link", { name: "Connect Makeprintable" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(`${app.url}/`);
  await page.setInputFiles("input[type=file]", { name: "cube.obj", mimeType: "text/plain", buffer: MODEL });
  await page.getByRole("button", { name: "Upload" }).click();
  await page.waitForURL(/\?uploaded=1$/);
  await page.getByRole("button", { name: "Repair cube.obj" }).click();
  await page.waitForURL(/\/repairs\/\d+$/);
}

it("sign in → upload → Repair → progress → a download link whose bytes are the sandbox's repaired file; the fix-done callback reaches the app", async () => {
  const { app, page } = await start();
  await uploadAndRepair(page, app);
  expect(await page.textContent("h1")).toBe("Repairing cube.obj");
  expect(await page.textContent("#repair-status")).toBe("queued: 0%");
  await page.screenshot({ path: join(ARTIFACTS, "repair-1-queued.png"), fullPage: true });

  // The page reloads itself: it shows the progress as the sandbox's clock moves.
  clock.t += TIMING.queuedMs + TIMING.processingMs / 2;
  await page.getByText("processing: 50%").waitFor();
  expect(await page.getAttribute("#repair-progress", "value")).toBe("50");
  await page.screenshot({ path: join(ARTIFACTS, "repair-2-progress.png"), fullPage: true });

  clock.t += TIMING.processingMs;
  const link = page.getByRole("link", { name: "Download repaired file" });
  await link.waitFor();
  // Makeprintable POSTed the finished fix to the app's callback URL, and the app took it.
  await app.sandbox!.flushCallbacks();
  expect(app.sandbox!.callbacks.map(({ url, status }) => ({ url: url.replace(/[^/]+$/, "SECRET"), status }))).toContainEqual({
    url: `${app.url}/makeprintable/fix-done/SECRET`,
    status: 200,
  });
  await page.reload();
  expect(await page.textContent("#repair-status")).toBe("Your model is repaired. Makeprintable told this app as soon as it was done.");
  await page.screenshot({ path: join(ARTIFACTS, "repair-3-done.png"), fullPage: true });

  const href = (await link.getAttribute("href"))!;
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const downloaded = await readFile((await download.path())!);
  const repaired = Buffer.from(await (await fetch(href)).arrayBuffer());
  expect(downloaded).toEqual(repaired);
  expect(downloaded).toEqual(MODEL);
  expect(download.suggestedFilename()).toBe("cube.obj");
  expect(app.sandbox!.specViolations).toEqual([]);
});

it("without callbacks (an API that cannot reach the app) the page polls until the repair is done", async () => {
  const { app, page } = await start(false);
  await uploadAndRepair(page, app);
  clock.t += TIMING.queuedMs + TIMING.processingMs;
  await page.getByRole("link", { name: "Download repaired file" }).waitFor();
  expect(await page.textContent("#repair-status")).toBe("Your model is repaired.");
  expect(await app.sandbox!.flushCallbacks()).toEqual([]);
  expect(app.sandbox!.callbacks).toEqual([]);
});

it("refuses a callback without the secret the app gave, and a repair page of another session", async () => {
  const { app, page } = await start();
  await uploadAndRepair(page, app);
  const fixId = Number(/\/repairs\/(\d+)$/.exec(page.url())![1]);
  const forged = await fetch(`${app.url}/makeprintable/fix-done/guessed`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ id: String(fixId), status: "done", progress: "100", download_url: "https://evil.example/x.obj" }),
  });
  expect(forged.status).toBe(404);
  // The secret is checked before the body is read: a wrong one gets 404 whatever the body.
  const malformed = await fetch(`${app.url}/makeprintable/fix-done/guessed`, { method: "POST", body: "status=done" });
  expect(malformed.status).toBe(404);
  await page.reload();
  expect(await page.textContent("#repair-status")).toBe("queued: 0%");

  await chromium!.context.clearCookies();
  const stranger = await chromium!.context.newPage();
  await stranger.goto(`${app.url}/repairs/${fixId}`);
  expect(await stranger.textContent("h1")).toBe("Repair your 3D models");
  await stranger.close();
});
