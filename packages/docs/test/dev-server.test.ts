// `pnpm docs:dev` as a writer uses it: the page open in Chromium, a sample saved, the page reloads
// by itself and shows the new sample; a broken sample shows the build error on the page.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium, type LaunchedChromium } from "@mkp/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_DIR } from "../scripts/build.js";
import { LIVE_RELOAD_PATH, startDevServer, type DevServer } from "../scripts/dev.js";

let workDir: string;
let samplesDir: string;
let server: DevServer;
let launched: LaunchedChromium | undefined;
let context: BrowserContext;
const log: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "mkp-docs-dev-"));
  samplesDir = join(workDir, "samples");
  await cp(join(PACKAGE_DIR, "samples"), samplesDir, { recursive: true });
  // A copy of the samples and its own output folder; the real spec is not watched here.
  server = await startDevServer({ port: 0, samplesDir, outDir: join(workDir, "dist"), specDir: false, log: (line) => log.push(line) });
  launched = await launchChromium();
  context = launched.context;
}, 60_000);

afterAll(async () => {
  await launched?.close();
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("pnpm docs:dev", () => {
  it("serves the page on 127.0.0.1 with the live-reload script, and the spec files beside it", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain(`new EventSource("${LIVE_RELOAD_PATH}")`);
    const built = await readFile(join(workDir, "dist/index.html"), "utf8");
    expect(built).not.toContain(LIVE_RELOAD_PATH);
    const spec = await fetch(new URL("openapi.json", server.url));
    expect(spec.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(((await spec.json()) as { openapi: string }).openapi).toBe("3.1.0");
    expect((await fetch(new URL("openapi.yaml", server.url))).status).toBe(200);
    expect((await fetch(new URL("../package.json", server.url))).status).toBe(404);
    expect((await fetch(server.url, { method: "POST" })).status).toBe(405);
  });

  it("reloads the open page when a sample is saved, showing the new sample; a broken save shows its error", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.url}#/items/deleteitem`);
    await page.getByText("Deletes an item from Makeprintable's servers.").first().waitFor();

    const sample = join(samplesDir, "deleteItem/curl.sh");
    const marker = "# saved while the page was open";
    const reloaded = page.waitForEvent("load", { timeout: 20_000 });
    await writeFile(sample, `${await readFile(sample, "utf8")}${marker}\n`);
    await reloaded;
    const panel = page.locator('[id$="/deleteitem"]').first();
    await panel.getByRole("button", { name: "TypeScript", exact: true }).first().click();
    await page
      .getByRole("menuitem")
      .filter({ hasText: /^\s*curl\s*$/ })
      .first()
      .click();
    await expect.poll(() => panel.innerText(), { timeout: 10_000 }).toContain(marker);

    await rm(join(samplesDir, "getFix/python.py"));
    const banner = page.locator("#mkp-build-error");
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain("samples/getFix/python.py");
    expect(log.some((line) => line.startsWith("docs: build failed"))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
