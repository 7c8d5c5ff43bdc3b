import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type MockServer, startMockServer } from "../src/index.js";
import { bundledValidator } from "./helpers.js";

// Property runs are kept modest: CI has two cores.
const RUNS = 250;
const OAUTH_ERRORS = ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"];

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ strict: true, logError: () => {}, validator: bundledValidator });
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
        fc.oneof(
          fc.constantFrom("client_id", "redirect_uri", "response_type", "state", "scope", "code_challenge", "code_challenge_method"),
          fc.string({ maxLength: 10 }),
        ),
        fc.oneof(
          fc.constantFrom("demo-app", "http://127.0.0.1/callback", "http://127.0.0.1:9/callback", "code", "authorization_code", "add_file fix", "S256"),
          fc.string({ maxLength: 40 }),
        ),
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
        const response = await fetch(`${server.authorizeUrl}/decision`, {
          method: "POST",
          redirect: "manual",
          headers: type === "" ? {} : { "content-type": type },
          body,
        });
        await response.text();
        expect([400, 403]).toContain(response.status);
        expect(response.headers.get("location")).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  test("POST /v1/items answers random multipart bodies with 201 or a 4xx, never a 5xx", async () => {
    const part = fc.record({
      name: fc.oneof(fc.constantFrom("file", "fileurl", "name"), fc.string({ maxLength: 8 })),
      value: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom("https://example.com/models/box.obj", "http://127.0.0.1:1/box.obj", "box.obj", "ftp://x/y.stl"),
        fc.record({
          filename: fc.oneof(fc.constantFrom("box.obj", "a.zip", ".obj", "noext", "x."), fc.string({ maxLength: 12 })),
          content: fc.uint8Array({ maxLength: 64 }),
        }),
      ),
    });
    const multipart = fc.array(part, { maxLength: 4 }).map((parts) => {
      const form = new FormData();
      for (const { name, value } of parts) {
        if (typeof value === "string") form.append(name, value);
        else form.append(name, new Blob([new Uint8Array(value.content)]), value.filename);
      }
      return form;
    });
    const body = fc.oneof(
      multipart,
      fc.string({ maxLength: 200, unit: "binary" }).map((text) => `--b\r\n${text}`),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const headers: Record<string, string> = { key: server.demo.apiKey };
        if (typeof payload === "string") headers["content-type"] = "multipart/form-data; boundary=b";
        const response = await fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: payload });
        const json = (await response.json()) as Record<string, unknown>;
        expect([201, 400]).toContain(response.status);
        if (response.status === 400) expect(json["error"]).toBe("invalid_request");
      }),
      { numRuns: 150 },
    );
  });

  test("POST /v1/fixes answers random forms with 201 or 400, never a 5xx", async () => {
    const field = fc.tuple(
      fc.oneof(
        fc.constantFrom("item_id", "name", "callback_url", "wall_thickness", "print_quality", "pre_optimize", "post_optimize", "secure"),
        fc.string({ maxLength: 8 }),
      ),
      fc.oneof(
        fc.constantFrom("1", "0", "-1", "99", "100", "1.5", "1e3", "high", "http://127.0.0.1:1/cb", "https://example.com/cb", "%"),
        fc.string({ maxLength: 30 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(field, { maxLength: 8 }), async (pairs) => {
        const response = await fetch(`${server.apiUrl}/fixes`, {
          method: "POST",
          headers: { key: server.demo.apiKey, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(pairs),
        });
        await response.json();
        expect([201, 400]).toContain(response.status);
      }),
      { numRuns: 150 },
    );
  });
});
