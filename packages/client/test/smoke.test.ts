import { describe, expect, it } from "vitest";
import * as client from "../src/index.js";

describe("the package exports what the README promises", () => {
  it.each([
    "createClient",
    "unwrap",
    "uploadItem",
    "waitForFix",
    "isFixDone",
    "parseFixCallback",
    "retryAfterMs",
    "backoffMs",
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
