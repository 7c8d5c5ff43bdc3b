import { createClient } from "@mkp/client";
import { describe, expectTypeOf, it } from "vitest";
import { buildAuthorizationUrl, exchangeCode, parseCallback, type SKIP_STATE_CHECK, tokenProvider, type OAuthToken } from "../src/index.js";
import { loopbackLogin } from "../src/node/index.js";

describe("public types", () => {
  it("buildAuthorizationUrl takes the spec's response types and returns the request", () => {
    expectTypeOf(buildAuthorizationUrl).parameter(0).toHaveProperty("responseType").toEqualTypeOf<"authorization_code" | "code" | undefined>();
    expectTypeOf(buildAuthorizationUrl).returns.resolves.toEqualTypeOf<{ url: string; state: string; readonly codeVerifier?: string }>();
    // @ts-expect-error: "token" is not a response type the spec documents
    void buildAuthorizationUrl({ clientId: "a", redirectUri: "b", responseType: "token" });
  });

  it("parseCallback needs an expected state or the explicit marker", () => {
    expectTypeOf(parseCallback).parameter(1).toEqualTypeOf<{ expectedState: string | typeof SKIP_STATE_CHECK }>();
    // @ts-expect-error: the options are required
    void (() => parseCallback("?code=x"));
  });

  it("the token is read-only, and tokenProvider plugs into createClient", () => {
    expectTypeOf(exchangeCode).returns.resolves.toEqualTypeOf<OAuthToken>();
    expectTypeOf<OAuthToken["tokenType"]>().toEqualTypeOf<"Bearer">();
    expectTypeOf(loopbackLogin).returns.resolves.toEqualTypeOf<OAuthToken>();
    const token = {} as OAuthToken;
    // @ts-expect-error: tokens are read-only
    token.accessToken = "x";
    createClient({ accessToken: tokenProvider(token) });
  });
});
