import { describe, expect, it } from "vitest";
import * as spec from "../src/generated/spec.js";
import * as client from "../src/index.js";
import * as internal from "../src/internal/index.js";

describe("the package exports what the README promises", () => {
  it.each([
    "createClient",
    "unwrap",
    "uploadItem",
    "waitForFix",
    "isFixDone",
    "parseFixCallback",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_MS",
    "MakeprintableError",
    "ClientOptionsError",
    "AccessTokenError",
    "APIError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APIConnectionTimeoutError",
    "APIUserAbortError",
    "InvalidUploadError",
    "FixTimeoutError",
    "FixCallbackError",
  ])("%s", (name) => {
    expect(client).toHaveProperty(name);
  });

  it("keeps what only the sibling packages share out of the public entry, in @mkp/client/internal", () => {
    for (const name of [
      "backoffMs",
      "retryAfterMs",
      "OPERATIONS",
      "OPERATION_INPUTS",
      "PUBLIC_ROUTES",
      "OPERATION_OUTPUTS",
      "checkCredential",
      "redact",
      "holdsSecret",
      "SecretHolder",
      "TOKEN_PATH",
      "GRANT_TYPE",
      "DEFAULT_RESPONSE_TYPE",
    ]) {
      expect(client, name).not.toHaveProperty(name);
      expect(internal, name).toHaveProperty(name);
    }
  });

  it("exports every generated spec constant from exactly one entry, so a new one is a decision", () => {
    for (const name of Object.keys(spec)) {
      expect([name in client, name in internal], name).toSatisfy(([pub, int]: boolean[]) => pub !== int);
    }
  });

  it("gives every error class a distinct stable code", () => {
    const codes = [
      new client.APIError(),
      new client.BadRequestError(),
      new client.AuthenticationError(),
      new client.PermissionDeniedError(),
      new client.NotFoundError(),
      new client.ConflictError(),
      new client.UnprocessableEntityError(),
      new client.RateLimitError(),
      new client.InternalServerError(),
      new client.APIConnectionError(),
      new client.APIConnectionTimeoutError(),
      new client.APIUserAbortError(),
      new client.InvalidUploadError("x"),
      new client.FixCallbackError("x"),
      new client.FixTimeoutError(1, 1, { id: 1 }),
    ].map((error) => {
      expect(error).toBeInstanceOf(client.MakeprintableError);
      return error.code;
    });
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((code) => /^MKP_[A-Z_]+$/.test(code))).toBe(true);
  });
});
