import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { launchChromium, type LaunchedChromium, startRecordingServer } from "@mkp/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The core, bundled for the browser exactly as an app's bundler would (platform "browser").
async function bundleCore(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    globalName: "MkpOAuth",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

const page = (script: string) => `<!doctype html><meta charset="utf-8"><title>app</title><script src="/oauth.js"></script><script>${script}</script>`;

let browser: BrowserContext;
let launched: LaunchedChromium | undefined;
let app: Awaited<ReturnType<typeof startRecordingServer>>;

beforeAll(async () => {
  const core = await bundleCore();
  app = await startRecordingServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname === "/oauth.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(core);
    } else if (url.pathname === "/authorize") {
      // Stands in for the authorization server: approves at once and redirects with a code.
      res.writeHead(302, { location: `${url.searchParams.get("redirect_uri")}?code=browser-code&state=${encodeURIComponent(url.searchParams.get("state")!)}` });
      res.end();
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(page(""));
    }
  });
  launched = await launchChromium();
  browser = launched.context;
}, 60_000);

afterAll(async () => {
  await launched?.close();
  await app?.close();
});

describe("the core in headless Chromium", () => {
  it("builds the authorize URL, follows the redirect and parses the callback in a real page", async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(`${app.url}/start`);
    const started = await tab.evaluate(async (origin) => {
      const request = await MkpOAuth.buildAuthorizationUrl({
        clientId: "demo-app",
        redirectUri: `${origin}/callback`,
        responseType: "code",
        pkce: true,
        authorizeUrl: `${origin}/authorize`,
      });
      sessionStorage.setItem("state", request.state);
      return { url: request.url, state: request.state, verifierLength: request.codeVerifier?.length, json: JSON.stringify(request) };
    }, app.url);
    expect(started.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.verifierLength).toBe(43);
    expect(started.json).not.toContain("codeVerifier");
    expect(new URL(started.url).searchParams.get("code_challenge_method")).toBe("S256");

    await tab.goto(started.url); // → /authorize → 302 → /callback?code=…&state=…
    expect(new URL(tab.url()).pathname).toBe("/callback");
    const parsed = await tab.evaluate(() => {
      const { code } = MkpOAuth.parseCallback(location.href, { expectedState: sessionStorage.getItem("state")! });
      let forged = "";
      try {
        MkpOAuth.parseCallback(location.search.replace(/state=[^&]+/, "state=forged"), { expectedState: sessionStorage.getItem("state")! });
      } catch (e) {
        forged = `${(e as Error).name} ${(e as { code: string }).code}`;
      }
      return { code, forged };
    });
    expect(parsed).toEqual({ code: "browser-code", forged: "StateMismatchError MKP_OAUTH_STATE_MISMATCH" });
    expect(errors).toEqual([]);
  });

  it("refuses to send the client secret from a page unless dangerouslyAllowBrowser is set", async () => {
    const tab = await browser.newPage();
    await tab.goto(`${app.url}/app`);
    const outcome = await tab.evaluate(async () => {
      const sent: { url: string; cache: string; body: string }[] = [];
      const options = {
        clientId: "demo-app",
        clientSecret: "demo-secret",
        redirectUri: "http://127.0.0.1/callback",
        code: "c",
        baseUrl: "https://api.example.test/v1",
        fetch: async (request: Request) => {
          sent.push({ url: request.url, cache: request.cache, body: await request.text() });
          return Response.json({ access_token: "t", token_type: "Bearer" });
        },
      };
      const refused = await MkpOAuth.exchangeCode(options).then(
        () => "sent",
        (e: { name: string; code: string; message: string }) => `${e.name} ${e.code}: ${e.message}`,
      );
      const requestsAfterRefusal = sent.length;
      const token = await MkpOAuth.exchangeCode({ ...options, dangerouslyAllowBrowser: true });
      return { refused, requestsAfterRefusal, sent, accessToken: token.accessToken, json: JSON.stringify(token) };
    });
    expect(outcome.refused).toBe(
      "ClientSecretInBrowserError MKP_OAUTH_CLIENT_SECRET_IN_BROWSER: a browser page cannot keep the client secret: exchange codes on a server (or set dangerouslyAllowBrowser)",
    );
    expect(outcome.requestsAfterRefusal).toBe(0);
    expect(outcome.sent).toEqual([
      {
        url: "https://api.example.test/v1/token",
        cache: "no-store",
        body: "grant_type=authorization_code&client_id=demo-app&client_secret=demo-secret&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&code=c",
      },
    ]);
    expect(outcome.accessToken).toBe("t");
    expect(outcome.json).not.toContain('"t"');
  });
});

declare global {
  // The IIFE bundle's global, typed as the package's own exports.
  const MkpOAuth: typeof import("../src/index.js");
}
