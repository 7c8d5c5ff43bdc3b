import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY } from "./helpers.js";
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  createClient,
  InternalServerError,
  MakeprintableError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  unwrap,
} from "../src/index.js";
import { json, startRecordingServer } from "@mkp/testing";

/** The error a promise rejects with; fails the test when it resolves. */
function failureOf(promise: Promise<unknown>): Promise<APIError> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error as APIError,
  );
}
let api: Awaited<ReturnType<typeof startRecordingServer>>;

beforeAll(async () => {
  // GET /v1/status/<n> answers status n with an error body, a request id and a Retry-After.
  api = await startRecordingServer((request, response) => {
    const status = Number(/\/status\/(\d+)/.exec(request.url)?.[1]);
    json(response, status, { error: `e${status}`, error_description: `the server says ${status}` }, { "x-request-id": `req_${status}`, "retry-after": "1" });
  });
});
afterAll(() => api.close());

describe("typed errors by status", () => {
  it.each([
    [400, BadRequestError, "MKP_BAD_REQUEST"],
    [401, AuthenticationError, "MKP_AUTHENTICATION"],
    [403, PermissionDeniedError, "MKP_PERMISSION_DENIED"],
    [404, NotFoundError, "MKP_NOT_FOUND"],
    [409, ConflictError, "MKP_CONFLICT"],
    [422, UnprocessableEntityError, "MKP_UNPROCESSABLE_ENTITY"],
    [429, RateLimitError, "MKP_RATE_LIMIT"],
    [500, InternalServerError, "MKP_INTERNAL_SERVER"],
    [503, InternalServerError, "MKP_INTERNAL_SERVER"],
    [418, APIError, "MKP_API_ERROR"],
  ] as const)("%i → %o", async (status, ErrorClass, code) => {
    const client = createClient({ apiKey: API_KEY, baseUrl: `${api.url}/v1`, maxRetries: 0 });
    // The union stays available …
    const result = await client.GET("/items/{id}", { params: { path: { id: 1 } }, baseUrl: `${api.url}/status/${status}` });
    expect(result.error).toEqual({ error: `e${status}`, error_description: `the server says ${status}` });
    // … and unwrap turns it into the typed error.
    let thrown: unknown;
    try {
      unwrap(result);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ErrorClass);
    expect(thrown).toBeInstanceOf(APIError);
    expect(thrown).toBeInstanceOf(MakeprintableError);
    const error = thrown as APIError;
    expect(error.constructor).toBe(ErrorClass);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`${status} the server says ${status}`);
    expect(error.body).toEqual({ error: `e${status}`, error_description: `the server says ${status}` });
    expect(error.requestId).toBe(`req_${status}`);
    expect(error.headers?.get("retry-after")).toBe("1");
  });

  it("unwrap awaits a promise, returns the data, and throws for an error", async () => {
    const client = createClient({ apiKey: API_KEY, baseUrl: `${api.url}/status/404`, maxRetries: 0 });
    await expect(unwrap(client.GET("/items"))).rejects.toBeInstanceOf(NotFoundError);
    const ok = await startRecordingServer((_request, response) => json(response, 200, [{ id: 1 }]));
    try {
      const items = await unwrap(createClient({ apiKey: API_KEY, baseUrl: ok.url }).GET("/items"));
      expect(items).toEqual([{ id: 1 }]);
    } finally {
      await ok.close();
    }
  });

  it("describes a text or empty body, and has no request id when the header is absent", async () => {
    const text = await startRecordingServer((request, response) => {
      response.writeHead(request.url.endsWith("/items") ? 502 : 404, { "content-type": "text/plain" });
      response.end(request.url.endsWith("/items") ? "Bad gateway" : "");
    });
    try {
      const client = createClient({ apiKey: API_KEY, baseUrl: text.url, maxRetries: 0 });
      const gateway = await failureOf(unwrap(client.GET("/items")));
      expect(gateway).toBeInstanceOf(InternalServerError);
      expect(gateway.message).toBe("502 Bad gateway");
      expect(gateway.requestId).toBeUndefined();
      const missing = await failureOf(unwrap(client.GET("/fixes")));
      expect(missing.message).toBe("404 (no body)");
    } finally {
      await text.close();
    }
  });
});

describe("secrets never appear in errors", () => {
  // Realistic credentials: long enough not to occur by chance in a message like "404 not found".
  const secret = fc.stringMatching(/^[A-Za-z0-9_~.+/-]{16,48}$/);
  const everything = (error: unknown) =>
    [
      String(error),
      (error as Error).stack,
      JSON.stringify(error),
      inspect(error, { depth: Infinity }),
      inspect(error, { depth: Infinity, showHidden: true }),
    ].join("\n");

  let echo: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    // A hostile server that echoes the credentials everywhere it can: body, message, headers.
    echo = await startRecordingServer((request, response) => {
      const credential = String(request.headers.key ?? request.headers.authorization);
      const status = Number(request.url.split("/")[1]);
      json(
        response,
        status,
        { error: credential, error_description: `bad credential ${credential}`, nested: [{ [credential]: credential }] },
        { "x-request-id": credential, "x-echo": `key=${credential}`, "set-cookie": `session=${credential}` },
      );
    });
  });
  afterAll(() => echo.close());

  const status = fc.constantFrom(400, 401, 403, 404, 409, 422, 429, 500, 503);

  it("scrubs an echoed API key from message, stack, JSON and inspect output", async () => {
    await fc.assert(
      fc.asyncProperty(secret, status, async (apiKey, code) => {
        const client = createClient({ apiKey, baseUrl: `${echo.url}/${code}`, maxRetries: 0 });
        const error = await unwrap(client.GET("/items")).catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(APIError);
        expect((error as APIError).status).toBe(code);
        expect(everything(error)).not.toContain(apiKey);
        expect(everything(error)).toContain("[redacted]");
      }),
      { numRuns: 150 },
    );
  });

  it("scrubs an echoed bearer token the same way", async () => {
    await fc.assert(
      fc.asyncProperty(secret, status, async (token, code) => {
        const client = createClient({ accessToken: async () => token, baseUrl: `${echo.url}/${code}`, maxRetries: 0 });
        const error = await unwrap(client.GET("/fixes")).catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(APIError);
        expect(everything(error)).not.toContain(token);
      }),
      { numRuns: 150 },
    );
  });

  it("keeps connection errors free of the credential too", async () => {
    const closed = await startRecordingServer(() => undefined);
    await closed.close();
    await fc.assert(
      fc.asyncProperty(secret, async (apiKey) => {
        const client = createClient({ apiKey, baseUrl: closed.url, maxRetries: 0 });
        const error = await client.GET("/items").catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(APIConnectionError);
        expect(everything(error)).not.toContain(apiKey);
      }),
      { numRuns: 20 },
    );
  });
});
