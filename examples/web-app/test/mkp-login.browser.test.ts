import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import type { BrowserContext } from "playwright-core";
import { launchChromium, type LaunchedChromium } from "@mkp/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "../test-results");
// The `mkp` bin of @mkp/oauth, as a user's `npx mkp` would run it.
const MKP_BIN = join(dirname(createRequire(import.meta.url).resolve("@mkp/oauth/package.json")), "dist/node/cli.js");

let browser: BrowserContext;
let launched: LaunchedChromium | undefined;
let sandbox: MockServer;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  sandbox = await startMockServer();
  launched = await launchChromium();
  browser = launched.context;
}, 60_000);

afterAll(async () => {
  await launched?.close();
  await sandbox?.close();
});

it("`mkp login` completes when the person clicks Allow in the browser", async () => {
  const child = spawn(process.execPath, [MKP_BIN, "login"], {
    env: {
      ...process.env,
      MAKEPRINTABLE_CLIENT_ID: sandbox.demo.clientId,
      MAKEPRINTABLE_CLIENT_SECRET: sandbox.demo.clientSecret,
      MAKEPRINTABLE_BASE_URL: sandbox.apiUrl,
      MAKEPRINTABLE_AUTHORIZE_URL: sandbox.authorizeUrl,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const authorizeUrl = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on("exit", () => reject(new Error(`mkp login exited early: ${stderr}`)));
  });

  const page = await browser.newPage();
  await page.goto(authorizeUrl);
  expect(await page.textContent("body")).toContain(sandbox.demo.name);
  await page.screenshot({ path: join(ARTIFACTS, "mkp-login-consent.png"), fullPage: true });
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(/127\.0\.0\.1:\d+\/callback\?/);
  expect(await page.textContent("body")).toContain("You are logged in to Makeprintable");
  await page.screenshot({ path: join(ARTIFACTS, "mkp-login-done.png"), fullPage: true });
  await page.close();

  expect(await exited).toBe(0);
  expect(stdout.trim().split("\n")).toHaveLength(1);
  expect(stdout).toMatch(/^Logged in to Makeprintable/);
  // Without --print-token the token never reaches the terminal.
  expect(`${stdout}${stderr}`).not.toMatch(/access_token|Bearer/);
});
