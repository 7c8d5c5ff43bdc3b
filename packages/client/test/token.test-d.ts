import { describe, expectTypeOf, it } from "vitest";
import { createClient, type OAuthErrorCode, type Scope, type TokenRequest, type TokenResponse } from "../src/index.js";

const client = createClient();
const body = {
  client_id: "demo-app",
  client_secret: "demo-secret",
  redirect_uri: "https://example.com/callback",
  grant_type: "authorization_code",
  code: "abc",
} as const;

describe("POST /token types", () => {
  it("accepts the five fields", () => {
    void client.POST("/token", { body });
    expectTypeOf<TokenRequest["grant_type"]>().toEqualTypeOf<"authorization_code">();
  });

  it("rejects a body without code", () => {
    const { code: _code, ...withoutCode } = body;
    // @ts-expect-error code is required
    void client.POST("/token", { body: withoutCode });
  });

  it("rejects another grant_type", () => {
    // @ts-expect-error only authorization_code is documented
    void client.POST("/token", { body: { ...body, grant_type: "client_credentials" } });
  });

  it("types the token response and its errors", async () => {
    const { data, error } = await client.POST("/token", { body });
    if (data) expectTypeOf(data.access_token).toEqualTypeOf<string>();
    if (error) expectTypeOf(error.error).toEqualTypeOf<OAuthErrorCode>();
    expectTypeOf<TokenResponse["expires_in"]>().toEqualTypeOf<number | undefined>();
  });

  it("types the scopes as a union", () => {
    expectTypeOf<Scope>().toEqualTypeOf<"add_file" | "fix">();
  });

  it("rejects an unknown path", () => {
    // @ts-expect-error not in the spec
    void client.GET("/nope");
  });
});
