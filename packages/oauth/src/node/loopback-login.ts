import { AUTHORIZATION_CODE_LIFETIME_SECONDS, type RESPONSE_TYPES, type Scope } from "@mkp/client";
import { spawn } from "node:child_process";
import { on } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildAuthorizationUrl } from "../build-authorization-url.js";
import { CallbackError, OAuthError, StateMismatchError } from "../errors.js";
import { exchangeCode, type OAuthToken } from "../exchange-code.js";
import { parseCallback } from "../parse-callback.js";
import { LoginTimeoutError } from "./login-timeout-error.js";

/** Options of {@link loopbackLogin}. */
export interface LoopbackLoginOptions {
  /** Your app's client ID. */
  clientId: string;
  /** Your app's client secret. */
  clientSecret: string;
  /** Scopes to ask for. Default: none. */
  scopes?: readonly Scope[] | undefined;
  /** The loopback port to listen on. Default: 0, an ephemeral port (the app must register `http://127.0.0.1/callback`). */
  port?: number | undefined;
  /** Opens the authorize URL in the user's browser (`true`: the platform's opener; or your function). Default: false. */
  openBrowser?: boolean | ((url: string) => void | Promise<void>) | undefined;
  /** Gives up waiting for the callback after this many milliseconds. Default: 180 000 (a code's lifetime). */
  timeoutMs?: number | undefined;
  /** Receives the authorize URL to show the user. Default: prints it on stderr. */
  onAuthorizeUrl?: ((url: string) => void) | undefined;
  /** The authorize endpoint. Default: the spec's `AUTHORIZATION_URL`. */
  authorizeUrl?: string | undefined;
  /** The API's base URL, for `POST /token`. Default: as `exchangeCode`. */
  baseUrl?: string | undefined;
  /** `response_type`. Default: `authorization_code`; `code` for RFC 6749 servers. */
  responseType?: (typeof RESPONSE_TYPES)[number] | undefined;
  /** Uses PKCE (RFC 8252 §8.1 requires it of native apps). Default: true. */
  pkce?: boolean | undefined;
  /** The `fetch` for the token request. Default: `globalThis.fetch`. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Aborts the login. */
  signal?: AbortSignal | undefined;
  /** The clock, in milliseconds, for the token's `receivedAt` and `expiresAt`. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

const CALLBACK_PATH = "/callback";

function answer(res: ServerResponse, status: number, text: string): Promise<void> {
  const html = `<!doctype html><meta charset="utf-8"><title>Makeprintable login</title><p>${text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'",
    connection: "close",
  });
  return new Promise((resolve) => res.end(html, resolve));
}

// Each opener takes the URL as one argument, with no shell between: through `cmd /c start`, an `&`
// in the URL (between its parameters, or planted in an authorize URL) would end the command and
// start another. On Windows, url.dll's FileProtocolHandler opens the URL in the default browser.
function openWithPlatform(url: string): void {
  const [command, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["rundll32", ["url.dll,FileProtocolHandler", url]] : ["xdg-open", [url]];
  // Best effort: the URL was printed already, so a missing opener only costs a copy-paste.
  spawn(command, args as string[], { stdio: "ignore", detached: true })
    .on("error", () => {})
    .unref();
}

// The callback's request target, or `undefined` for anything else (another path or method, or a
// target that is no URL at all, such as `GET http://[`): those get a 404, never a crash.
function callbackTarget(req: IncomingMessage, redirectUri: string): string | undefined {
  const target = req.url ?? "/";
  return req.method === "GET" && URL.canParse(target, redirectUri) && new URL(target, redirectUri).pathname === CALLBACK_PATH ? target : undefined;
}

/**
 * Logs a user in from a script or CLI (RFC 8252 §7.3): listens on 127.0.0.1 (an ephemeral port
 * unless `port` is given) only for the login, shows (and optionally opens) the authorize URL,
 * waits for the redirect, checks `state`, exchanges the code (with PKCE), answers the browser with a
 * small page and shuts the listener down. A request that is not this login's callback (another
 * path, a malformed target, a missing or wrong `state`) gets an error page, and the login keeps
 * waiting for the real one until `timeoutMs`.
 *
 * @example
 * const token = await loopbackLogin({ clientId, clientSecret, scopes: ["fix"], openBrowser: true });
 *
 * @throws {LoginTimeoutError} when the login was not done within `timeoutMs`, or `signal` aborted (also during the code exchange).
 * @throws the errors of `parseCallback` and `exchangeCode` (access denied, token errors).
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export async function loopbackLogin(options: LoopbackLoginOptions): Promise<OAuthToken> {
  const { clientId, clientSecret, port = 0, openBrowser = false, timeoutMs = AUTHORIZATION_CODE_LIFETIME_SECONDS * 1000 } = options;
  const server = createServer();
  // RFC 8252 §8.3: bind the loopback IP literal, never all interfaces.
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
  // One signal ends the whole login: the caller's abort or the deadline, while waiting or exchanging.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  try {
    const { url, state, codeVerifier } = await buildAuthorizationUrl({
      clientId,
      redirectUri,
      scopes: options.scopes,
      pkce: options.pkce ?? true,
      responseType: options.responseType,
      authorizeUrl: options.authorizeUrl,
    });
    (options.onAuthorizeUrl ?? ((u) => process.stderr.write(`Open this URL in your browser to log in to Makeprintable:\n\n  ${u}\n\n`)))(url);
    // An opener that fails, at once or later, is ignored: the URL was shown, the user can open it.
    if (openBrowser)
      Promise.resolve(url)
        .then(openBrowser === true ? openWithPlatform : openBrowser)
        .catch(() => {});
    // Attached in the same tick as the URL is shown: no request can arrive before it.
    for await (const [req, res] of on(server, "request", { signal }) as AsyncIterable<[IncomingMessage, ServerResponse]>) {
      const target = callbackTarget(req, redirectUri);
      if (target === undefined) {
        await answer(res, 404, "Not found.");
        continue;
      }
      let code: string;
      try {
        ({ code } = parseCallback(target, { expectedState: state }));
      } catch (error) {
        // Not this login's callback (any local process or page can reach the port): keep waiting.
        if (error instanceof StateMismatchError || error instanceof CallbackError) {
          await answer(res, 400, "This is not the login in progress. Finish the login in the tab you opened, or start it again.");
          continue;
        }
        await answer(res, 400, `The login failed: ${(error as OAuthError).message}. You can close this tab.`);
        throw error;
      }
      try {
        const token = await exchangeCode({
          clientId,
          clientSecret,
          redirectUri,
          code,
          codeVerifier,
          baseUrl: options.baseUrl,
          fetch: options.fetch,
          signal,
          now: options.now,
        });
        await answer(res, 200, "You are logged in to Makeprintable. You can close this tab.");
        return token;
      } catch (error) {
        await answer(res, 400, `The login failed: ${error instanceof OAuthError ? error.message : "unexpected error"}. You can close this tab.`);
        throw error;
      }
    }
    throw new Error("unreachable: the request stream ends only by its signal");
  } catch (error) {
    if (!signal.aborted) throw error;
    throw new LoginTimeoutError(
      deadline.signal.aborted ? `the login was not done within ${timeoutMs / 1000} s: start the login again` : "the login was aborted",
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}
