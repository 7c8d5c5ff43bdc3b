import { MakeprintableError } from "@mkp/client";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AccessDeniedError, AuthorizationError, OAuthError, TokenError, TokenRequestError } from "../src/errors.js";

describe("OAuthError", () => {
  it("carries its class's code and name, the fields it is given and a cause only when there is one", () => {
    const cause = new TypeError("fetch failed");
    const error = new TokenRequestError("the token request failed", { cause });
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toBeInstanceOf(MakeprintableError);
    expect(error).toMatchObject({ name: "TokenRequestError", code: "MKP_OAUTH_REQUEST_FAILED", message: "the token request failed" });
    expect(error.cause).toBe(cause);

    const plain = new AccessDeniedError("denied", { error: "access_denied" });
    expect(plain).toBeInstanceOf(AuthorizationError);
    expect(plain).toMatchObject({ name: "AccessDeniedError", code: AccessDeniedError.code, error: "access_denied" });
    expect(Object.hasOwn(plain, "cause")).toBe(false);
    expect(inspect(plain)).not.toContain("[cause]");
  });

  it("a subclass's static code is its own, and what its instances carry", () => {
    expect(OAuthError.code).toBe("MKP_OAUTH_ERROR");
    expect(TokenError.code).toBe("MKP_OAUTH_TOKEN_ERROR");
    expect(new TokenError("x", { error: "invalid_grant", status: 400 })).toMatchObject({ code: TokenError.code, error: "invalid_grant", status: 400 });
    expect(new OAuthError("x").code).toBe("MKP_OAUTH_ERROR");
  });
});
