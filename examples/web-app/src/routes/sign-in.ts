import { SCOPES } from "@mkp/client";
import { AccessDeniedError, buildAuthorizationUrl, exchangeCode, parseCallback, StateMismatchError, TokenError, type OAuthToken } from "@mkp/oauth";
import { Hono } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { WebAppContext } from "../context.js";
import { problem } from "../pages.js";

/** What the page says for each way a sign-in can fail. */
function signInFailure(error: unknown): { title: string; message: string; status: 200 | 400 | 502 } {
  if (error instanceof AccessDeniedError)
    return { title: "Not connected", message: "You chose not to connect your Makeprintable account. Nothing was shared.", status: 200 };
  if (error instanceof StateMismatchError)
    return { title: "Sign-in rejected", message: "The sign-in response did not match the request we sent, so we ignored it.", status: 400 };
  if (error instanceof TokenError && error.error === "invalid_grant")
    return { title: "Sign-in expired", message: "The sign-in took too long or was already completed. Please sign in again.", status: 400 };
  const code = error instanceof Error && "code" in error ? String(error.code) : "unknown";
  return { title: "Sign-in failed", message: `Makeprintable sign-in failed (${code}). Please try again.`, status: 502 };
}

/** The flow cookie's content: this app's own signed JSON, so anything else is a bug worth a 500. */
function flowOf(text: string): { state: string; codeVerifier?: string } {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || !("state" in value) || typeof value.state !== "string") throw new Error("the flow cookie holds no state");
  return "codeVerifier" in value && typeof value.codeVerifier === "string" ? { state: value.state, codeVerifier: value.codeVerifier } : { state: value.state };
}

/** "Connect Makeprintable" → authorize → consent → callback → signed in; and signing out. */
export function signInRoutes(context: WebAppContext): Hono {
  const { config, secure } = context;
  const routes = new Hono();
  const flowCookieOptions = { path: "/callback", secure, httpOnly: true, sameSite: "Lax" } as const;

  routes.get("/login", async (c) => {
    const { url, state, codeVerifier } = await buildAuthorizationUrl({
      clientId: config.clientId,
      redirectUri: context.redirectUri,
      scopes: [...(config.scopes ?? SCOPES)],
      pkce: true,
      ...(config.authorizeUrl ? { authorizeUrl: config.authorizeUrl } : {}),
    });
    // state and the PKCE verifier ride in a signed, httpOnly cookie scoped to the callback.
    await setSignedCookie(c, context.flowCookie, JSON.stringify({ state, codeVerifier }), config.cookieSecret, { ...flowCookieOptions, maxAge: 600 });
    return c.redirect(url, 302);
  });

  routes.get("/callback", async (c) => {
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
    const flow = await getSignedCookie(c, config.cookieSecret, context.flowCookie);
    // One attempt per login: a replayed callback URL finds no flow cookie.
    deleteCookie(c, context.flowCookie, flowCookieOptions);
    if (typeof flow !== "string") {
      return c.html(problem("Sign-in rejected", "This sign-in link is not valid any more (it was used already, or it did not start here)."), 400);
    }
    const { state, codeVerifier } = flowOf(flow);
    let token: OAuthToken;
    try {
      const { code } = parseCallback(c.req.url, { expectedState: state });
      token = await exchangeCode({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        redirectUri: context.redirectUri,
        code,
        ...(codeVerifier ? { codeVerifier } : {}),
        ...(config.apiBaseUrl ? { baseUrl: config.apiBaseUrl } : {}),
        ...(config.fetch ? { fetch: config.fetch } : {}),
        now: context.now,
      });
    } catch (error) {
      const { title, message, status } = signInFailure(error);
      return c.html(problem(title, message), status);
    }
    const sessionId = context.startSession(token);
    await setSignedCookie(c, context.sessionCookie, sessionId, config.cookieSecret, { httpOnly: true, sameSite: "Lax", secure, path: "/" });
    // Redirect so the code leaves the address bar and the history entry.
    return c.redirect("/", 303);
  });

  routes.post("/logout", async (c) => {
    const session = await context.sessionOf(c);
    if (session) context.endSession(session.id);
    deleteCookie(c, context.sessionCookie, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
    return c.redirect("/", 303);
  });

  return routes;
}
