import { describe, expectTypeOf, it } from "vitest";
import { createClient } from "../src/index.js";

const client = createClient({ apiKey: "12345weLove3DPrinting" });

describe("per-request options are part of every method's signature", () => {
  it("refuses a misspelled client option at compile time, as createClient does", () => {
    // @ts-expect-error the option is timeoutMs
    void client.GET("/items", { timeoutMS: 5 });
    // @ts-expect-error the option is maxRetries
    void client.GET("/items/{id}", { params: { path: { id: 149 } }, retries: 1 });
    // @ts-expect-error the option is timeoutMs, also next to a body
    void client.POST("/fixes", { body: { item_id: 149 }, timeoutMS: 5 });
    // @ts-expect-error also through request()
    void client.request("get", "/items", { timeoutMS: 5 });
    // @ts-expect-error maxRetries is a count
    void client.GET("/items", { maxRetries: "3" });
  });

  it("accepts the client's options and openapi-fetch's own", () => {
    void client.GET("/items", { timeoutMs: 5, maxRetries: 0 });
    void client.GET("/items", {
      params: { query: { page: 2 } },
      headers: { "x-trace": "1" },
      signal: AbortSignal.timeout(1000),
      fetch: (request: Request) => fetch(request),
      querySerializer: { array: { style: "form", explode: true } },
      bodySerializer: (body: unknown) => JSON.stringify(body),
      baseUrl: "http://127.0.0.1:4010/v1",
      middleware: [],
      cache: "no-store",
    });
    void client.POST("/fixes", { body: { item_id: 149 }, timeoutMs: 1000 });
    void client.request("get", "/items/{id}", { params: { path: { id: 149 } }, maxRetries: 1 });
  });

  it("keeps openapi-fetch's result union and what parseAs does to data", async () => {
    const result = await client.GET("/items/{id}", { params: { path: { id: 149 } }, timeoutMs: 5 });
    if (result.error === undefined) expectTypeOf(result.data.id).toEqualTypeOf<number>();
    expectTypeOf(result.response).toEqualTypeOf<Response>();
    const { data: stream } = await client.GET("/items", { parseAs: "stream" });
    expectTypeOf(stream).toEqualTypeOf<ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined>();
    const { data: text } = await client.GET("/items", { parseAs: "text" });
    expectTypeOf(text).toEqualTypeOf<string | undefined>();
  });

  it("still requires the options an operation needs", () => {
    // @ts-expect-error the item's id is a path parameter
    void client.GET("/items/{id}");
    // @ts-expect-error creating a fix needs a body
    void client.POST("/fixes");
  });
});
