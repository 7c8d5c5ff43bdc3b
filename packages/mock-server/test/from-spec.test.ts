// Nothing accepted silently. A query parameter the description documents but a handler
// does not act on is checked, then named in `x-mkp-sandbox-ignored` (here `limit`, added to
// GET /items in a copy of the description); the parameters the handler implements are not.
import { describe, expect, test } from "vitest";
import { HANDWRITTEN_OPERATIONS, IGNORED_PARAMETERS_HEADER, OPENAPI_DOCUMENT, type OpenApiDocument } from "../src/index.js";
import { expectStatus, startTestServer } from "./helpers.js";

function withLimitOnListItems(): OpenApiDocument {
  const document = structuredClone(OPENAPI_DOCUMENT);
  const listItems = (document.paths["/items"] as { get: { parameters: unknown[] } }).get;
  listItems.parameters.push({ name: "limit", in: "query", required: false, description: "At most this many.", schema: { type: "integer", minimum: 1 } });
  return document;
}

describe("documented query parameters the sandbox does not act on", () => {
  test("are named in x-mkp-sandbox-ignored, after being validated; implemented ones are not", async () => {
    const server = await startTestServer({ document: withLimitOnListItems() });
    const list = (query: string) => fetch(`${server.apiUrl}/items?${query}`, { headers: { key: server.demo.apiKey } });

    const limited = await expectStatus(list("limit=1&page=1"), 200);
    expect(limited.headers.get(IGNORED_PARAMETERS_HEADER)).toBe("limit");
    expect((await expectStatus(list("page=1&pageSize=5"), 200)).headers.get(IGNORED_PARAMETERS_HEADER)).toBeNull();
    // Still validated: a limit the description forbids is refused with the validator's message.
    const refused = await expectStatus(list("limit=0"), 400);
    expect(await refused.json()).toMatchObject({ error: "invalid_request", error_description: expect.stringContaining("/limit must be >= 1") });
  });

  test("the list of hand-written operations and the parameters they implement is what spec:status reads", () => {
    expect(HANDWRITTEN_OPERATIONS["listItems"]).toEqual(["page", "pageSize"]);
    expect(Object.keys(HANDWRITTEN_OPERATIONS).sort()).toEqual([
      "authorize",
      "createFix",
      "createItem",
      "createToken",
      "deleteItem",
      "getFix",
      "getItem",
      "listFixes",
      "listItems",
    ]);
  });
});
