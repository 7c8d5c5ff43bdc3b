// Nothing accepted silently. A query parameter the description documents but a handler
// does not act on is checked, then named in `x-mkp-sandbox-ignored` (here `limit`, added to
// GET /items in a copy of the description); the parameters the handler implements are not.
import { describe, expect, test } from "vitest";
import {
  HANDWRITTEN_OPERATIONS,
  IGNORED_PARAMETERS_HEADER,
  OPENAPI_DOCUMENT,
  OPERATION_EFFECTS,
  type OpenApiDocument,
  SANDBOX_SOURCE_HEADER,
  SpecValidator,
} from "../src/index.js";
import { OPERATIONS, type OperationId } from "@mkp/client/internal";
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

  test("the hand-written operations are operations of the spec, each acting on the spec's query parameters (what spec:status reads)", () => {
    const validator = new SpecValidator();
    expect(Object.keys(HANDWRITTEN_OPERATIONS).length).toBeGreaterThan(0);
    for (const [operationId, parameters] of Object.entries(HANDWRITTEN_OPERATIONS)) {
      expect(Object.hasOwn(OPERATIONS, operationId)).toBe(true);
      expect({ operationId, parameters }).toEqual({ operationId, parameters: validator.parameterNames(operationId as OperationId, "query") });
    }
  });
});

describe("a strict sandbox and query parameters the description does not document", () => {
  test("a misspelt or renamed query parameter is a 400 naming it; a sandbox that is not strict ignores it", async () => {
    const strict = await startTestServer();
    const get = (server: { apiUrl: string; demo: { apiKey: string } }, path: string) =>
      fetch(`${server.apiUrl}${path}`, { headers: { key: server.demo.apiKey } });
    const refused = await expectStatus(get(strict, "/items?page_size=1"), 400);
    expect(await refused.json()).toEqual({
      error: "invalid_request",
      error_description: "The description does not document the query parameter page_size for this operation: it takes page, pageSize (the sandbox is strict).",
    });
    const none = await expectStatus(get(strict, "/fixes?pageSize=1"), 400);
    expect(await none.json()).toMatchObject({ error_description: expect.stringContaining("pageSize for this operation: it takes no query parameters") });
    await expectStatus(get(strict, "/items?pageSize=1"), 200);
    const lenient = await startTestServer({ strict: false });
    await expectStatus(get(lenient, "/items?page_size=1"), 200);
  });

  test("the authorize endpoint still ignores parameters it does not know, as OAuth requires", async () => {
    const server = await startTestServer();
    const url = new URL(server.authorizeUrl);
    for (const [name, value] of Object.entries({
      client_id: server.demo.clientId,
      redirect_uri: "http://127.0.0.1:4321/callback",
      response_type: "authorization_code",
      prompt: "consent",
    })) {
      url.searchParams.set(name, value);
    }
    await expectStatus(fetch(url), 200);
  });
});

describe("a response field added to the spec", () => {
  // A copy of the description with new optional fields, as a maintainer's edit adds them.
  function withNewFields(): OpenApiDocument {
    const document = structuredClone(OPENAPI_DOCUMENT) as OpenApiDocument & {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { example: Record<string, unknown> }> }> } }>;
    };
    document.components.schemas["Item"]!.properties["thumbnail_url"] = {
      type: "string",
      format: "uri",
      example: "https://makeprintable.example/thumbs/149.png",
    };
    document.components.schemas["Item"]!.properties["units"] = { type: "string", enum: ["mm", "in"], default: "mm" };
    document.components.schemas["Fix"]!.properties["engine"] = { type: "string" };
    document.paths["/fixes/{id}"]!.get.responses["2XX"]!.content["application/json"]!.example["engine"] = "v3";
    return document;
  }

  test("is answered by the hand-written operations, from its example or its default, without a change to the sandbox", async () => {
    const server = await startTestServer({ document: withNewFields() });
    const headers = { key: server.demo.apiKey };
    const form = new FormData();
    form.set("file", new Blob(["v 0 0 0\n"]), "box.obj");
    const created = (await (await expectStatus(fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: form }), 201)).json()) as { id: number };
    expect(created).toMatchObject({ file_name: "box", thumbnail_url: "https://makeprintable.example/thumbs/149.png", units: "mm" });
    const listed = (await (await expectStatus(fetch(`${server.apiUrl}/items`, { headers }), 200)).json()) as unknown[];
    expect(listed).toEqual([created]);
    expect(await (await expectStatus(fetch(`${server.apiUrl}/items/${created.id}`, { headers }), 200)).json()).toEqual(created);
    const fix = await expectStatus(
      fetch(`${server.apiUrl}/fixes`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: `item_id=${created.id}`,
      }),
      201,
    );
    const started = (await fix.json()) as { id: number };
    // The response's example gives the value; the link stays the sandbox's own (a queued fix has none).
    expect(started).toEqual({ id: started.id, item_id: created.id, status: "queued", progress: 0, engine: "v3" });
    expect(await (await expectStatus(fetch(`${server.apiUrl}/fixes/${started.id}`, { headers }), 200)).json()).toEqual(started);
  });
});

describe("an operation answered from the description (fromSpec, or one the sandbox has no handler for)", () => {
  async function withItem() {
    const server = await startTestServer({ fromSpec: ["deleteItem", "getFix"] });
    const headers = { key: server.demo.apiKey };
    const form = new FormData();
    form.set("file", new Blob(["v 0 0 0\n"]), "box.obj");
    const item = (await (await expectStatus(fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: form }), 201)).json()) as { id: number };
    return { server, headers, item };
  }

  test("answers the description's 404 for an id it does not know, and its example for one it does, deleting nothing", async () => {
    const { server, headers, item } = await withItem();
    const unknown = await expectStatus(fetch(`${server.apiUrl}/items/${item.id + 1}`, { method: "DELETE", headers }), 404);
    expect(unknown.headers.get(SANDBOX_SOURCE_HEADER)).toBe("example");
    // The example of the description's NotFound response.
    expect(await unknown.json()).toEqual({ error: "not_found" });
    const known = await expectStatus(fetch(`${server.apiUrl}/items/${item.id}`, { method: "DELETE", headers }), 204);
    expect(known.headers.get(SANDBOX_SOURCE_HEADER)).toBe("example");
    // Stated, not imitated: an operation answered from its example changes nothing.
    await expectStatus(fetch(`${server.apiUrl}/items/${item.id}`, { headers }), 200);
    expect(OPERATION_EFFECTS["deleteItem"]).toEqual({ answeredFrom: "handler", effects: ["deletes the item and frees its bytes"] });
  });

  test("another account's id is one it does not know", async () => {
    const { server, headers, item } = await withItem();
    const other = await startTestServer({ fromSpec: ["deleteItem"], apiKeys: [server.demo.apiKey, "another-key-1234567890"] });
    const form = new FormData();
    form.set("file", new Blob(["v 0 0 0\n"]), "box.obj");
    const mine = (await (await expectStatus(fetch(`${other.apiUrl}/items`, { method: "POST", headers, body: form }), 201)).json()) as { id: number };
    await expectStatus(fetch(`${other.apiUrl}/items/${mine.id}`, { method: "DELETE", headers: { key: "another-key-1234567890" } }), 404);
    await expectStatus(fetch(`${server.apiUrl}/fixes/${item.id}`, { headers }), 404);
  });

  test("what each operation changes is exported as data for spec:status; an unknown fromSpec entry is refused", async () => {
    // Every operation of the spec, answered by its handler exactly when it has one.
    expect(Object.keys(OPERATION_EFFECTS).sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const [operationId, effects] of Object.entries(OPERATION_EFFECTS)) {
      expect({ operationId, answeredFrom: effects.answeredFrom }).toEqual({
        operationId,
        answeredFrom: operationId in HANDWRITTEN_OPERATIONS ? "handler" : "example",
      });
    }
    expect(OPERATION_EFFECTS["getItem"]).toEqual({ answeredFrom: "handler", effects: [] });
    expect(OPERATION_EFFECTS["createFix"]?.effects).toContain("POSTs the fixDone callback to callback_url when it is done");
    await expect(startTestServer({ fromSpec: ["getWidget" as never] })).rejects.toThrow("fromSpec names getWidget, which is not an operation of the spec");
  });
});
