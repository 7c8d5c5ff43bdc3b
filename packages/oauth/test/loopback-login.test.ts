import { describe, expect, it } from "vitest";
import { AccessDeniedError, StateMismatchError } from "../src/errors.js";
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
    expect((await login.outcome as { error: unknown }).error).toBeInstanceOf(AccessDeniedError);
    await expect(fetch(redirectUri)).rejects.toThrow(); // closed
  });

  it("refuses a callback with a forged state and answers the browser without a secret", async () => {
    const login = start();
    const { redirectUri } = await login.printed();
    const page = await fetch(`${redirectUri}?code=stolen-code&state=forged`);
    expect(page.status).toBe(400);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("the callback's state is wrong");
    expect(html).not.toContain("stolen-code");
    expect((await login.outcome as { error: unknown }).error).toBeInstanceOf(StateMismatchError);
  });

  it("gives up after timeoutMs with LoginTimeoutError and closes the listener", async () => {
    const login = start({ timeoutMs: 50 });
    const { redirectUri } = await login.printed();
    const { error } = (await login.outcome) as { error: unknown };
    expect(error).toBeInstanceOf(LoginTimeoutError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_LOGIN_TIMEOUT", message: "no login callback within 0.05 s: start the login again" });
    await expect(fetch(redirectUri)).rejects.toThrow();
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const login = start({ signal: controller.signal });
    await login.printed();
    controller.abort();
    expect((await login.outcome as { error: unknown }).error).toMatchObject({ code: "MKP_OAUTH_LOGIN_TIMEOUT", message: "the login was aborted" });
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
