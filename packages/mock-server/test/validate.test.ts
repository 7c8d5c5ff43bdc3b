import { describe, expect, test } from "vitest";
import { OPENAPI_DOCUMENT, SpecValidator, SpecViolationError, startMockServer } from "../src/index.js";
import { exchangeFields, getCode, postToken } from "./helpers.js";

const validator = new SpecValidator();

describe("SpecValidator (Ajv 2020-12 over the bundled description)", () => {
  test("accepts a token response that follows the spec", () => {
    expect(
      validator.validateResponse("createToken", {
        status: 200,
        headers: { "cache-control": "no-store" },
        mediaType: "application/json",
        body: { access_token: "abc", token_type: "Bearer", expires_in: 3600 },
      }),
    ).toEqual([]);
  });

  test("finds a missing field, a wrong type, a missing header and a wrong header value", () => {
    expect(
      validator.validateResponse("createToken", {
        status: 200,
        headers: {},
        mediaType: "application/json",
        body: { token_type: "Bearer", expires_in: "soon" },
      }),
    ).toEqual(["header Cache-Control is missing", "body (root) must have required property 'access_token'", "body /expires_in must be integer"]);
    expect(
      validator.validateResponse("createToken", {
        status: 200,
        headers: { "cache-control": "max-age=60" },
        mediaType: "application/json",
        body: { access_token: "a", token_type: "Bearer" },
      }),
    ).toEqual(["header Cache-Control: (root) must be equal to constant"]);
  });

  test("finds an undocumented status, media type and error code", () => {
    expect(validator.validateResponse("createToken", { status: 403, headers: {}, mediaType: "application/json", body: {} })).toEqual([
      "status 403 is not documented",
    ]);
    expect(validator.validateResponse("listItems", { status: 200, headers: {}, mediaType: "text/csv", body: "" })).toEqual([
      "media type text/csv is not documented for status 200",
    ]);
    expect(validator.validateResponse("createToken", { status: 400, headers: {}, mediaType: "application/json", body: { error: "server_error" } })).toEqual([
      "body /error must be equal to one of the allowed values",
    ]);
  });

  test("a 2XX range covers any success status; a body the spec does not document is flagged", () => {
    expect(validator.validateResponse("listItems", { status: 206, headers: {}, mediaType: "application/json", body: [] })).toEqual([]);
    expect(validator.validateResponse("deleteItem", { status: 204, headers: {}, mediaType: undefined })).toEqual([]);
    expect(validator.validateResponse("deleteItem", { status: 204, headers: {}, mediaType: "application/json", body: {} })).toEqual([
      "media type application/json is not documented for status 204",
    ]);
  });

  test("coerces and checks parameters and form bodies", () => {
    expect(validator.validateParameters("getItem", "path", { id: "149" })).toEqual({ ok: true, value: { id: 149 } });
    expect(validator.validateParameters("getItem", "path", { id: "x" })).toEqual({ ok: false, problems: ["/id must be integer"] });
    expect(validator.validateRequestBody("createToken", "application/json", {})).toEqual({
      ok: false,
      problems: ["the body must be application/x-www-form-urlencoded"],
    });
  });
});

describe("strict mode", () => {
  test("a response that breaks the description becomes a 500 naming the problem, and is recorded", async () => {
    // A stricter description than the bundled one: token responses must carry a refresh token.
    const document = structuredClone(OPENAPI_DOCUMENT) as typeof OPENAPI_DOCUMENT & { components: { schemas: { TokenResponse: { required: string[] } } } };
    document.components.schemas.TokenResponse.required.push("refresh_token");
    const errors: string[] = [];
    const server = await startMockServer({ strict: true, document, logError: (message) => errors.push(message) });
    try {
      const { code } = await getCode(server);
      const result = await postToken(server, exchangeFields(server, code));
      expect(result.status).toBe(500);
      const message = "createToken: the 200 response breaks the OpenAPI description: body (root) must have required property 'refresh_token'";
      expect(result.json).toEqual({ error: "spec_violation", error_description: message });
      expect(server.specViolations).toHaveLength(1);
      expect(server.specViolations[0]).toBeInstanceOf(SpecViolationError);
      expect(server.specViolations[0]?.code).toBe("MKP_MOCK_SPEC_VIOLATION");
      expect(errors).toEqual([`[mkp-mock] ${message}`]);
      // The log names the problem, never the token.
      expect(errors.join("")).not.toMatch(/[A-Za-z0-9_-]{43}/);
    } finally {
      await server.close();
    }
  });

  test("without strict mode the response is sent and the violation logged", async () => {
    const document = structuredClone(OPENAPI_DOCUMENT) as typeof OPENAPI_DOCUMENT & { components: { schemas: { TokenResponse: { required: string[] } } } };
    document.components.schemas.TokenResponse.required.push("refresh_token");
    const errors: string[] = [];
    const server = await startMockServer({ document, logError: (message) => errors.push(message) });
    try {
      const { code } = await getCode(server);
      expect((await postToken(server, exchangeFields(server, code))).status).toBe(200);
      expect(errors).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe("a validator shared among sandboxes (the validator option)", () => {
  test("a sandbox given a validator checks with it: a stricter description's validator makes its answers 500s", async () => {
    const document = structuredClone(OPENAPI_DOCUMENT) as typeof OPENAPI_DOCUMENT & { components: { schemas: { TokenResponse: { required: string[] } } } };
    document.components.schemas.TokenResponse.required.push("refresh_token");
    const shared = new SpecValidator(document);
    for (const withDocument of [false, true]) {
      const server = await startMockServer({ strict: true, validator: shared, ...(withDocument && { document }), logError: () => {} });
      try {
        const { code } = await getCode(server);
        expect((await postToken(server, exchangeFields(server, code))).status).toBe(500);
      } finally {
        await server.close();
      }
    }
  });

  test.each([
    [{ validator: {} as SpecValidator }, "validator must be a SpecValidator"],
    [
      { validator, document: structuredClone(OPENAPI_DOCUMENT) },
      "validator was built from another description than document: give one of them, or a validator of that document",
    ],
  ])("refuses a validator that does not fit (%#)", async (options, message) => {
    await expect(startMockServer(options)).rejects.toThrow(message);
  });
});
