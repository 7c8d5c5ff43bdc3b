import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterEach, expect } from "vitest";
import { type MockServer, type MockServerOptions, SpecValidator, startMockServer } from "../src/index.js";

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

const running: MockServer[] = [];

/** One validator of the bundled description for every sandbox of a test file: each schema is compiled once. */
export const bundledValidator = new SpecValidator();

/** A strict sandbox (spec violations become 500s), closed after the test; fails the test on any violation. */
export async function startTestServer(options: MockServerOptions = {}): Promise<MockServer> {
  const shared = options.document === undefined ? { validator: bundledValidator } : {};
  const server = await startMockServer({ strict: true, logError: () => {}, ...shared, ...options });
  running.push(server);
  return server;
}

afterEach(async () => {
  const servers = running.splice(0);
  await Promise.all(servers.map((server) => server.close()));
  for (const server of servers) expect(server.specViolations.map((violation) => violation.message)).toEqual([]);
});

/**
 * Awaits a request a test builds on and fails at once, with the sandbox's own message, unless it
 * got `status` (rather than later, as a timeout or an undefined id).
 */
export async function expectStatus(response: Promise<Response>, status: number): Promise<Response> {
  const answered = await response;
  if (answered.status !== status) expect.fail(`expected HTTP ${status}, got ${answered.status}: ${(await answered.text()).slice(0, 500)}`);
  return answered;
}

/** A PKCE pair (RFC 7636 §4.1, §4.2). */
export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

/** The authorize URL of the demo app with the given query parameters (demo defaults filled in). */
export function authorizeUrl(server: MockServer, params: Record<string, string | undefined> = {}): string {
  const url = new URL(server.authorizeUrl);
  const query: Record<string, string | undefined> = {
    client_id: server.demo.clientId,
    redirect_uri: "http://127.0.0.1:4321/callback",
    response_type: "authorization_code",
    state: "state-123",
    ...params,
  };
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/** GET /authorize without following redirects: the consent page's consent id and cookie. */
export async function openConsent(url: string) {
  const response = await fetch(url, { redirect: "manual" });
  const html = await response.text();
  const consent = /name="consent" value="([^"]+)"/.exec(html)?.[1];
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  return { response, html, consent, cookie };
}

/** Answers a consent page as its browser would (same origin, with the cookie). */
export async function decide(
  server: MockServer,
  consent: { consent?: string | undefined; cookie?: string | undefined },
  decision: string,
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams({ consent: consent.consent ?? "", decision });
  return fetch(`${server.authorizeUrl}/decision`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, ...(consent.cookie ? { cookie: consent.cookie } : {}), ...headers },
    body,
  });
}

/** Runs the consent step with Allow and returns the code and the redirect it came with. */
export async function getCode(server: MockServer, params: Record<string, string | undefined> = {}) {
  const page = await openConsent(authorizeUrl(server, params));
  expect(page.response.status).toBe(200);
  const response = await decide(server, page, "allow");
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location") ?? "");
  const code = location.searchParams.get("code");
  if (!code) throw new Error("no code in the redirect");
  return { code, location };
}

/** POSTs a form to the token endpoint. */
export async function postToken(server: MockServer, fields: Record<string, string> | string, headers: Record<string, string> = {}) {
  const response = await fetch(server.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: typeof fields === "string" ? fields : new URLSearchParams(fields),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { response, status: response.status, json, text };
}

/** The token request for a code of the demo app. */
export function exchangeFields(server: MockServer, code: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: "authorization_code",
    code,
    redirect_uri: "http://127.0.0.1:4321/callback",
    client_id: server.demo.clientId,
    client_secret: server.demo.clientSecret,
    ...extra,
  };
}

/** A GET with the given Host header (fetch will not send a Host other than the URL's), and more headers. */
export function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host, ...headers } }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk)).on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject).end();
  });
}
