import { SCOPE_DESCRIPTIONS, SCOPES, type Scope } from "@mkp/client";
import { isLoopbackHost } from "@mkp/client/internal";
import type { Handler, QueryParams, Sandbox } from "./context.js";
import { singleQuery } from "./from-spec.js";
import { escapeHtml, parseCookies, type Reply } from "./http.js";
import { addCapped, digest, randomToken, sameDigest, type PendingConsent } from "./state.js";
import { AUTHORIZATION_CODE_LIFETIME_MS } from "./token.js";

// How long a consent page stays answerable.
const CONSENT_LIFETIME_MS = 10 * 60 * 1000;

/** The longest `state` the sandbox keeps. */
export const MAX_STATE_LENGTH = 512;

/** The cookie that binds a browser to the consent pages it was shown. */
const BINDING_COOKIE = "mkp_consent";

// The consent cookie is scoped to the authorize path, which the decision path extends.
function cookiePathOf(decisionPath: string): string {
  return decisionPath.slice(0, decisionPath.lastIndexOf("/")) || "/";
}

/**
 * Whether a redirect URI given at the authorize step matches a registered one: exactly, except
 * that an `http` loopback URI matches on any port, because native apps pick the port at run time.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.2
 */
export function redirectUriMatches(registered: string, given: string): boolean {
  if (registered === given) return true;
  let registeredUrl: URL;
  let givenUrl: URL;
  try {
    registeredUrl = new URL(registered);
    givenUrl = new URL(given);
  } catch {
    return false;
  }
  // Only the port may differ, so the given URI must already be in its normalised form.
  if (givenUrl.href !== given || registeredUrl.protocol !== "http:" || !isLoopbackHost(registeredUrl.hostname)) return false;
  givenUrl.port = "";
  registeredUrl.port = "";
  return givenUrl.href === registeredUrl.href;
}

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  // The consent page must not be framed (clickjacking, RFC 6749 §10.13).
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  // Not no-referrer: with it, browsers send `Origin: null` on the form POST and the origin check fails.
  "referrer-policy": "same-origin",
};

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2430;margin:0}
main{max-width:32rem;margin:4rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0002}
h1{font-size:1.35rem;margin-top:0}.muted{color:#5b6575;font-size:.9rem}ul{padding-left:1.2rem}
.actions{display:flex;gap:1rem;margin-top:1.5rem}button{font-size:1rem;padding:.6rem 1.4rem;border-radius:8px;border:1px solid #c5cbd3;background:#fff;cursor:pointer}
button[value=allow]{background:#1f6feb;border-color:#1f6feb;color:#fff}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** An error page: shown instead of redirecting when the client or the redirect URI cannot be trusted (RFC 6749 §4.1.2.1). */
function errorPage(status: number, message: string, details: readonly string[] = []): Reply {
  const list = details.length > 0 ? `<ul>${details.map((detail) => `<li>${escapeHtml(detail)}</li>`).join("")}</ul>` : "";
  return {
    status,
    headers: PAGE_HEADERS,
    html: page(
      "Invalid request — Makeprintable sandbox",
      `<h1>Invalid request</h1>\n<p>${escapeHtml(message)}</p>\n${list}\n<p class="muted">You were not redirected back to the app.</p>`,
    ),
  };
}

function consentPage(sandbox: Sandbox, consentId: string, consent: PendingConsent, decisionPath: string): string {
  const client = sandbox.oauth.clients.get(consent.clientId);
  const name = client?.name ?? consent.clientId;
  const scopes =
    consent.scopes.length > 0
      ? `<p>It asks to:</p>\n<ul>${consent.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(SCOPE_DESCRIPTIONS[scope])}</li>`).join("")}</ul>`
      : `<p>It asks for no particular scope.</p>`;
  const returnTo = new URL(consent.redirectUri);
  return page(
    `Authorize ${name} — Makeprintable sandbox`,
    `<h1>Allow <strong>${escapeHtml(name)}</strong> to use your Makeprintable account?</h1>
<p class="muted">Makeprintable sandbox · signed in as user ${sandbox.oauth.consentUserId}</p>
${scopes}
<p class="muted">Either way you will be sent back to <code>${escapeHtml(returnTo.origin)}</code>.</p>
<form method="post" action="${escapeHtml(decisionPath)}">
<input type="hidden" name="consent" value="${escapeHtml(consentId)}">
<div class="actions">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>`,
  );
}

function redirectTo(redirectUri: string, result: Record<string, string | undefined>, extraHeaders: Record<string, string> = {}): Reply {
  const location = new URL(redirectUri);
  for (const [name, value] of Object.entries(result)) if (value !== undefined) location.searchParams.set(name, value);
  return { status: 302, headers: { location: location.href, "cache-control": "no-store", "referrer-policy": "no-referrer", ...extraHeaders } };
}

/** Issues a single-use authorization code and redirects to the app with it (RFC 6749 §4.1.2). */
function approve(sandbox: Sandbox, consent: Omit<PendingConsent, "bindingDigest" | "expiresAt">, extraHeaders?: Record<string, string>): Reply {
  const code = randomToken();
  const expiresAt = sandbox.now() + AUTHORIZATION_CODE_LIFETIME_MS;
  addCapped(sandbox.oauth.codes, code, {
    clientId: consent.clientId,
    redirectUri: consent.redirectUri,
    scopes: consent.scopes,
    codeChallenge: consent.codeChallenge,
    userId: sandbox.oauth.consentUserId,
    expiresAt,
    // Kept a while past expiry so a late exchange is told "expired" rather than "unknown".
    retainUntil: expiresAt + CONSENT_LIFETIME_MS,
    used: false,
    tokens: [],
  });
  return redirectTo(consent.redirectUri, { code, state: consent.state }, extraHeaders);
}

/**
 * `GET /authorize`: checks the client and the redirect URI first (an error page, never a
 * redirect, when either is wrong), then the other parameters against the spec, then shows the
 * consent page — or, with `autoApprove`, redirects with a code at once.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export function authorizeHandler(decisionPath: string): Handler {
  return (sandbox, { url, request }) => {
    const single = singleQuery(url);
    if (!single.ok) return errorPage(400, `The parameter ${single.repeated} is repeated (RFC 6749 §3.1).`);
    const { query } = single;
    // Read before the rest is validated (a wrong app or redirect URI gets a page, never a redirect),
    // by names checked against the spec's types: a renamed parameter fails to compile.
    const clientId = query["client_id" satisfies keyof QueryParams<"authorize">];
    const client = clientId === undefined ? undefined : sandbox.oauth.clients.get(clientId);
    if (!client) return errorPage(400, clientId === undefined ? "The client_id parameter is missing." : "No app is registered with this client_id.");
    const redirectUri = query["redirect_uri" satisfies keyof QueryParams<"authorize">];
    if (redirectUri === undefined) return errorPage(400, "The redirect_uri parameter is missing.");
    if (!client.redirectUris.some((registered) => redirectUriMatches(registered, redirectUri))) {
      return errorPage(400, `The redirect_uri is not registered for ${client.name}.`);
    }
    const checked = sandbox.validator.validateParameters("authorize", "query", query);
    if (!checked.ok) return errorPage(400, "The request does not match the authorize endpoint's description.", checked.problems);
    // Every query parameter of the spec is acted on: a new one fails to compile here until it is.
    const {
      state,
      scope: requested,
      code_challenge: challenge,
      code_challenge_method: method,
      client_id: _,
      redirect_uri: __,
      response_type: ___,
      ...unhandled
    } = checked.value;
    unhandled satisfies Record<string, never>;
    // The page publishes no limit; the sandbox keeps every pending state in memory, so it caps each one's size.
    if ((state?.length ?? 0) > MAX_STATE_LENGTH) return errorPage(400, `The state parameter is longer than ${MAX_STATE_LENGTH} characters.`);
    if ((challenge === undefined) !== (method === undefined)) {
      // Without a method RFC 7636 §4.3 means `plain`, which this server does not accept.
      return errorPage(400, "code_challenge and code_challenge_method=S256 go together (RFC 7636 §4.3).");
    }
    const scopes = [...new Set((requested ?? "").split(" ").filter((scope) => scope !== ""))].filter((scope): scope is Scope =>
      (SCOPES as readonly string[]).includes(scope),
    );
    const consent = { clientId: client.clientId, redirectUri, state, scopes, codeChallenge: challenge };
    if (sandbox.autoApprove) return approve(sandbox, consent);

    const consentId = randomToken();
    // One binding cookie per browser: one per page would pile up until the browser's requests grew too large.
    const current = parseCookies(request.headers.cookie).get(BINDING_COOKIE);
    const binding = current !== undefined && /^[A-Za-z0-9_-]{43}$/.test(current) ? current : randomToken();
    const pending: PendingConsent = { ...consent, bindingDigest: digest(binding), expiresAt: sandbox.now() + CONSENT_LIFETIME_MS };
    addCapped(sandbox.oauth.consents, consentId, pending);
    const cookiePath = cookiePathOf(decisionPath);
    return {
      status: 200,
      headers: {
        ...PAGE_HEADERS,
        // Binds the decision to this browser; SameSite keeps cross-site forms from sending it.
        "set-cookie": `${BINDING_COOKIE}=${binding}; Path=${cookiePath}; Max-Age=${CONSENT_LIFETIME_MS / 1000}; HttpOnly; SameSite=Strict`,
      },
      html: consentPage(sandbox, consentId, pending, decisionPath),
    };
  };
}

/**
 * `POST /authorize/decision`: the consent form's target (the sandbox's website, not an API
 * operation). Accepted only from the page itself: same origin (`Origin`, `Sec-Fetch-Site`), the
 * unguessable consent id from the page, and the cookie set with it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function decisionHandler(): Handler {
  return async (sandbox, { request, readForm }) => {
    const host = request.headers.host;
    const origin = request.headers.origin;
    const fetchSite = request.headers["sec-fetch-site"];
    if ((origin !== undefined && origin !== `http://${host}`) || (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none")) {
      return errorPage(403, "This decision was not sent from the sandbox's consent page.");
    }
    const parsed = await readForm();
    if (!parsed.ok) return errorPage(400, parsed.kind === "not-a-form" ? "The decision must be a form submission." : parsed.message);
    const { consent: consentId, decision } = parsed.fields;
    const consent = consentId === undefined ? undefined : sandbox.oauth.consents.get(consentId);
    if (consentId === undefined || !consent || consent.expiresAt <= sandbox.now()) {
      return errorPage(400, "This consent page has expired or was already answered. Start again from the app.");
    }
    const binding = parseCookies(request.headers.cookie).get(BINDING_COOKIE);
    if (binding === undefined || !sameDigest(digest(binding), consent.bindingDigest)) {
      return errorPage(403, "This decision was not sent from the browser that was shown the consent page.");
    }
    if (decision !== "allow" && decision !== "deny") return errorPage(400, "The decision must be allow or deny.");
    sandbox.oauth.consents.delete(consentId);
    // The browser's binding cookie stays: other consent pages of this browser may still be open.
    if (decision === "deny") return redirectTo(consent.redirectUri, { error: "access_denied", state: consent.state });
    return approve(sandbox, consent);
  };
}
