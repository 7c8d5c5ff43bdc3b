import { RESPONSE_TYPES, SCOPES, type Scope } from "@mkp/client";
import { API_KEY_VARIABLE, deleteLogin, findCredentials, resolveAuthorizeUrl, saveLogin, tokenFilePath } from "@mkp/node";
import type { OAuthToken } from "@mkp/oauth";
import { LoginTimeoutError, loopbackLogin, type LoopbackLoginOptions } from "@mkp/oauth/node";
import { type Command, InvalidArgumentError, Option } from "commander";
import { CliError, EXIT } from "../errors.js";
import { fieldTable, printable } from "../output.js";
import type { Program } from "../run-cli.js";

interface LoginOptions {
  clientId?: string;
  clientSecret?: string;
  // commander checks the values against SCOPES (`.choices`).
  scope?: Scope[];
  authorizeUrl?: string;
  responseType?: LoopbackLoginOptions["responseType"];
  port?: number;
  timeout?: number;
  open?: boolean;
  printToken?: boolean;
  json?: boolean;
}

const wholeNumber = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number.");
  return Number(value);
};

const portNumber = (value: string) => {
  const port = wholeNumber(value);
  if (port > 65_535) throw new InvalidArgumentError("expected a port from 0 to 65535 (0: any free port).");
  return port;
};

/** "in 59 min" / "42 min ago", for expiry times. */
function relative(date: Date, now: number): string {
  const minutes = Math.round((date.getTime() - now) / 60_000);
  return minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`;
}

/** `mkp login`, `mkp logout`, `mkp status`. */
export function addAuthCommands(program: Program): void {
  program.command
    .command("login")
    .description("log in through your browser (OAuth 2.0 with PKCE over a loopback redirect, RFC 8252) and keep the token in your config directory")
    .option("--client-id <id>", "your app's client ID (env MAKEPRINTABLE_CLIENT_ID)")
    .option("--client-secret <secret>", "your app's client secret (env MAKEPRINTABLE_CLIENT_SECRET; prefer the env: command lines are visible to other users)")
    .addOption(new Option("--scope <scope...>", "scopes to ask for; repeat for more").choices(SCOPES))
    .option("--authorize-url <url>", "the authorize page (env MAKEPRINTABLE_AUTHORIZE_URL; default: what the API's server publishes, else Makeprintable's)")
    .addOption(new Option("--response-type <type>", "the response_type to send").choices(RESPONSE_TYPES))
    .option("--port <n>", "the loopback port (default: an ephemeral one)", portNumber)
    .option("--timeout <seconds>", "how long to wait for the browser (default 180)", wholeNumber)
    .option("--open", "open the URL in your browser")
    .option("--print-token", "also print the access token on stdout (and nothing else there; not with --json)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nThe app must register the redirect URI http://127.0.0.1/callback (any port).\n")
    .action((options: LoginOptions, command: Command) => login(program, options, command));

  program.command
    .command("logout")
    .description("forget the stored login (delete the token file)")
    .option("--json", "print the result as JSON")
    .action((options: { json?: boolean }) => logout(program, options));

  program.command
    .command("status")
    .description("say which credential mkp uses (never showing it) and when a stored login expires")
    .option("--json", "print the status as JSON")
    .action((options: { json?: boolean }) => status(program, options));
}

/** `mkp login`: the loopback login, then the token stored for the base URL in use. */
async function login(program: Program, options: LoginOptions, command: Command): Promise<void> {
  // --json would share stdout with the token: `$(mkp login --print-token)` must get the token alone.
  // Checked here, not with commander's .conflicts(): --json is the program's option (see run-cli.ts).
  if (options.printToken && options.json) {
    command.error("error: option '--print-token' cannot be used with option '--json'", { exitCode: EXIT.usage, code: "commander.conflictingOption" });
  }
  const run = program.run();
  const env = (name: string) => run.io.env[name] || undefined;
  const clientId = options.clientId ?? env("MAKEPRINTABLE_CLIENT_ID");
  const clientSecret = options.clientSecret ?? env("MAKEPRINTABLE_CLIENT_SECRET");
  if (!clientId) throw new CliError("give --client-id or set MAKEPRINTABLE_CLIENT_ID", EXIT.usage);
  if (!clientSecret) throw new CliError("give --client-secret or set MAKEPRINTABLE_CLIENT_SECRET", EXIT.usage);
  // The sandbox (or any API other than Makeprintable's) publishes its authorize page (RFC 8414).
  const authorizeUrl = await resolveAuthorizeUrl({
    authorizeUrl: { value: options.authorizeUrl, source: "--authorize-url" },
    baseUrl: run.baseUrlSetting(),
    env: run.io.env,
    fetch: run.io.login?.fetch,
    signal: run.signal,
  });
  let token: OAuthToken;
  try {
    token = await loopbackLogin({
      now: run.now,
      clientId,
      clientSecret,
      scopes: options.scope,
      port: options.port,
      timeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
      openBrowser: options.open ?? false,
      baseUrl: run.baseUrl,
      authorizeUrl: authorizeUrl.value,
      responseType: options.responseType,
      signal: run.signal,
      onAuthorizeUrl: (url) => run.note(`Open this URL in your browser to log in to Makeprintable:\n\n  ${printable(url)}\n`),
      ...run.io.login,
    });
  } catch (error) {
    if (error instanceof LoginTimeoutError && run.signal?.aborted) throw new CliError("the login was interrupted: nothing was stored", EXIT.interrupted);
    throw error;
  }
  const file = await saveLogin({ baseUrl: run.baseUrl, accessToken: token.accessToken, expiresAt: token.expiresAt, scopes: token.scopes }, run.place);
  const scopes = (token.scopes ?? []).map(printable);
  if (options.json) {
    run.json({ loggedIn: true, baseUrl: run.baseUrl, expiresAt: token.expiresAt?.toISOString() ?? null, scopes, tokenFile: file });
  } else {
    const expiry = token.expiresAt
      ? `The token expires at ${token.expiresAt.toISOString()} (${relative(token.expiresAt, run.now())}).`
      : "The server did not say when the token expires.";
    const report = `Logged in to ${run.baseUrl}${scopes.length ? ` with scopes ${scopes.join(", ")}` : ""}. ${expiry} Saved to ${file}.`;
    // With --print-token, stdout carries the token alone (for `$(mkp login --print-token)`).
    if (options.printToken) run.note(report);
    else run.out(report);
  }
  if (options.printToken) run.io.stdout.write(`${token.accessToken}\n`);
}

/** `mkp logout`: the stored login deleted. */
async function logout(program: Program, options: { json?: boolean }): Promise<void> {
  const run = program.run();
  const file = await deleteLogin(run.place);
  if (options.json) return run.json({ loggedOut: file !== undefined, tokenFile: file ?? tokenFilePath(run.place) });
  run.out(file ? `Logged out: deleted ${file}.` : `Not logged in: there is no ${tokenFilePath(run.place)}.`);
  if (run.io.env[API_KEY_VARIABLE]) run.note(`${API_KEY_VARIABLE} is still set: mkp keeps using it.`);
}

/** `mkp status`: which credential is in use, never showing it. */
async function status(program: Program, options: { json?: boolean }): Promise<void> {
  const run = program.run();
  const found = await findCredentials({ ...run.place, baseUrl: run.baseUrl, now: run.now });
  const { login } = found;
  const loginUsable = login !== undefined && found.loginMatchesBaseUrl && !found.loginExpired;
  const credential = found.apiKey ? API_KEY_VARIABLE : loginUsable ? "login" : null;
  if (options.json) {
    run.json({
      baseUrl: run.baseUrl,
      credential,
      login: login
        ? {
            tokenFile: login.file,
            baseUrl: login.baseUrl,
            expiresAt: login.expiresAt?.toISOString() ?? null,
            expired: found.loginExpired,
            scopes: login.scopes,
          }
        : null,
    });
  } else {
    const loginLine = !login
      ? `none (${tokenFilePath(run.place)} does not exist)`
      : `${login.file}, for ${login.baseUrl}, ${login.expiresAt ? `${found.loginExpired ? "expired" : "expires"} at ${login.expiresAt.toISOString()} (${relative(login.expiresAt, run.now())})` : "no expiry given"}`;
    const inUse = found.apiKey
      ? `${API_KEY_VARIABLE} (from the environment)${login ? "; the stored login is not used while it is set" : ""}`
      : loginUsable
        ? "the stored login"
        : "none";
    run.out(
      fieldTable([
        ["API", run.baseUrl],
        ["credential", inUse],
        ["stored login", loginLine],
      ]),
    );
  }
  if (credential) return;
  if (login && !found.loginMatchesBaseUrl)
    throw new CliError(`the stored login is for ${login.baseUrl}: run \`mkp login --base-url ${run.baseUrl}\`, or set ${API_KEY_VARIABLE}`);
  if (found.loginExpired) throw new CliError("the stored login has expired: log in again with `mkp login`");
  throw new CliError(`not logged in: set ${API_KEY_VARIABLE} to your API key, or run \`mkp login\``);
}
