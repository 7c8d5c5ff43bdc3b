import { startMockServer, type MockServer } from "@mkp/mock-server";
import { getEventListeners } from "node:events";
import { createServer } from "node:http";
import { connect } from "node:net";
import { fakeOpener, listenOnLoopback } from "@mkp/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccessDeniedError, TokenError, TokenRequestError } from "../src/errors.js";
import { LoginTimeoutError, loopbackLogin } from "../src/node/index.js";

// These tests play the browser coming back from the authorize page: they read the redirect URI and
// state from the printed URL and call the loopback listener directly. Full logins (with a token
// endpoint) are in interop-oidc-provider.test.ts and mock-server.test.ts.
const base = { clientId: "demo-app", clientSecret: "demo-secret", authorizeUrl: "https://makeprintable.test/authorize" };

function start(options: Partial<Parameters<typeof loopbackLogin>[0]> = {}) {
  let shown = "";
  const outcome = loopbackLogin({ ...base, onAuthorizeUrl: (url) => (shown = url), ...options }).then(
    (token) => ({ token }),
    (error: unknown) => ({ error }),
  );
  const printed = async () => {
    while (!shown) await new Promise((resolve) => setTimeout(resolve, 5));
    const url = new URL(shown);
    return { url, redirectUri: url.searchParams.get("redirect_uri")!, state: url.searchParams.get("state")! };
  };
  return { outcome, printed };
}

describe("loopbackLogin", () => {
  it("listens on 127.0.0.1 only for the login and prints an authorize URL with PKCE", async () => {
    const login = start({ scopes: ["fix"] });
    const { url, redirectUri, state } = await login.printed();
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(`${url.origin}${url.pathname}`).toBe("https://makeprintable.test/authorize");
    expect(url.searchParams.get("response_type")).toBe("authorization_code");
    expect(url.searchParams.get("scope")).toBe("fix");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const other = await fetch(new URL("/favicon.ico", redirectUri));
    expect(other.status).toBe(404);
    const denied = await fetch(`${redirectUri}?error=access_denied&state=${state}`);
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain("The login failed: the authorization server answered access_denied. You can close this tab.");
    expect(((await login.outcome) as { error: unknown }).error).toBeInstanceOf(AccessDeniedError);
    await expect(fetch(redirectUri)).rejects.toThrow(); // closed
  });

  // Any local process or page that knows the port could otherwise cancel the sign-in.
  it.each([
    ["a forged state", "?code=stolen-code&state=forged"],
    ["no state", "?code=stolen-code"],
    ["a repeated parameter", "?code=stolen-code&code=other"],
    ["an error without the state", "?error=access_denied"],
  ])("answers a callback with %s with an error page, without a secret, and keeps waiting", async (_name, query) => {
    const login = start();
    const { redirectUri, state } = await login.printed();
    const page = await fetch(`${redirectUri}${query}`);
    expect(page.status).toBe(400);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("This is not the login in progress. Finish the login in the tab you opened, or start it again.");
    expect(html).not.toContain("stolen-code");
    // The real callback still ends the login.
    expect((await fetch(`${redirectUri}?error=access_denied&state=${state}`)).status).toBe(400);
    expect(((await login.outcome) as { error: unknown }).error).toBeInstanceOf(AccessDeniedError);
  });

  // A request target that is no URL used to throw inside the handler and kill the whole process.
  it("answers a malformed request target with 404 and keeps waiting", async () => {
    const login = start();
    const { redirectUri, state } = await login.printed();
    const { port } = new URL(redirectUri);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.end("GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      let text = "";
      socket
        .on("data", (chunk) => (text += chunk))
        .on("end", () => resolve(text))
        .on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 (404|400) /);
    expect((await fetch(`${redirectUri}?error=access_denied&state=${state}`)).status).toBe(400);
    expect(((await login.outcome) as { error: unknown }).error).toBeInstanceOf(AccessDeniedError);
  });

  it("gives up after timeoutMs with LoginTimeoutError and closes the listener", async () => {
    const login = start({ timeoutMs: 50 });
    const { redirectUri } = await login.printed();
    const { error } = (await login.outcome) as { error: unknown };
    expect(error).toBeInstanceOf(LoginTimeoutError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_LOGIN_TIMEOUT", message: "the login was not done within 0.05 s: start the login again" });
    await expect(fetch(redirectUri)).rejects.toThrow();
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const login = start({ signal: controller.signal });
    await login.printed();
    controller.abort();
    expect(((await login.outcome) as { error: unknown }).error).toMatchObject({ code: "MKP_OAUTH_LOGIN_TIMEOUT", message: "the login was aborted" });
  });

  it("listens on the port it is given and leaves the browser alone unless asked", async () => {
    const opened: string[] = [];
    const probe = start({ timeoutMs: 1 });
    const port = Number(new URL((await probe.printed()).redirectUri).port); // a port that was free a moment ago
    await probe.outcome;
    const login = start({ port, openBrowser: (url) => void opened.push(url), timeoutMs: 1 });
    const { redirectUri } = await login.printed();
    expect(redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    await login.outcome;
    expect(opened).toHaveLength(1);
    const quiet = start({ timeoutMs: 1 });
    await quiet.printed();
    await quiet.outcome;
    expect(opened).toHaveLength(1);
  });
});

// Whole logins against @mkp/mock-server with `autoApprove`: fetching the authorize URL redirects
// straight to the loopback callback with a code, as the browser does after the user clicks Allow.
let sandbox: MockServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  if (sandbox) expect(sandbox.specViolations).toEqual([]);
  await sandbox?.close();
  sandbox = undefined;
});
const T0 = 2_000_000_000_000;
async function startSandbox() {
  sandbox = await startMockServer({ now: () => T0, strict: true, autoApprove: true });
  return sandbox;
}
const page = (text: string) => `<!doctype html><meta charset="utf-8"><title>Makeprintable login</title><p>${text}</p>`;

/** Starts a login against the sandbox; the browser (`visit`) follows the authorize URL once it is shown. */
function loginAt(s: MockServer, options: Partial<Parameters<typeof loopbackLogin>[0]> = {}, visit: (url: string) => unknown = (url) => fetch(url)) {
  const shown: string[] = [];
  const pages: unknown[] = [];
  const outcome = loopbackLogin({
    clientId: s.demo.clientId,
    clientSecret: s.demo.clientSecret,
    authorizeUrl: s.authorizeUrl,
    baseUrl: s.apiUrl,
    now: () => T0,
    onAuthorizeUrl: (url) => {
      shown.push(url);
      pages.push(visit(url));
    },
    ...options,
  });
  return { outcome, shown, pages };
}

describe("loopbackLogin against @mkp/mock-server", () => {
  it.each([
    [
      "throws",
      () => {
        throw new Error("no display");
      },
    ],
    ["rejects", () => Promise.reject(new Error("no display"))],
  ])("logs in when the browser opener %s: the URL was shown, the user can open it", async (_how, openBrowser) => {
    const s = await startSandbox();
    const login = loginAt(s, { openBrowser });
    await expect(login.outcome).resolves.toMatchObject({ tokenType: "Bearer" });
    expect(login.shown).toHaveLength(1);
  });

  it("logs in with PKCE and the default timeout, answers the browser with a safe page, then stops listening", async () => {
    const s = await startSandbox();
    const signal = new AbortController().signal;
    const login = loginAt(s, { scopes: ["fix"], signal });
    const token = await login.outcome;
    expect({ ...token }).toEqual({ tokenType: "Bearer", scopes: ["fix"], receivedAt: new Date(T0), expiresAt: new Date(T0 + 3_600_000) });
    const authorize = new URL(login.shown[0]!);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("response_type")).toBe("authorization_code");
    const response = (await login.pages[0]) as Response;
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'",
      connection: "close",
    });
    expect(await response.text()).toBe(page("You are logged in to Makeprintable. You can close this tab."));
    expect(getEventListeners(signal, "abort")).toHaveLength(0); // nothing left waiting on the caller's signal
    await expect(fetch(authorize.searchParams.get("redirect_uri")!)).rejects.toThrow();
  });

  it("sends no code challenge with pkce: false, and the response type it is given", async () => {
    const s = await startSandbox();
    const login = loginAt(s, { pkce: false, responseType: "code" });
    expect(await login.outcome).toMatchObject({ tokenType: "Bearer" });
    const authorize = new URL(login.shown[0]!);
    expect(authorize.searchParams.has("code_challenge")).toBe(false);
    expect(authorize.searchParams.get("response_type")).toBe("code");
  });

  it("listens on 127.0.0.1 alone: another loopback address is refused", async () => {
    const s = await startSandbox();
    let other: Promise<unknown> | undefined;
    const login = loginAt(s, {}, (url) => {
      const callback = new URL(new URL(url).searchParams.get("redirect_uri")!);
      callback.hostname = "127.0.0.2";
      other = fetch(callback).then(
        () => "answered",
        (error: Error) => (error.cause as { code?: string }).code,
      );
      return other.then(() => fetch(url));
    });
    await login.outcome;
    expect(await other).toBe("ECONNREFUSED");
  });

  it("fails when the port is taken", async () => {
    const s = await startSandbox();
    const taken = await listenOnLoopback(createServer());
    try {
      await expect(loginAt(s, { port: taken.port }).outcome).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await taken.close();
    }
  });

  it("answers anything but GET /callback with 404, and takes only the first callback", async () => {
    const s = await startSandbox();
    let exchanging = () => {};
    const inFlight = new Promise<void>((resolve) => (exchanging = resolve));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: unknown[] = [];
    const login = loginAt(
      s,
      // Holds the token request of the first callback while a second callback arrives.
      {
        fetch: async (request) => {
          exchanging();
          await held;
          return fetch(request);
        },
      },
      async (url) => {
        const callback = (await fetch(url, { redirect: "manual" })).headers.get("location")!;
        seen.push(await fetch(callback, { method: "POST" }));
        const first = fetch(callback);
        await inFlight;
        const second = fetch(callback).catch((error: unknown) => error);
        release();
        seen.push(await first, await second);
      },
    );
    await login.outcome;
    await login.pages[0];
    // The second callback waits behind the first and is never taken: its connection closes with the login.
    expect(seen.map((r) => (r instanceof Response ? r.status : "closed"))).toEqual([404, 200, "closed"]);
    expect(await (seen[0] as Response).text()).toBe(page("Not found."));
  });

  it("escapes what it shows the browser", async () => {
    const s = await startSandbox();
    const login = loginAt(s, { fetch: async () => Response.json({ error: "invalid_grant", error_description: "a <b> & \"c\" 'd'" }, { status: 400 }) });
    await expect(login.outcome).rejects.toBeInstanceOf(TokenError);
    const response = (await login.pages[0]) as Response;
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      page(
        "The login failed: the token endpoint (HTTP 400) answered invalid_grant: a &#60;b&#62; &#38; &#34;c&#34; 'd' (a code is single use and lives 3 minutes: start the login again). You can close this tab.",
      ),
    );
  });

  it("does not show the browser an error that is not ours", async () => {
    const s = await startSandbox();
    const broken = new Error("the clock broke: internal detail");
    const login = loginAt(s, {
      now: () => {
        throw broken;
      },
    });
    await expect(login.outcome).rejects.toBe(broken);
    expect(await ((await login.pages[0]) as Response).text()).toBe(page("The login failed: unexpected error. You can close this tab."));
  });

  it("an abort during the code exchange ends the login as aborted, the token request's error as its cause", async () => {
    const s = await startSandbox();
    const controller = new AbortController();
    const login = loginAt(s, {
      signal: controller.signal,
      fetch: async (request) => {
        controller.abort();
        return fetch(request);
      },
    });
    const error = await login.outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginTimeoutError);
    expect(error).toMatchObject({ message: "the login was aborted", cause: expect.any(TokenRequestError) });
  });

  it("honours the login's deadline during a code exchange that hangs", async () => {
    const s = await startSandbox();
    // The token endpoint never answers; only the login's own deadline can end the wait.
    const login = loginAt(s, {
      timeoutMs: 300,
      fetch: (request) => new Promise((_resolve, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason))),
    });
    const error = await login.outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginTimeoutError);
    expect(error).toMatchObject({ message: "the login was not done within 0.3 s: start the login again", cause: expect.any(TokenRequestError) });
  });

  it("stops at once when the signal is already aborted", async () => {
    const s = await startSandbox();
    const login = loginAt(s, { signal: AbortSignal.abort() }, () => undefined);
    await expect(login.outcome).rejects.toMatchObject({ name: "LoginTimeoutError", message: "the login was aborted" });
  });

  it("prints the authorize URL on stderr unless told otherwise", async () => {
    const s = await startSandbox();
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((text) => {
      written.push(String(text));
      return true;
    });
    const outcome = loopbackLogin({
      clientId: s.demo.clientId,
      clientSecret: s.demo.clientSecret,
      authorizeUrl: s.authorizeUrl,
      baseUrl: s.apiUrl,
      timeoutMs: 1,
    });
    await expect(outcome).rejects.toBeInstanceOf(LoginTimeoutError);
    vi.restoreAllMocks();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(
      /^Open this URL in your browser to log in to Makeprintable:\n\n {2}http:\/\/127\.0\.0\.1:\d+\/authorize\?client_id=demo-app&\S+\n\n$/,
    );
  });

  it.runIf(process.platform === "linux")("opens the browser with the platform's opener only when asked", async () => {
    const s = await startSandbox();
    const opener = await fakeOpener();
    try {
      vi.stubEnv("PATH", `${opener.dir}:${process.env.PATH}`);
      await loginAt(s).outcome; // openBrowser not given
      const asked = loginAt(s, { openBrowser: true, timeoutMs: 2000 }, () => opener.nthUrl(1).then((url) => fetch(url)));
      await asked.outcome;
      expect(await opener.runs()).toEqual([["xdg-open", asked.shown[0], "/dev/null", "own"]]);
    } finally {
      await opener.remove();
    }
  });

  // process.platform is the input here: set for the duration of one login, then restored. The
  // authorize URL holds `&` (between its parameters, and a hostile `&calc&`): a shell would take
  // each as a command separator, so no platform's opener may go through one.
  it.runIf(process.platform === "linux")("runs open on macOS and rundll32 on Windows, each without a shell, the URL one argument", async () => {
    const s = await startSandbox();
    const opener = await fakeOpener(["open", "rundll32", "cmd", "xdg-open"]);
    const platform = Object.getOwnPropertyDescriptor(process, "platform")!;
    const urls: string[] = [];
    try {
      vi.stubEnv("PATH", `${opener.dir}:${process.env.PATH}`);
      for (const [n, os] of [
        [1, "darwin"],
        [2, "win32"],
        [3, "linux"],
      ] as const) {
        Object.defineProperty(process, "platform", { ...platform, value: os });
        const login = loginAt(s, { openBrowser: true, timeoutMs: 2000, authorizeUrl: `${s.authorizeUrl}?x=1&calc&` }, () =>
          opener.nthUrl(n).then((url) => fetch(url)),
        );
        await login.outcome.finally(() => Object.defineProperty(process, "platform", platform));
        urls.push(login.shown[0]!);
      }
      expect(urls.every((url) => url.includes("&calc"))).toBe(true);
      expect(await opener.runs()).toEqual([
        ["open", urls[0], "/dev/null", "own"],
        ["rundll32", "url.dll,FileProtocolHandler", urls[1], "/dev/null", "own"],
        ["xdg-open", urls[2], "/dev/null", "own"],
      ]);
    } finally {
      Object.defineProperty(process, "platform", platform);
      await opener.remove();
    }
  });

  it("logs in all the same when the platform has no opener (the URL was shown)", async () => {
    const s = await startSandbox();
    const empty = await fakeOpener();
    await empty.remove();
    vi.stubEnv("PATH", empty.dir); // a folder that does not exist: no xdg-open, open or cmd
    await expect(loginAt(s, { openBrowser: true }).outcome).resolves.toMatchObject({ tokenType: "Bearer" });
  });
});
