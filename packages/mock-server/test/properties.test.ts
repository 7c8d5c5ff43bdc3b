import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startMockServer, type MockServer } from "../src/index.js";

// Property runs are kept modest: CI has two cores.
const RUNS = 250;
const OAUTH_ERRORS = ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"];

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ strict: true, logError: () => {} });
});
afterAll(async () => {
  await server.close();
  expect(server.specViolations.map((violation) => violation.message)).toEqual([]);
});

const fieldName = fc.oneof(
  fc.constantFrom("grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier", "scope", "state"),
  fc.string({ maxLength: 12 }),
);
const fieldValue = fc.oneof(
  fc.constantFrom("authorization_code", "demo-app", "demo-secret", "http://127.0.0.1/callback", "code", "", "%", "%ZZ", "&", "="),
  fc.string({ maxLength: 60, unit: "grapheme" }),
  fc.string({ maxLength: 200, unit: "binary" }),
);
const formBody = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 10 }).map((pairs) => new URLSearchParams(pairs).toString());
const rawBody = fc.oneof(formBody, fc.string({ maxLength: 300, unit: "binary" }), fc.uint8Array({ maxLength: 300 }));
const contentType = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "application/json",
  "multipart/form-data; boundary=x",
  "text/plain",
  "",
);

describe("random input never breaks the sandbox", () => {
  test("POST /v1/token answers every random body with an RFC 6749 §5.2 error, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        const response = await fetch(server.tokenUrl, { method: "POST", headers: type === "" ? {} : { "content-type": type }, body });
        const json = (await response.json()) as { error?: unknown };
        expect([400, 401]).toContain(response.status);
        expect(OAUTH_ERRORS).toContain(json.error);
        expect(response.headers.get("cache-control")).toBe("no-store");
      }),
      { numRuns: RUNS },
    );
  });

  test("GET /authorize answers every random query with a page (consent or error), never a redirect", async () => {
    const query = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom("client_id", "redirect_uri", "response_type", "state", "scope", "code_challenge", "code_challenge_method"), fc.string({ maxLength: 10 })),
        fc.oneof(fc.constantFrom("demo-app", "http://127.0.0.1/callback", "http://127.0.0.1:9/callback", "code", "authorization_code", "add_file fix", "S256"), fc.string({ maxLength: 40 })),
      ),
      { maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        const response = await fetch(`${server.authorizeUrl}?${new URLSearchParams(pairs).toString()}`, { redirect: "manual" });
        await response.text();
        expect([200, 400]).toContain(response.status);
        expect(response.headers.get("location")).toBeNull();
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      }),
      { numRuns: RUNS },
    );
  });

  test("POST /authorize/decision answers random bodies with a 4xx page and never redirects", async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        const response = await fetch(`${server.authorizeUrl}/decision`, { method: "POST", redirect: "manual", headers: type === "" ? {} : { "content-type": type }, body });
        await response.text();
        expect([400, 403]).toContain(response.status);
        expect(response.headers.get("location")).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});
