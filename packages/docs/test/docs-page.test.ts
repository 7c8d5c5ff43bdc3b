// What a reader sees: the built page, opened from disk in Debian's Chromium with the network cut
// off. Every request that is not the file itself is recorded and aborted; at the end there must be none.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium, type LaunchedChromium } from "@mkp/testing";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_HEADER, AUTHORIZATION_URL, SCOPES, TOKEN_URL } from "@mkp/client";
import { OPERATIONS } from "@mkp/client/internal";
import { buildDocs, PACKAGE_DIR } from "../scripts/build.js";
import { SAMPLE_LANGUAGES, type CodeSample, type OpenApiDocument } from "../scripts/code-samples.js";

const ARTIFACTS = join(PACKAGE_DIR, "test-results");

let workDir: string;
let pageUrl: string;
let spec: OpenApiDocument;
let launched: LaunchedChromium | undefined;
let context: BrowserContext;
let page: Page;
const offline: string[] = [];
const consoleErrors: string[] = [];

/** The operations' samples as the built spec carries them, by operationId. */
function builtSamples(): Map<string, CodeSample[]> {
  const samples = new Map<string, CodeSample[]>();
  for (const item of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (operation && typeof operation === "object" && typeof operation.operationId === "string")
        samples.set(operation.operationId, operation["x-codeSamples"] ?? []);
    }
  }
  return samples;
}

async function open(hash = ""): Promise<void> {
  await page.goto(`${pageUrl}${hash}`);
  await page.getByRole("link", { name: "Makeprintable API", exact: true }).first().waitFor();
}

/** Redoc's route segment for a tag: `OAuth 2.0` → `oauth-2.0`. */
function slug(tag: string): string {
  return tag.toLowerCase().replace(/\s+/g, "-");
}

/** The operation ids of each tag, in document order. */
function operationsByTag(): Map<string, string[]> {
  const byTag = new Map<string, string[]>();
  for (const item of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (!operation || typeof operation !== "object" || typeof operation.operationId !== "string") continue;
      const tag = (operation.tags as string[] | undefined)?.[0] ?? "default";
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation.operationId]);
    }
  }
  return byTag;
}

/** An operation's section of the page (Redoc gives it the id `<tag>/<operationid>`). */
function operation(operationId: string) {
  return page.locator(`[id$="/${operationId.toLowerCase()}"]`).first();
}

/** Picks a code-sample language in an operation's language menu (the choice holds for every operation). */
async function selectLanguage(operationId: string, label: string): Promise<void> {
  const labels = SAMPLE_LANGUAGES.map((language) => language.label);
  const picker = operation(operationId)
    .getByRole("button", { name: new RegExp(`^(${labels.join("|")})$`) })
    .first();
  if ((await picker.innerText()).trim() === label) return;
  await picker.click();
  await page
    .getByRole("menuitem")
    .filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) })
    .first()
    .click({ timeout: 5_000 });
  await expect.poll(async () => (await picker.innerText()).trim()).toBe(label);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "mkp-docs-page-"));
  const built = await buildDocs({ outDir: join(workDir, "dist") });
  pageUrl = pathToFileURL(built.html).href;
  spec = JSON.parse(await readFile(built.json, "utf8")) as OpenApiDocument;
  launched = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  context = launched.context;
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    offline.push(url);
    return route.abort("internetdisconnected");
  });
  page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  await open();
}, 60_000);

afterAll(async () => {
  await launched?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("the docs page, opened from disk with no network", () => {
  it("is one file: the Redoc script and the spec are inline, the logo and favicon are data URIs", async () => {
    const html = await readFile(new URL(pageUrl), "utf8");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+rel="(?:stylesheet|modulepreload|preload)"/);
    expect(html).not.toContain("cdn.redoc.ly");
    expect(await page.title()).toBe(`${spec.info.title} ${spec.info.version} reference`);
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toMatch(/^data:image\/svg\+xml;base64,/);
    const logo = page.locator('[data-component-name="SidebarLogo/SidebarLogo"] img');
    expect(await logo.getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await logo.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
  });

  it("uses the Makeprintable colours from redocly.yaml", async () => {
    const primary = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--mkp-primary").trim());
    expect(primary).toBe("#0b7a75");
    const sidebar = await page
      .locator('[data-component-name="Menu/Menu"]')
      .first()
      .evaluate((menu) => {
        let element: Element | null = menu;
        while (element && getComputedStyle(element).backgroundColor === "rgba(0, 0, 0, 0)") element = element.parentElement;
        return element ? getComputedStyle(element).backgroundColor : "";
      });
    expect(sidebar).toBe("rgb(243, 248, 247)");
  });

  it("links to the bundled spec beside it, as JSON and YAML", async () => {
    for (const file of ["openapi.json", "openapi.yaml"]) {
      const link = page.locator(`a[href="${file}"]`).first();
      await expect.poll(() => link.count()).toBeGreaterThan(0);
      const target = new URL(file, pageUrl);
      const text = await readFile(target, "utf8");
      expect(text).toContain("x-codeSamples");
    }
  });

  it("shows the authentication guide: API key, the OAuth flow with its diagram, scopes, the 3-minute code and the errors", async () => {
    await open("#/section/authentication");
    const text = await page.locator("main, body").first().innerText();
    expect(text).toContain("API key");
    expect(text).toContain(`${API_KEY_HEADER}: 12345weLove3DPrinting`);
    expect(text).toContain("Authorization: Bearer sec_3dFix");
    expect(text).toMatch(/good for \*?\*?3 minutes/);
    for (const scope of SCOPES) expect(text).toContain(scope);
    for (const error of ["access_denied", "invalid_grant", "invalid_client", "invalid_request", "401"]) expect(text).toContain(error);
    // The flow diagram: an inline SVG drawn into the description, readable as text.
    const diagram = page.getByRole("img", { name: /OAuth 2\.0 authorization-code flow/ });
    await expect.poll(() => diagram.count()).toBe(1);
    const diagramText = await diagram.evaluate((svg) => svg.textContent ?? "");
    for (const step of ["/authorize", "code", "/token", "Bearer"]) expect(diagramText).toContain(step);
    expect(await diagram.boundingBox()).toMatchObject({ width: expect.any(Number) });
  });

  it("shows both security schemes: the `key` header, and the OAuth 2.0 flow with its two URLs and both scopes", async () => {
    await open("#/items/getitem");
    await page.getByText("View security details").first().click();
    // Redoc's security dialog is a plain <div> portal on <body>, beside the page's own root.
    const dialog = page.locator("body > div:not(#redoc)").filter({ hasText: "Security" }).last();
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(new RegExp(`Header parameter name:\\s*${API_KEY_HEADER}\\b`));
    await dialog.getByText("oauth2", { exact: true }).click();
    await expect.poll(() => dialog.innerText()).toContain(TOKEN_URL);
    expect(await dialog.innerText()).toContain(AUTHORIZATION_URL);
    // Redoc folds the scopes away: unfold them as a reader would, and see each one.
    await dialog.getByText("Show optional scopes").click();
    for (const scope of SCOPES) await expect.poll(() => dialog.getByText(scope, { exact: true }).isVisible()).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "docs-security.png") });
    await page.keyboard.press("Escape");
  });

  it("shows POST /token with its five form fields", async () => {
    await open("#/oauth-2.0/createtoken");
    const text = await operation("createToken").innerText();
    expect(text).toContain("application/x-www-form-urlencoded");
    for (const field of ["client_id", "client_secret", "redirect_uri", "grant_type", "code"])
      expect(text).toMatch(new RegExp(`\\n${field}\\nstring[^\\n]*\\nrequired\\n`));
    expect(text).toContain("POST");
    expect(text).toContain("/token");
  });

  it("shows the authorize endpoint on the website's server with its parameters", async () => {
    await open("#/oauth-2.0/authorize");
    const text = await page.locator("body").innerText();
    expect(text).toContain("Ask the user to approve your app");
    for (const parameter of ["client_id", "redirect_uri", "response_type", "state", "scope", "code_challenge"]) expect(text).toContain(parameter);
    expect(text).toContain(new URL(AUTHORIZATION_URL).origin);
  });

  it("shows every operation's code sample in TypeScript, curl, Python and PHP", async () => {
    const samples = builtSamples();
    // Every operation of the spec (the generated OPERATIONS), not a count written here.
    expect([...samples.keys()].sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const language of SAMPLE_LANGUAGES) {
      for (const [tag, operationIds] of operationsByTag()) {
        for (const operationId of operationIds) {
          // Redoc renders an operation when it is routed to (or scrolled into view).
          await open(`#/${slug(tag)}/${operationId.toLowerCase()}`);
          await selectLanguage(operationId, language.label);
          const sample = samples.get(operationId)?.find((entry) => entry.label === language.label);
          expect(sample, `${operationId} has a ${language.label} sample`).toBeDefined();
          const blocks = operation(operationId).locator('[data-component-name="CodeBlock/CodeBlock"]');
          await blocks.first().scrollIntoViewIfNeeded({ timeout: 5_000 });
          await expect.poll(async () => (await blocks.allInnerTexts()).join("\n"), { timeout: 5_000 }).toContain(sample!.source.split("\n")[0]!.trim());
          const shown = (await blocks.allInnerTexts()).join("\n");
          // Every line of the sample file is on the page.
          for (const line of sample!.source.split("\n").filter((l) => l.trim().length > 0)) {
            expect(shown, `${operationId} ${language.label}: ${line}`).toContain(line.trim());
          }
          if (operationId === "createToken") {
            await mkdir(ARTIFACTS, { recursive: true });
            await page.screenshot({ path: join(ARTIFACTS, `docs-sample-${language.label.toLowerCase()}.png`) });
          }
        }
      }
    }
  }, 120_000);

  it("finds “token” with the search box", async () => {
    await open();
    await page.getByText("Search", { exact: false }).first().click();
    await page.keyboard.type("token");
    const result = page.locator('[data-component-name="Search/SearchItem"]').filter({ hasText: "Exchange an authorization code for an access token" });
    await result.first().waitFor();
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "docs-search.png") });
    await result.first().click();
    await expect.poll(() => page.url()).toContain("createtoken");
  });

  // Samples keep their indentation: a wrapped line reads as broken code, so a long one scrolls.
  it("shows code samples unwrapped, scrolling sideways", async () => {
    await open("#/items/createitem");
    const block = operation("createItem").locator('[data-component-name="CodeBlock/CodeBlock"] pre').first();
    await block.scrollIntoViewIfNeeded({ timeout: 5_000 });
    expect(await block.evaluate((pre) => [getComputedStyle(pre).whiteSpace, getComputedStyle(pre).overflowX])).toEqual(["pre", "auto"]);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "docs-create-item.png") });
  });

  it("renders the first screen (screenshot saved under packages/docs/test-results/)", async () => {
    await open();
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "docs-page.png") });
    expect(
      await page
        .getByRole("heading", { name: /Makeprintable API/ })
        .first()
        .isVisible(),
    ).toBe(true);
  });

  it("logged no console error and sent not one request off the machine", () => {
    expect(consoleErrors).toEqual([]);
    expect(offline).toEqual([]);
  });
});
