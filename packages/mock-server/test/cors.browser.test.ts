// A browser app on another loopback origin uses the bundled @mkp/client against the
// sandbox: the main job (upload → repair → list) across origins, in Chromium.
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { launchChromium, type LaunchedChromium, listenOnLoopback } from "@mkp/testing";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer } from "./helpers.js";

let launched: LaunchedChromium | undefined;
let bundle = "";
beforeAll(async () => {
  launched = await launchChromium();
  // The client as an app would ship it: one ES module bundle of the published entry point.
  const entry = createRequire(import.meta.url).resolve("@mkp/client");
  const result = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", write: false, minify: true });
  bundle = result.outputFiles[0]!.text;
});
afterAll(() => launched?.close());

/** A page on its own loopback origin that runs `script` with the client bundle at `/client.js`. */
async function appSite(script: string) {
  const server: Server = createServer((request, response) => {
    if (request.url === "/client.js") return void response.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    response
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(`<!doctype html><title>app</title><pre id="out">running</pre><script type="module">${script}</script>`);
  });
  const site = await listenOnLoopback(server);
  return { origin: site.url, close: site.close };
}

/** The script of the page: the main job through the client, its outcome written into #out. */
const mainJob = (apiUrl: string, apiKey: string) => `
  import { createClient, fixesOf, itemsOf, unwrap, uploadItem } from "/client.js";
  const out = document.getElementById("out");
  try {
    const client = createClient({ apiKey: ${JSON.stringify(apiKey)}, baseUrl: ${JSON.stringify(apiUrl)} });
    const item = await unwrap(uploadItem(client, { file: new File(["v 0 0 0\\nv 1 0 0\\nv 0 1 0\\nf 1 2 3\\n"], "part.obj") }));
    const fix = await unwrap(client.POST("/fixes", { body: { item_id: item.id } }));
    const items = itemsOf(await unwrap(client.GET("/items")));
    const fixes = fixesOf(await unwrap(client.GET("/fixes")));
    out.textContent = JSON.stringify({ item: item.file_name + "." + item.file_ext, fix: fix.id, items: items.length, fixes: fixes.length });
  } catch (error) {
    out.textContent = JSON.stringify({ code: error.code, message: error.message });
  }
`;

async function run(site: { origin: string }) {
  const page = await launched!.context.newPage();
  try {
    await page.goto(site.origin);
    await page.waitForFunction(() => document.getElementById("out")?.textContent !== "running");
    return JSON.parse((await page.textContent("#out"))!) as Record<string, unknown>;
  } finally {
    await page.close();
  }
}

describe("a browser app on another origin", () => {
  test("uploads, repairs and lists through the bundled client (CORS on by default)", async () => {
    const sandbox = await startTestServer();
    const site = await appSite(mainJob(sandbox.apiUrl, sandbox.demo.apiKey));
    try {
      expect(await run(site)).toEqual({ item: "part.obj", fix: 1, items: 1, fixes: 1 });
    } finally {
      await site.close();
    }
  });

  test("gets a connection error naming the URL when the sandbox does not allow the origin", async () => {
    const sandbox = await startTestServer({ cors: ["http://127.0.0.1:1"] });
    const site = await appSite(mainJob(sandbox.apiUrl, sandbox.demo.apiKey));
    try {
      const outcome = await run(site);
      // The code, not the class name: a minified bundle renames classes (which is why errors carry codes).
      expect(outcome.code).toBe("MKP_CONNECTION");
      expect(outcome.message).toMatch(new RegExp(`^could not reach ${sandbox.apiUrl}/items \\(.+\\): check baseUrl`));
    } finally {
      await site.close();
    }
  });
});
