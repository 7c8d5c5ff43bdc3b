import { createClient, unwrap, uploadItem } from "@mkp/client";
import { launchChromium, type LaunchedChromium } from "@mkp/testing";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkp, startMkp, temporaryDirectory } from "./helpers.js";
import { startMockServer, type MockServer } from "@mkp/mock-server";

let chromium: LaunchedChromium | undefined;
let sandbox: MockServer;
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  sandbox = await startMockServer({ strict: true });
  dir = await temporaryDirectory();
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await sandbox?.close();
  await dir?.remove();
});

it("mkp login (Allow in Chromium) stores the token 0600; status reports it, items list uses it, logout removes it", async () => {
  // No API key anywhere: only the login can authenticate these commands.
  const env = { MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, XDG_CONFIG_HOME: join(dir.path, "config") };
  const login = startMkp(["login"], {
    env: {
      ...env,
      MAKEPRINTABLE_CLIENT_ID: sandbox.demo.clientId,
      MAKEPRINTABLE_CLIENT_SECRET: sandbox.demo.clientSecret,
      MAKEPRINTABLE_AUTHORIZE_URL: sandbox.authorizeUrl,
    },
  });
  await login.waitFor(/http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+/);
  const authorizeUrl = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(login.stderr())![1]!;

  const page = await chromium!.context.newPage();
  await page.goto(authorizeUrl);
  expect(await page.textContent("body")).toContain(sandbox.demo.name);
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(/127\.0\.0\.1:\d+\/callback\?/);
  expect(await page.textContent("body")).toContain("You are logged in to Makeprintable");
  await page.close();

  const loggedIn = await login.exited;
  const file = join(dir.path, "config", "makeprintable", "token.json");
  expect(loggedIn.code).toBe(0);
  expect(loggedIn.stdout).toMatch(new RegExp(`^Logged in to ${sandbox.apiUrl}\\. The token expires at \\S+Z \\(in 60 min\\)\\. Saved to ${file}\\.\\n$`));
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const token = JSON.parse(await readFile(file, "utf8")).accessToken as string;
  expect(token.length).toBeGreaterThan(20);

  const status = await mkp(["status"], { env });
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/│ credential +│ the stored login +│/);
  expect(status.stdout).toMatch(new RegExp(`│ stored login +│ ${file}, for ${sandbox.apiUrl}, expires at \\S+Z \\(in 60 min\\) +│`));

  // The sandbox's consent page acts for the first API key's account: its model shows through the token.
  const item = await unwrap(
    uploadItem(createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl }), {
      file: new Blob(["solid a\nendsolid a\n"]),
      fileName: "logged-in.stl",
    }),
  );
  const list = await mkp(["items", "list", "--json"], { env });
  expect(list.code).toBe(0);
  expect(JSON.parse(list.stdout)).toContainEqual(item);

  const logout = await mkp(["logout"], { env });
  expect(logout).toEqual({ code: 0, stdout: `Logged out: deleted ${file}.\n`, stderr: "" });
  await expect(stat(file)).rejects.toThrow(/ENOENT/);
  const after = await mkp(["items", "list"], { env });
  expect(after).toMatchObject({ code: 1, stderr: "mkp: no credential: set MAKEPRINTABLE_API_KEY to your API key, or run `mkp login`\n" });

  for (const output of [loggedIn, status, list, logout, after]) expect(output.stdout + output.stderr).not.toContain(token);
}, 60_000);
