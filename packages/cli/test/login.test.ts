import { fakeOpener, freePort, json, type RecordingServer, startRecordingServer } from "@mkp/testing";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/index.js";
import { startMkp, startSandbox, temporaryDirectory, type Sandbox } from "./helpers.js";

// A token endpoint whose answers the test chooses: text with terminal controls, or a token.
let server: RecordingServer;
let api: string;
let answer: { status: number; body: unknown };
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  server = await startRecordingServer((_request, response) => json(response, answer.status, answer.body));
  api = `${server.url}/v1`;
});
afterAll(() => server.close());
beforeEach(async () => {
  dir = await temporaryDirectory();
});
afterEach(async () => {
  await dir.remove();
});

/** Runs `mkp login …`, then plays the browser: follows the printed URL's redirect_uri with a code and the state. */
async function login(args: string[] = []) {
  const run = startMkp(["login", ...args], {
    env: {
      MAKEPRINTABLE_BASE_URL: api,
      MAKEPRINTABLE_AUTHORIZE_URL: `${api}/authorize`,
      MAKEPRINTABLE_CLIENT_ID: "demo-app",
      MAKEPRINTABLE_CLIENT_SECRET: "client-secret-0123456789",
      XDG_CONFIG_HOME: join(dir.path, "config"),
    },
  });
  await run.waitFor(/\/authorize\?\S+\n/);
  const url = new URL(/(http:\/\/\S+\/authorize\?\S+)/.exec(run.stderr())![1]!);
  const callback = new URL(url.searchParams.get("redirect_uri")!);
  callback.searchParams.set("code", "code-0123456789");
  callback.searchParams.set("state", url.searchParams.get("state")!);
  await fetch(callback);
  return run.exited;
}

it("strips terminal control characters from what the server says", async () => {
  answer = { status: 400, body: { error: "invalid_grant", error_description: "bad\u001b[2J code\u009b31m\u001b]0;pwned\u0007" } };
  const { code, stdout, stderr } = await login();
  expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
  expect(stderr).toMatch(/^mkp: .*bad\[2J code31m\]0;pwned.*\(MKP_OAUTH_TOKEN_ERROR\)$/m);
  expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(stderr).not.toContain("client-secret-0123456789");
  expect(await readdir(dir.path)).toEqual([]);
});

it("prints the token only with --print-token, alone on stdout, and never the client secret", async () => {
  answer = { status: 200, body: { access_token: "printed-token-0123456789", token_type: "Bearer", expires_in: 3600, scope: "fix\u001b[2J" } };
  const quiet = await login();
  expect(quiet.code).toBe(0);
  expect(quiet.stdout).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+\/v1 with scopes fix\[2J\. The token expires/);
  expect(quiet.stdout + quiet.stderr).not.toContain("printed-token-0123456789");

  const printed = await login(["--print-token"]);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toBe("printed-token-0123456789\n");
  expect(printed.stderr).toMatch(/Logged in to http:\/\/127\.0\.0\.1:\d+\/v1 with scopes fix\[2J\./);
  expect(quiet.stdout + quiet.stderr + printed.stderr).not.toContain("client-secret-0123456789");
});

it("says when the server gave no expiry", async () => {
  answer = { status: 200, body: { access_token: "printed-token-0123456789", token_type: "Bearer" } };
  const { code, stdout } = await login();
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+\/v1\. The server did not say when the token expires\. Saved to \S+token\.json\.\n$/);
});

// What `mkp login` took over from @mkp/oauth's former `mkp` bin: its flags, usage errors and the
// opener, against the sandbox with `autoApprove` (following the printed URL lands on the callback
// with a code, as a browser would after the person clicked Allow).
describe("login's options, against the sandbox", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ autoApprove: true });
  });
  afterAll(() => sandbox.close());

  /** `mkp login args…` as a real process; `browser` plays the browser once the URL is printed (default: follow it). */
  async function sandboxLogin(args: string[], env: Record<string, string>, browser = (url: string) => fetch(url).then((page) => page.text())) {
    const run = startMkp(["login", ...args], { env: { XDG_CONFIG_HOME: join(dir.path, "config"), ...env } });
    await run.waitFor(/\/authorize\?\S+\n/);
    const url = /(http:\/\/\S+\/authorize\?\S+)/.exec(run.stderr())![1]!;
    const page = await browser(url);
    return { ...(await run.exited), url: new URL(url), page };
  }

  it("flags win over the environment: client, authorize page, API, response type, scopes, port", async () => {
    const s = sandbox.server;
    const dead = "http://127.0.0.1:9";
    const port = await freePort();
    const { code, stdout, stderr, url, page } = await sandboxLogin(
      [
        "--client-id",
        s.demo.clientId,
        "--client-secret",
        s.demo.clientSecret,
        "--authorize-url",
        s.authorizeUrl,
        "--base-url",
        s.apiUrl,
        "--response-type",
        "code",
        "--scope",
        "fix",
        "--scope",
        "add_file",
        "--port",
        String(port),
      ],
      {
        MAKEPRINTABLE_CLIENT_ID: "someone-else",
        MAKEPRINTABLE_CLIENT_SECRET: "wrong-secret",
        MAKEPRINTABLE_BASE_URL: `${dead}/v1`,
        MAKEPRINTABLE_AUTHORIZE_URL: `${dead}/authorize`,
      },
    );
    expect(page).toContain("You are logged in to Makeprintable.");
    expect(`${url.origin}${url.pathname}`).toBe(s.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: s.demo.clientId,
      response_type: "code",
      scope: "fix add_file",
      redirect_uri: `http://127.0.0.1:${port}/callback`,
      code_challenge_method: "S256",
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Logged in to ${s.apiUrl} with scopes fix, add_file\\. The token expires at \\S+Z \\(in 60 min\\)\\. Saved to `));
    expect(stdout + stderr).not.toContain(s.demo.clientSecret);
  });

  it.runIf(process.platform === "linux")("only --open runs xdg-open: detached, in a session of its own, its output discarded", async () => {
    const s = sandbox.server;
    const env = {
      MAKEPRINTABLE_CLIENT_ID: s.demo.clientId,
      MAKEPRINTABLE_CLIENT_SECRET: s.demo.clientSecret,
      MAKEPRINTABLE_BASE_URL: s.apiUrl,
      MAKEPRINTABLE_AUTHORIZE_URL: s.authorizeUrl,
    };
    const opener = await fakeOpener();
    try {
      const withOpener = { ...env, PATH: `${opener.dir}:${process.env.PATH}` };
      expect((await sandboxLogin([], withOpener)).code).toBe(0);
      expect(await opener.runs()).toEqual([]);
      // The opener plays the browser: once it has run, follow the URL it was given.
      const opened = await sandboxLogin(["--open"], withOpener, async () => (await fetch(await opener.nthUrl(1))).text());
      expect(opened.code).toBe(0);
      expect(await opener.runs()).toEqual([["xdg-open", opened.url.href, "/dev/null", "own"]]);
    } finally {
      await opener.remove();
    }
  });

  it.runIf(process.platform === "linux")(
    "with only MAKEPRINTABLE_BASE_URL set, finds the sandbox's authorize page from its RFC 8414 metadata and logs in",
    async () => {
      const s = sandbox.server;
      const opener = await fakeOpener();
      try {
        const env = {
          MAKEPRINTABLE_CLIENT_ID: s.demo.clientId,
          MAKEPRINTABLE_CLIENT_SECRET: s.demo.clientSecret,
          MAKEPRINTABLE_BASE_URL: s.apiUrl,
          PATH: `${opener.dir}:${process.env.PATH}`,
        };
        // The opener plays the browser: it gets the URL mkp found, the sandbox approves and redirects.
        const { code, stdout, url } = await sandboxLogin(["--open"], env, async () => (await fetch(await opener.nthUrl(1))).text());
        expect(code).toBe(0);
        expect(`${url.origin}${url.pathname}`).toBe(s.authorizeUrl);
        expect(await opener.runs()).toEqual([["xdg-open", url.href, "/dev/null", "own"]]);
        expect(stdout).toContain(`Logged in to ${s.apiUrl}`);
      } finally {
        await opener.remove();
      }
    },
  );

  it("refuses an API's metadata for another issuer, saying which setting to give", async () => {
    const { code, stderr } = await startMkp(["login"], {
      env: {
        MAKEPRINTABLE_CLIENT_ID: "demo-app",
        MAKEPRINTABLE_CLIENT_SECRET: "client-secret-0123456789",
        MAKEPRINTABLE_BASE_URL: api,
        XDG_CONFIG_HOME: join(dir.path, "config"),
      },
    }).exited;
    expect(code).toBe(1);
    // The recording server answers every path with the same JSON: no issuer, so not metadata to trust.
    expect(stderr).toContain(`is for another issuer than ${api}, so it is not used: give --authorize-url (or set MAKEPRINTABLE_AUTHORIZE_URL)`);
  });

  it("a refused login exits 1 with the error's code, stores nothing and never shows the secret", async () => {
    const s = sandbox.server;
    const { code, stdout, stderr } = await sandboxLogin([], {
      MAKEPRINTABLE_CLIENT_ID: s.demo.clientId,
      MAKEPRINTABLE_CLIENT_SECRET: "not-the-secret",
      MAKEPRINTABLE_BASE_URL: s.apiUrl,
      MAKEPRINTABLE_AUTHORIZE_URL: s.authorizeUrl,
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(
      stderr.endsWith(
        "\nmkp: the token endpoint (HTTP 401) answered invalid_client: Client authentication failed. (check the client ID and secret) (MKP_OAUTH_TOKEN_ERROR)\n",
      ),
    ).toBe(true);
    expect(stderr).not.toContain("not-the-secret");
    expect(await readdir(dir.path)).toEqual([]);
  });
});

describe("login's usage errors (exit 2, nothing listens)", () => {
  const credentials = { MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" };
  it.each([
    [[], {}, "mkp: give --client-id or set MAKEPRINTABLE_CLIENT_ID\n"],
    [[], { MAKEPRINTABLE_CLIENT_ID: "", MAKEPRINTABLE_CLIENT_SECRET: "y" }, "mkp: give --client-id or set MAKEPRINTABLE_CLIENT_ID\n"],
    [["--client-id", "x"], { MAKEPRINTABLE_CLIENT_SECRET: "" }, "mkp: give --client-secret or set MAKEPRINTABLE_CLIENT_SECRET\n"],
    [["--port", "eighty"], credentials, "mkp: option '--port <n>' argument 'eighty' is invalid. expected a whole number.\n(run with --help for usage)\n"],
    [
      ["--port", "65536"],
      credentials,
      "mkp: option '--port <n>' argument '65536' is invalid. expected a port from 0 to 65535 (0: any free port).\n(run with --help for usage)\n",
    ],
    [["--timeout", "1.5"], credentials, "mkp: option '--timeout <seconds>' argument '1.5' is invalid. expected a whole number.\n(run with --help for usage)\n"],
    [
      ["--response-type", "token"],
      credentials,
      "mkp: option '--response-type <type>' argument 'token' is invalid. Allowed choices are authorization_code, code.\n(run with --help for usage)\n",
    ],
    [
      ["--scope", "admin"],
      credentials,
      "mkp: option '--scope <scope...>' argument 'admin' is invalid. Allowed choices are add_file, fix.\n(run with --help for usage)\n",
    ],
    [["--print-token", "--json"], credentials, "mkp: option '--print-token' cannot be used with option '--json'\n(run with --help for usage)\n"],
  ])("mkp login %j with env %j", async (args, env, message) => {
    const { out, io } = collect(env);
    expect(await runCli(["login", ...args], io)).toBe(2);
    expect(out).toEqual({ stdout: "", stderr: message });
  });

  it("an authorize page that is not https (nor loopback) is refused before listening (exit 1)", async () => {
    const { out, io } = collect({ MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" });
    expect(await runCli(["login", "--authorize-url", "http://example.test/authorize"], io)).toBe(1);
    expect(out).toEqual({ stdout: "", stderr: "mkp: authorizeUrl must be https (http only on loopback), got http: (MKP_OAUTH_INVALID_OPTIONS)\n" });
  });
});

it("--timeout gives up after that many seconds (on fake timers: no waiting)", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    let shown = () => {};
    const printed = new Promise<void>((resolve) => (shown = resolve));
    const { out, io } = collect(
      {
        MAKEPRINTABLE_CLIENT_ID: "x",
        MAKEPRINTABLE_CLIENT_SECRET: "y",
        MAKEPRINTABLE_BASE_URL: api,
        MAKEPRINTABLE_AUTHORIZE_URL: `${api}/authorize`,
        XDG_CONFIG_HOME: join(dir.path, "config"),
      },
      shown,
    );
    let exit: number | undefined;
    const running = runCli(["login", "--timeout", "2"], io).then((code) => (exit = code));
    await printed;
    vi.advanceTimersByTime(1999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exit).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(await running).toBe(1);
    expect(out.stderr.endsWith("\nmkp: the login was not done within 2 s: start the login again (MKP_OAUTH_LOGIN_TIMEOUT)\n")).toBe(true);
    expect(await readdir(dir.path)).toEqual([]);
  } finally {
    vi.useRealTimers();
  }
});

/** In-process streams that record what `mkp` writes; `onUrl` runs once the authorize URL is printed. */
function collect(env: Record<string, string>, onUrl?: () => void) {
  const out = { stdout: "", stderr: "" };
  const io = {
    env,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: {
      write: (text: string) => {
        out.stderr += text;
        if (/\/authorize\?/.test(text)) onUrl?.();
      },
    },
  };
  return { out, io };
}
