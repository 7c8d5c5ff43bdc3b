import { access } from "node:fs/promises";
import { expect, it } from "vitest";
import { CHROMIUM_ARGS, launchChromium, startRecordingServer } from "../src/index.js";

it("opens a page from a 127.0.0.1 server, then close() removes the fresh profile", async () => {
  const server = await startRecordingServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>hello</title><p>from 127.0.0.1</p>");
  });
  const chromium = await launchChromium({ viewport: { width: 800, height: 600 } });
  try {
    const page = await chromium.context.newPage();
    await page.goto(`${server.url}/`);
    expect(await page.title()).toBe("hello");
    expect(page.viewportSize()).toEqual({ width: 800, height: 600 });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    expect(userAgent).toContain("HeadlessChrome");
  } finally {
    await chromium.close();
    await server.close();
  }
  expect(chromium.context.pages()).toHaveLength(0);
});

it("starts Chromium with DEVELOPERS.md's flags and a new profile each time, deleted on close", async () => {
  const first = await launchChromium();
  const second = await launchChromium();
  const profiles = await Promise.all(
    [first, second].map(async ({ context }) => {
      const page = await context.newPage();
      // chrome://version shows the profile path Chromium was started with.
      await page.goto("chrome://version");
      const commandLine = (await page.locator("#command_line").textContent()) ?? "";
      for (const flag of CHROMIUM_ARGS) expect(commandLine).toContain(flag);
      return (await page.locator("#profile_path").textContent())?.trim() ?? "";
    }),
  );
  expect(profiles[0]).toMatch(/mkp-chromium-/);
  expect(profiles[1]).toMatch(/mkp-chromium-/);
  expect(profiles[0]).not.toBe(profiles[1]);
  await Promise.all([first.close(), second.close()]);
  for (const profile of profiles) await expect(access(profile)).rejects.toThrow();
});
