import { startMockServer, type MockServer } from "@mkp/mock-server";
import { createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli, type CliIo } from "../src/node/run-cli.js";
import { fakeOpener } from "./helpers.js";

// `mkp login` run in-process (so mutation testing exercises src/node/run-cli.ts) against
// @mkp/mock-server with `autoApprove`: following the printed URL redirects straight to the CLI's
// loopback listener with a code, as a browser would after the user clicked Allow.
let sandbox: MockServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  if (sandbox) expect(sandbox.specViolations).toEqual([]);
  await sandbox?.close();
  sandbox = undefined;
});

const T0 = 2_000_000_000_000; // 2033-05-18T03:33:20.000Z, after the real clock, so a real Date.now differs
let clock = T0;
async function startSandbox() {
  clock = T0;
  sandbox = await startMockServer({ now: () => clock, strict: true, autoApprove: true });
  return sandbox;
}

const PROMPT = /^Open this URL in your browser to log in to Makeprintable:\n\n {2}(http\S+)\n\n$/;

/**
 * An `io` that records stdout and stderr; when the CLI prints the authorize URL, `browser` plays
 * the user's browser (by default: follow it, landing on the CLI's callback page).
 */
function cli(env: Record<string, string>, options: { browser?: (url: string) => unknown; now?: () => number; login?: CliIo["login"] } = {}) {
  const out = { stdout: "", stderr: "", urls: [] as string[], pages: [] as Promise<Response>[] };
  const browser = options.browser ?? ((url: string) => out.pages.push(fetch(url)));
  const io: CliIo = {
    env,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: {
      write: (text: string) => {
        out.stderr += text;
        const url = text.match(PROMPT)?.[1];
        if (url) {
          out.urls.push(url);
          browser(url);
        }
      },
    },
    now: options.now ?? (() => clock),
    ...(options.login && { login: options.login }),
  };
  return { out, io };
}

const credentialsEnv = (s: MockServer) => ({ MAKEPRINTABLE_CLIENT_ID: s.demo.clientId, MAKEPRINTABLE_CLIENT_SECRET: s.demo.clientSecret });
const sandboxEnv = (s: MockServer) => ({ ...credentialsEnv(s), MAKEPRINTABLE_BASE_URL: s.apiUrl, MAKEPRINTABLE_AUTHORIZE_URL: s.authorizeUrl });

/** What `mkp --help` prints, the tail of every usage error. */
async function usageText() {
  const { out, io } = cli({});
  expect(await runCli(["--help"], io)).toBe(0);
  return out.stdout;
}

/** A TCP port that was free a moment ago. */
async function freePort() {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("runCli (mkp login, in-process)", () => {
  it("--help and -h print the usage on stdout and exit 0", async () => {
    const usage = await usageText();
    expect(usage.startsWith("Usage: mkp login [options]\n\nLogs in to Makeprintable through your browser")).toBe(true);
    for (const flag of ["--client-id <id>", "--client-secret <secret>", "--scope <scope>", "--base-url <url>", "--authorize-url <url>", "--response-type <type>", "--port <n>", "--timeout <seconds>", "--open", "--print-token", "-h, --help"]) {
      expect(usage).toContain(`\n  ${flag} `);
    }
    const { out, io } = cli({});
    expect(await runCli(["login", "-h"], io)).toBe(0);
    expect(out).toMatchObject({ stdout: usage, stderr: "" });
  });

  it.each([
    [[], {}, 'mkp login: unknown command ""'],
    [["logout"], {}, 'mkp login: unknown command "logout"'],
    [["login", "now"], {}, 'mkp login: unknown command "login now"'],
    [["login"], {}, "mkp login: give --client-id or set MAKEPRINTABLE_CLIENT_ID"],
    [["login"], { MAKEPRINTABLE_CLIENT_ID: "", MAKEPRINTABLE_CLIENT_SECRET: "y" }, "mkp login: give --client-id or set MAKEPRINTABLE_CLIENT_ID"],
    [["login"], { MAKEPRINTABLE_CLIENT_ID: "x" }, "mkp login: give --client-secret or set MAKEPRINTABLE_CLIENT_SECRET"],
    [["login", "--client-id", "x"], { MAKEPRINTABLE_CLIENT_SECRET: "" }, "mkp login: give --client-secret or set MAKEPRINTABLE_CLIENT_SECRET"],
    [["login", "--client-id", "x", "--client-secret", "y", "--port", "eighty"], {}, "mkp login: --port must be a whole number"],
    [["login", "--client-id", "x", "--client-secret", "y", "--port", "x80"], {}, "mkp login: --port must be a whole number"],
    [["login", "--client-id", "x", "--client-secret", "y", "--port", "80x"], {}, "mkp login: --port must be a whole number"],
    [["login", "--client-id", "x", "--client-secret", "y", "--timeout", "1.5"], {}, "mkp login: --timeout must be a whole number"],
    [["login", "--client-id", "x", "--client-secret", "y", "--response-type", "token"], {}, "mkp login: --response-type must be one of authorization_code, code"],
  ])("%j with env %j is a usage error (exit 2) that ends with the usage", async (argv, env, message) => {
    const usage = await usageText();
    const { out, io } = cli(env);
    expect(await runCli(argv, io)).toBe(2);
    expect(out).toMatchObject({ stdout: "", stderr: `${message}\n\n${usage}` });
  });

  it("reports an unknown option as parseArgs words it, then the usage (exit 2)", async () => {
    const usage = await usageText();
    const { out, io } = cli({});
    expect(await runCli(["login", "--bogus"], io)).toBe(2);
    expect(out.stderr.startsWith("mkp: Unknown option '--bogus'")).toBe(true);
    expect(out.stderr.endsWith(`\n\n${usage}`)).toBe(true);
    expect(out.stdout).toBe("");
  });

  it("logs in with everything from the environment and prints the expiry on the injected clock, never the token", async () => {
    const s = await startSandbox();
    const tokens: string[] = [];
    const { out, io } = cli(sandboxEnv(s), {
      login: {
        fetch: async (request) => {
          const response = await fetch(request);
          tokens.push(((await response.clone().json()) as { access_token: string }).access_token);
          return response;
        },
      },
    });
    expect(await runCli(["login", "--scope", "fix", "--scope", "add_file"], io)).toBe(0);
    expect(out.stdout).toBe("Logged in to Makeprintable with scopes fix, add_file. The access token expires at 2033-05-18T04:33:20.000Z (in 60 min).\n");
    expect(out.urls).toHaveLength(1);
    expect(out.stderr).toBe(`Open this URL in your browser to log in to Makeprintable:\n\n  ${out.urls[0]}\n\n`);
    const authorize = new URL(out.urls[0]!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(s.authorizeUrl);
    expect(authorize.searchParams.get("client_id")).toBe("demo-app");
    expect(authorize.searchParams.get("scope")).toBe("fix add_file");
    expect(authorize.searchParams.get("response_type")).toBe("authorization_code");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const page = await out.pages[0]!;
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You are logged in to Makeprintable.");
    expect(tokens).toHaveLength(1);
    expect(out.stdout + out.stderr).not.toContain(tokens[0]);
    expect(out.stdout + out.stderr).not.toContain(s.demo.clientSecret);
  });

  it("prefers flags to the environment, and prints only the token on stdout with --print-token", async () => {
    const s = await startSandbox();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const tokens: string[] = [];
    const { out, io } = cli(
      { MAKEPRINTABLE_CLIENT_ID: "someone-else", MAKEPRINTABLE_CLIENT_SECRET: "wrong-secret", MAKEPRINTABLE_BASE_URL: `${dead}/v1`, MAKEPRINTABLE_AUTHORIZE_URL: `${dead}/authorize` },
      {
        login: {
          fetch: async (request) => {
            const response = await fetch(request);
            tokens.push(((await response.clone().json()) as { access_token: string }).access_token);
            return response;
          },
        },
      },
    );
    const argv = ["login", "--client-id", s.demo.clientId, "--client-secret", s.demo.clientSecret, "--base-url", s.apiUrl, "--authorize-url", s.authorizeUrl, "--response-type", "code", "--print-token"];
    expect(await runCli(argv, io)).toBe(0);
    expect(new URL(out.urls[0]!).searchParams.get("response_type")).toBe("code");
    expect(new URL(out.urls[0]!).searchParams.get("client_id")).toBe("demo-app");
    expect(tokens).toHaveLength(1);
    expect(out.stdout).toBe(`${tokens[0]}\n`);
    expect(out.stderr.endsWith("\n\nLogged in to Makeprintable. The access token expires at 2033-05-18T04:33:20.000Z (in 60 min).\n")).toBe(true);
  });

  it("listens on --port", async () => {
    const s = await startSandbox();
    const port = await freePort();
    const { out, io } = cli(sandboxEnv(s));
    expect(await runCli(["login", "--port", String(port)], io)).toBe(0);
    expect(new URL(out.urls[0]!).searchParams.get("redirect_uri")).toBe(`http://127.0.0.1:${port}/callback`);
  });

  it("says when the token is already expired on the clock, and when the server gave no expiry", async () => {
    const s = await startSandbox();
    // exchangeCode reads the clock once (receivedAt); the CLI reads it again for its report.
    let reads = 0;
    const late = cli(sandboxEnv(s), { now: () => (reads++ === 0 ? T0 : T0 + 2 * 3_600_000) });
    expect(await runCli(["login"], late.io)).toBe(0);
    expect(late.out.stdout).toBe("Logged in to Makeprintable. The access token expires at 2033-05-18T04:33:20.000Z (in -60 min) — already expired.\n");

    reads = 0;
    const soon = cli(sandboxEnv(s), { now: () => (reads++ === 0 ? T0 : T0 + 3_590_000) });
    expect(await runCli(["login"], soon.io)).toBe(0);
    expect(soon.out.stdout).toBe("Logged in to Makeprintable. The access token expires at 2033-05-18T04:33:20.000Z (in 0 min).\n");

    const silent = cli(sandboxEnv(s), {
      login: {
        fetch: async (request) => {
          const { expires_in: _, ...body } = (await (await fetch(request)).json()) as Record<string, unknown>;
          return Response.json(body);
        },
      },
    });
    expect(await runCli(["login"], silent.io)).toBe(0);
    expect(silent.out.stdout).toBe("Logged in to Makeprintable. The server did not say when the access token expires.\n");
  });

  it("reports a failed login with the error's message and code (exit 1)", async () => {
    const s = await startSandbox();
    const { out, io } = cli({ ...sandboxEnv(s), MAKEPRINTABLE_CLIENT_SECRET: "not-the-secret" });
    expect(await runCli(["login"], io)).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr.endsWith("\n\nmkp login: the token endpoint (HTTP 401) answered invalid_client: Client authentication failed. (check the client ID and secret) (MKP_OAUTH_TOKEN_ERROR)\n")).toBe(true);
    expect(out.stderr).not.toContain("not-the-secret");
  });

  it("reports an option error before listening, and anything that is not ours as an unexpected error", async () => {
    const bad = cli({ MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" });
    expect(await runCli(["login", "--authorize-url", "http://example.test/authorize"], bad.io)).toBe(1);
    expect(bad.out.stderr).toBe("mkp login: authorizeUrl must be https (http only on loopback), got http: (MKP_OAUTH_INVALID_OPTIONS)\n");

    const s = await startSandbox();
    const broken = cli(sandboxEnv(s), {
      now: () => {
        throw new Error("the clock broke: secret-detail");
      },
    });
    expect(await runCli(["login"], broken.io)).toBe(1);
    expect(broken.out.stderr.endsWith("\n\nmkp login: unexpected error\n")).toBe(true);
  });

  it("gives up after --timeout seconds (on fake timers: no waiting)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let shown = () => {};
    const printed = new Promise<void>((resolve) => (shown = resolve));
    const { out, io } = cli({ MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" }, { browser: () => shown() });
    let exit: number | undefined;
    const running = runCli(["login", "--timeout", "2"], io).then((code) => (exit = code));
    await printed;
    vi.advanceTimersByTime(1999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exit).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(await running).toBe(1);
    expect(out.stderr.endsWith("\n\nmkp login: the login was not done within 2 s: start the login again (MKP_OAUTH_LOGIN_TIMEOUT)\n")).toBe(true);
  });

  it.runIf(process.platform === "linux")("only --open runs xdg-open: detached, in a session of its own, its output discarded", async () => {
    const s = await startSandbox();
    const opener = await fakeOpener();
    try {
      vi.stubEnv("PATH", `${opener.dir}:${process.env.PATH}`);
      const quiet = cli(sandboxEnv(s));
      expect(await runCli(["login"], quiet.io)).toBe(0);
      // The opener plays the browser: once it has run, follow the URL it was given.
      const { out, io } = cli(sandboxEnv(s), { browser: () => void opener.nthUrl(1).then((url) => out.pages.push(fetch(url))) });
      expect(await runCli(["login", "--open"], io)).toBe(0);
      expect(await opener.runs()).toEqual([["xdg-open", out.urls[0], "/dev/null", "own"]]);
    } finally {
      await opener.remove();
    }
  });
});
