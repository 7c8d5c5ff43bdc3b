import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../src/node/run-cli.js";
import { actAsUser } from "./helpers.js";
import { startOidcProvider } from "./oidc-provider.js";

const app = { clientId: "cli-app", clientSecret: "cli-secret-9f8e7d6c5b4a", redirectUris: ["http://127.0.0.1/callback"] };
const user = { fill: { login: "alice", password: "anything" } };
const bin = fileURLToPath(new URL("../dist/node/cli.js", import.meta.url));

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

/** Drives the URL the CLI printed on stderr, as the user's browser would. */
async function approvePrinted(stderr: () => string) {
  let match: RegExpMatchArray | null = null;
  while (!(match = stderr().match(/^ {2}(http\S+)$/m))) await new Promise((resolve) => setTimeout(resolve, 10));
  const url = match[1]!;
  const callback = await actAsUser(url, new URL(url).searchParams.get("redirect_uri")!, user);
  const page = await fetch(callback);
  expect(await page.text()).toContain("You are logged in");
}

function io(env: Record<string, string>) {
  const out = { stdout: "", stderr: "", tokens: [] as string[] };
  return {
    out,
    io: {
      env,
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      now: () => Date.now(),
      login: {
        // Records what the token endpoint sent, to check that the CLI does not print it.
        fetch: async (request: Request) => {
          const response = await fetch(request);
          out.tokens.push(((await response.clone().json()) as { access_token: string }).access_token);
          return response;
        },
      },
    },
  };
}

describe("mkp login", () => {
  it("logs in with credentials from the environment and prints the expiry, never the token", async () => {
    const op = await startOidcProvider(app);
    close = op.close;
    const { out, io: cliIo } = io({ MAKEPRINTABLE_CLIENT_ID: app.clientId, MAKEPRINTABLE_CLIENT_SECRET: app.clientSecret, MAKEPRINTABLE_AUTHORIZE_URL: op.authorizeUrl });
    const exit = runCli(["login", "--base-url", op.baseUrl, "--response-type", "code", "--scope", "fix"], cliIo);
    await approvePrinted(() => out.stderr);
    expect(await exit).toBe(0);
    expect(out.stderr).toContain("Open this URL in your browser to log in to Makeprintable:");
    expect(out.stdout).toMatch(/^Logged in to Makeprintable with scopes fix\. The access token expires at \d{4}-\d\d-\d\dT[\d:.]+Z \(in 60 min\)\.\n$/);
    expect(out.tokens).toHaveLength(1);
    expect(out.stdout + out.stderr).not.toContain(out.tokens[0]);
    expect(out.stdout + out.stderr).not.toContain(app.clientSecret);
  });

  it("prints only the token on stdout with --print-token", async () => {
    const op = await startOidcProvider(app);
    close = op.close;
    const { out, io: cliIo } = io({});
    const exit = runCli(
      ["login", "--client-id", app.clientId, "--client-secret", app.clientSecret, "--authorize-url", op.authorizeUrl, "--base-url", op.baseUrl, "--response-type", "code", "--scope", "fix", "--print-token"],
      cliIo,
    );
    await approvePrinted(() => out.stderr);
    expect(await exit).toBe(0);
    expect(out.stdout).toBe(`${out.tokens[0]}\n`);
    expect(out.stderr).toContain("Logged in to Makeprintable with scopes fix.");
  });

  it.each([
    [["login"], {}, "mkp login: give --client-id or set MAKEPRINTABLE_CLIENT_ID"],
    [["login"], { MAKEPRINTABLE_CLIENT_ID: "x" }, "mkp login: give --client-secret or set MAKEPRINTABLE_CLIENT_SECRET"],
    [["logout"], {}, 'mkp login: unknown command "logout"'],
    [["login", "--port", "eighty"], { MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" }, "mkp login: --port must be a whole number"],
    [["login", "--response-type", "token"], { MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" }, "mkp login: --response-type must be one of authorization_code, code"],
    [["login", "--bogus"], {}, "mkp: Unknown option '--bogus'"],
  ])("%j with env %j is a usage error (exit 2)", async (argv, env, message) => {
    const { out, io: cliIo } = io(env);
    expect(await runCli(argv, cliIo)).toBe(2);
    expect(out.stderr.split("\n")[0]).toContain(message);
    expect(out.stderr).toContain("Usage: mkp login [options]");
  });

  it("reports a failed login with the error's code (exit 1)", async () => {
    const { out, io: cliIo } = io({ MAKEPRINTABLE_CLIENT_ID: "x", MAKEPRINTABLE_CLIENT_SECRET: "y" });
    expect(await runCli(["login", "--authorize-url", "http://example.test/authorize"], cliIo)).toBe(1);
    expect(out.stderr).toBe("mkp login: authorizeUrl must be https (http only on loopback), got http: (MKP_OAUTH_INVALID_OPTIONS)\n");
  });

  it("works as the installed `mkp` binary", async () => {
    const op = await startOidcProvider(app);
    close = op.close;
    const child = spawn(process.execPath, [bin, "login", "--response-type", "code", "--scope", "add_file"], {
      env: { PATH: process.env.PATH, MAKEPRINTABLE_CLIENT_ID: app.clientId, MAKEPRINTABLE_CLIENT_SECRET: app.clientSecret, MAKEPRINTABLE_AUTHORIZE_URL: op.authorizeUrl, MAKEPRINTABLE_BASE_URL: op.baseUrl },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await approvePrinted(() => stderr);
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^Logged in to Makeprintable with scopes add_file\. The access token expires at .+ \(in 60 min\)\.\n$/);
  });
});
