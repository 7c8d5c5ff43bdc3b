import { createClient, FixCallbackError, isFixDone, parseFixCallback, SCOPES, unwrap, uploadItem, type components, type Fix, type Scope } from "@mkp/client";
import { isLoopbackHost } from "@mkp/client/internal";
import { AccessDeniedError, buildAuthorizationUrl, exchangeCode, parseCallback, StateMismatchError, TokenError, type OAuthToken } from "@mkp/oauth";
import { Hono, type Context } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { homeSignedIn, homeSignedOut, problem, repairPage, type ItemRow } from "./pages.js";

/** Everything the app needs to talk to Makeprintable (or the sandbox). */
export interface WebAppConfig {
  clientId: string;
  clientSecret: string;
  /** This app's own origin, e.g. `http://127.0.0.1:3000`; the callback is `${appUrl}/callback`. */
  appUrl: string;
  /** The authorize endpoint (default: Makeprintable's, from the spec). */
  authorizeUrl?: string | undefined;
  /** The API base URL (default: Makeprintable's, from the spec). */
  apiBaseUrl?: string | undefined;
  /** Signs the cookies; at least 32 characters. */
  cookieSecret: string;
  scopes?: readonly Scope[] | undefined;
  /** The `fetch` used to reach Makeprintable (injectable for tests). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /**
   * Whether Makeprintable can reach this app to `POST` a finished repair to its `callback_url`.
   * Default: when the app's URL is public (not loopback), or the API is on loopback too (the sandbox).
   * Otherwise the repair page polls `GET /fixes/{id}`.
   */
  fixCallbacks?: boolean | undefined;
  /** The clock, in milliseconds, for session expiry (injectable for tests). Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** A signed-in browser: its token, and when the session ends (the token's expiry, at most a day). */
interface Session {
  token: OAuthToken;
  endsAt: number;
}
const SESSION_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const CALLBACK_PATH = "/makeprintable/fix-done";
/** How many repairs the app remembers; the oldest are forgotten first. */
const MAX_REPAIRS = 1000;
type Item = components["schemas"]["Item"];

/** A repair this app started: whose it is, the secret in its callback URL, and the fix the callback brought. */
interface Repair {
  sessionId: string;
  fileName: string;
  callbackSecret: string;
  notified?: Fix;
}

/** Compares two secrets in constant time (their digests have the same length whatever was sent). */
const sameSecret = (received: string, expected: string) =>
  timingSafeEqual(createHash("sha256").update(received).digest(), createHash("sha256").update(expected).digest());

const isLoopbackUrl = (url: string | undefined) => url !== undefined && URL.canParse(url) && isLoopbackHost(new URL(url).hostname);

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The example app: "Connect Makeprintable" → authorize → consent → callback → signed in. */
export function createWebApp(config: WebAppConfig): Hono {
  if (config.cookieSecret.length < 32) throw new Error("cookieSecret must be at least 32 characters");
  const secure = config.appUrl.startsWith("https:");
  const now = config.now ?? Date.now;
  // Over https the cookie names carry the browser-enforced prefixes (RFC 6265bis §4.1.3): a
  // `__Host-` cookie is Secure, host-only and for the whole site, so no subdomain can plant one.
  const FLOW_COOKIE = secure ? "__Secure-mkp_flow" : "mkp_flow";
  const SESSION_COOKIE = secure ? "__Host-mkp_session" : "mkp_session";
  const redirectUri = `${config.appUrl}/callback`;
  // Tokens stay on the server: the browser only holds an opaque, signed session id.
  const sessions = new Map<string, Session>();
  // Repairs by fix id. Makeprintable reaches the app on a loopback API (the sandbox) or a public app URL.
  const repairs = new Map<number, Repair>();
  const fixCallbacks = config.fixCallbacks ?? (!isLoopbackUrl(config.appUrl) || isLoopbackUrl(config.apiBaseUrl));
  const app = new Hono();

  const sessionOf = async (c: Context): Promise<{ id: string; token: OAuthToken } | undefined> => {
    const id = await getSignedCookie(c, config.cookieSecret, SESSION_COOKIE);
    const session = typeof id === "string" ? sessions.get(id) : undefined;
    return session && session.endsAt > now() && typeof id === "string" ? { id, token: session.token } : undefined;
  };
  // Ended sessions are dropped whenever a new one starts, so the map holds only live ones.
  const startSession = (token: OAuthToken): string => {
    const time = now();
    for (const [id, session] of sessions) if (session.endsAt <= time) sessions.delete(id);
    const id = randomId();
    sessions.set(id, { token, endsAt: Math.min(token.expiresAt?.getTime() ?? Infinity, time + SESSION_MAX_AGE_MS) });
    return id;
  };
  const sessionToken = async (c: Context): Promise<OAuthToken | undefined> => (await sessionOf(c))?.token;
  const apiFor = (token: OAuthToken) => createClient({ accessToken: token.accessToken, baseUrl: config.apiBaseUrl, fetch: config.fetch });

  // Every state-changing request must come from this app's own pages (Makeprintable's callback is
  // server to server: it proves itself with the secret in its URL instead).
  app.use("*", async (c, next) => {
    if (c.req.method === "POST" && c.req.header("origin") !== config.appUrl && !c.req.path.startsWith(`${CALLBACK_PATH}/`)) {
      return c.html(problem("Request refused", "This form was not sent from this site.", false), 403);
    }
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    await next();
  });

  app.get("/", async (c) => {
    const token = await sessionToken(c);
    if (!token) return c.html(homeSignedOut());
    const { data, error, response } = await apiFor(token).GET("/items");
    if (error || !Array.isArray(data)) {
      return c.html(problem("Could not load your models", `Makeprintable answered ${response.status}. Try signing in again.`), 502);
    }
    const items: ItemRow[] = (data as Item[]).map((item) => ({
      id: item.id,
      name: `${item.file_name}.${item.file_ext}`,
      createdAt: new Date(item.created_at * 1000),
    }));
    return c.html(homeSignedIn(items, c.req.query("uploaded") ? "Your model was uploaded." : undefined));
  });

  app.post("/items/:id/repair", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.redirect("/", 303);
    const itemId = Number(c.req.param("id"));
    if (!Number.isSafeInteger(itemId) || itemId < 1) return c.html(problem("No such model", "Choose a model from your list.", false), 404);
    const api = apiFor(session.token);
    const callbackSecret = randomId();
    let started: Fix;
    let fileName: string;
    try {
      const item = await unwrap(api.GET("/items/{id}", { params: { path: { id: itemId } } }));
      fileName = `${item.file_name}.${item.file_ext}`;
      const callback = fixCallbacks ? { callback_url: `${config.appUrl}${CALLBACK_PATH}/${callbackSecret}` } : {};
      started = await unwrap(api.POST("/fixes", { body: { item_id: itemId, name: item.file_name, ...callback } }));
    } catch (error) {
      const status = error instanceof Error && "status" in error ? String((error as { status: unknown }).status) : "no answer";
      return c.html(problem("Repair failed", `Makeprintable could not start the repair (${status}).`, false), 502);
    }
    repairs.set(started.id, { sessionId: session.id, fileName, callbackSecret });
    // Forget the oldest repairs beyond the cap (a Map iterates in insertion order).
    for (const id of repairs.keys()) {
      if (repairs.size <= MAX_REPAIRS) break;
      repairs.delete(id);
    }
    return c.redirect(`/repairs/${started.id}`, 303);
  });

  app.get("/repairs/:id", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.redirect("/", 303);
    const fixId = Number(c.req.param("id"));
    const repair = repairs.get(fixId);
    if (!repair || repair.sessionId !== session.id) return c.html(problem("No such repair", "Start a repair from your list of models.", false), 404);
    // The callback's fix, once it came; until then the API's (this is where polling happens).
    let fix = repair.notified;
    if (!fix) {
      const { data, response } = await apiFor(session.token).GET("/fixes/{id}", { params: { path: { id: fixId } } });
      if (!data) return c.html(problem("Could not load the repair", `Makeprintable answered ${response.status}.`, false), 502);
      fix = data;
    }
    const done = isFixDone(fix) && typeof fix.download_url === "string";
    return c.html(
      repairPage({
        fileName: repair.fileName,
        status: String(fix.status ?? ""),
        progress: Math.max(0, Math.min(100, Math.round(Number(fix.progress) || 0))),
        downloadUrl: done ? fix.download_url : undefined,
        notified: repair.notified !== undefined,
        refreshSeconds: done ? undefined : 1,
      }),
    );
  });

  // Makeprintable POSTs the finished fix here (the `fixDone` callback of `POST /fixes`).
  app.post(`${CALLBACK_PATH}/:secret`, async (c) => {
    const secret = c.req.param("secret");
    let fix: Fix;
    try {
      fix = parseFixCallback(await c.req.text());
    } catch (error) {
      if (error instanceof FixCallbackError) return c.text(error.message, 400);
      throw error;
    }
    const repair = repairs.get(fix.id);
    // Only the URL this app gave for this fix counts; compare in constant time like any secret.
    if (!repair || !sameSecret(secret, repair.callbackSecret)) return c.text("unknown callback", 404);
    repair.notified = fix;
    return c.text("ok", 200);
  });

  app.get("/login", async (c) => {
    const { url, state, codeVerifier } = await buildAuthorizationUrl({
      clientId: config.clientId,
      redirectUri,
      scopes: [...(config.scopes ?? SCOPES)],
      pkce: true,
      ...(config.authorizeUrl ? { authorizeUrl: config.authorizeUrl } : {}),
    });
    // state and the PKCE verifier ride in a signed, httpOnly cookie scoped to the callback.
    await setSignedCookie(c, FLOW_COOKIE, JSON.stringify({ state, codeVerifier }), config.cookieSecret, {
      httpOnly: true,
      sameSite: "Lax",
      secure,
      path: "/callback",
      maxAge: 600,
    });
    return c.redirect(url, 302);
  });

  app.get("/callback", async (c) => {
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
    const flow = await getSignedCookie(c, config.cookieSecret, FLOW_COOKIE);
    // One attempt per login: a replayed callback URL finds no flow cookie.
    deleteCookie(c, FLOW_COOKIE, { path: "/callback", secure, httpOnly: true, sameSite: "Lax" });
    if (typeof flow !== "string") {
      return c.html(problem("Sign-in rejected", "This sign-in link is not valid any more (it was used already, or it did not start here)."), 400);
    }
    const { state, codeVerifier } = JSON.parse(flow) as { state: string; codeVerifier?: string };
    let token: OAuthToken;
    try {
      const { code } = parseCallback(c.req.url, { expectedState: state });
      token = await exchangeCode({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        redirectUri,
        code,
        ...(codeVerifier ? { codeVerifier } : {}),
        ...(config.apiBaseUrl ? { baseUrl: config.apiBaseUrl } : {}),
        ...(config.fetch ? { fetch: config.fetch } : {}),
        now,
      });
    } catch (error) {
      if (error instanceof AccessDeniedError) {
        return c.html(problem("Not connected", "You chose not to connect your Makeprintable account. Nothing was shared."), 200);
      }
      if (error instanceof StateMismatchError) {
        return c.html(problem("Sign-in rejected", "The sign-in response did not match the request we sent, so we ignored it."), 400);
      }
      if (error instanceof TokenError && error.error === "invalid_grant") {
        return c.html(problem("Sign-in expired", "The sign-in took too long or was already completed. Please sign in again."), 400);
      }
      const code = error instanceof Error && "code" in error ? String((error as { code: unknown }).code) : "unknown";
      return c.html(problem("Sign-in failed", `Makeprintable sign-in failed (${code}). Please try again.`), 502);
    }
    const sessionId = startSession(token);
    await setSignedCookie(c, SESSION_COOKIE, sessionId, config.cookieSecret, { httpOnly: true, sameSite: "Lax", secure, path: "/" });
    // Redirect so the code leaves the address bar and the history entry.
    return c.redirect("/", 303);
  });

  app.post("/upload", async (c) => {
    const token = await sessionToken(c);
    if (!token) return c.redirect("/", 303);
    const form = await c.req.formData();
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) return c.html(problem("Nothing uploaded", "Choose a 3D file to upload.", false), 400);
    const { error, response } = await uploadItem(apiFor(token), { file });
    if (error) return c.html(problem("Upload failed", `Makeprintable answered ${response.status}.`, false), 502);
    return c.redirect("/?uploaded=1", 303);
  });

  app.post("/logout", async (c) => {
    const id = await getSignedCookie(c, config.cookieSecret, SESSION_COOKIE);
    if (typeof id === "string") sessions.delete(id);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
    return c.redirect("/", 303);
  });

  return app;
}
