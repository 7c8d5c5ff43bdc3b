import { parseArgs } from "node:util";
import { MakeprintableError, RESPONSE_TYPES, SCOPES, type Scope } from "@mkp/client";
import { isExpired } from "../is-expired.js";
import { loopbackLogin, type LoopbackLoginOptions } from "./loopback-login.js";

/** What the CLI reads and writes; `process` by default, injected by tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Extra options for `loopbackLogin` (tests hook `onAuthorizeUrl` and `fetch` here). */
  login?: Partial<LoopbackLoginOptions>;
  now?: () => number;
}

const USAGE = `Usage: mkp login [options]

Logs in to Makeprintable through your browser (OAuth 2.0 with PKCE over a loopback redirect,
RFC 8252) and reports when the access token expires. The app must register the redirect URI
http://127.0.0.1/callback (any port).

Options:
  --client-id <id>         your app's client ID      (env MAKEPRINTABLE_CLIENT_ID)
  --client-secret <secret> your app's client secret  (env MAKEPRINTABLE_CLIENT_SECRET; prefer the
                           env: command lines are visible to other users of the machine)
  --scope <scope>          a scope to ask for; repeat for more (add_file, fix)
  --base-url <url>         the API's base URL        (env MAKEPRINTABLE_BASE_URL)
  --authorize-url <url>    the authorize page        (env MAKEPRINTABLE_AUTHORIZE_URL)
  --response-type <type>   authorization_code (default) or code
  --port <n>               the loopback port (default: an ephemeral one)
  --timeout <seconds>      how long to wait for the browser (default 180)
  --open                   open the URL in your browser
  --print-token            print the access token on stdout (and nothing else there)
  -h, --help               show this help
`;

/** `text` without C0 and C1 control characters (line breaks included): server text must not move the cursor, clear the screen or fake a line. */
export const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");

/**
 * Runs `mkp <args>` and resolves to the exit code: 0 logged in, 1 the login failed, 2 bad usage.
 * The token is printed only with `--print-token`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        scope: { type: "string", multiple: true },
        "base-url": { type: "string" },
        "authorize-url": { type: "string" },
        "response-type": { type: "string" },
        port: { type: "string" },
        timeout: { type: "string" },
        open: { type: "boolean" },
        "print-token": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.stderr.write(`mkp: ${printable((error as Error).message)}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const usage = (message: string) => (io.stderr.write(`mkp login: ${message}\n\n${USAGE}`), 2);
  if (positionals.length !== 1 || positionals[0] !== "login") return usage(`unknown command ${JSON.stringify(positionals.join(" "))}`);
  const env = (name: string) => io.env[name] || undefined;
  const clientId = v["client-id"] ?? env("MAKEPRINTABLE_CLIENT_ID");
  const clientSecret = v["client-secret"] ?? env("MAKEPRINTABLE_CLIENT_SECRET");
  if (!clientId) return usage("give --client-id or set MAKEPRINTABLE_CLIENT_ID");
  if (!clientSecret) return usage("give --client-secret or set MAKEPRINTABLE_CLIENT_SECRET");
  const number = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number`);
    return Number(value);
  };
  let port, timeout;
  try {
    port = number(v.port, "port");
    timeout = number(v.timeout, "timeout");
  } catch (error) {
    return usage((error as Error).message);
  }
  const unknownScope = v.scope?.find((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknownScope !== undefined) return usage(`unknown scope ${JSON.stringify(printable(unknownScope))}: the scopes are ${SCOPES.join(", ")}`);
  const responseType = v["response-type"];
  if (responseType !== undefined && !(RESPONSE_TYPES as readonly string[]).includes(responseType)) {
    return usage(`--response-type must be one of ${RESPONSE_TYPES.join(", ")}`);
  }
  try {
    const now = io.now ?? Date.now;
    const token = await loopbackLogin({
      now,
      clientId,
      clientSecret,
      scopes: v.scope as Scope[] | undefined,
      port,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      openBrowser: v.open ?? false,
      baseUrl: v["base-url"] ?? env("MAKEPRINTABLE_BASE_URL"),
      authorizeUrl: v["authorize-url"] ?? env("MAKEPRINTABLE_AUTHORIZE_URL"),
      responseType: responseType as LoopbackLoginOptions["responseType"],
      onAuthorizeUrl: (url) => io.stderr.write(`Open this URL in your browser to log in to Makeprintable:\n\n  ${url}\n\n`),
      ...io.login,
    });
    const expiry = token.expiresAt
      ? `The access token expires at ${token.expiresAt.toISOString()} (in ${Math.round((token.expiresAt.getTime() - now()) / 60_000)} min)${isExpired(token, { now, skewSeconds: 0 }) ? " — already expired" : ""}.`
      : "The server did not say when the access token expires.";
    const report = `Logged in to Makeprintable${token.scopes?.length ? ` with scopes ${printable(token.scopes.join(", "))}` : ""}. ${expiry}\n`;
    if (v["print-token"]) {
      io.stderr.write(report);
      io.stdout.write(`${token.accessToken}\n`);
    } else {
      io.stdout.write(report);
    }
    return 0;
  } catch (error) {
    const detail = error instanceof MakeprintableError ? `${printable(error.message)} (${error.code})` : "unexpected error";
    io.stderr.write(`mkp login: ${detail}\n`);
    return 1;
  }
}
