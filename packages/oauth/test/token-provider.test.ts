import { AccessTokenError, createClient } from "@mkp/client";
import { afterEach, describe, expect, it } from "vitest";
import { TokenExpiredError } from "../src/errors.js";
import { tokenFromResponse } from "../src/internal/token-response.js";
import { tokenProvider } from "../src/token-provider.js";
import { json, startRecordingServer } from "@mkp/testing";

const token = (expiresIn?: number) =>
  tokenFromResponse(200, { access_token: "sec_3dFix", token_type: "Bearer", ...(expiresIn !== undefined && { expires_in: expiresIn }) }, 0);

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

describe("tokenProvider", () => {
  it("makes createClient send Authorization: Bearer with the current token", async () => {
    const api = await startRecordingServer((_, res) => json(res, 200, { data: [] }));
    close = api.close;
    let current = token(3600);
    const client = createClient({ baseUrl: `${api.url}/v1`, accessToken: tokenProvider(() => current, { now: () => 0 }) });
    await client.GET("/items");
    current = tokenFromResponse(200, { access_token: "newer", token_type: "bearer" }, 0);
    await client.GET("/items");
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer sec_3dFix", "Bearer newer"]);
  });

  it("refuses to send an expired token (injected clock), before any request", async () => {
    const api = await startRecordingServer((_, res) => json(res, 200, {}));
    close = api.close;
    const client = createClient({ baseUrl: api.url, accessToken: tokenProvider(token(60), { now: () => 60_000 }) });
    const error = await client.GET("/items").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessTokenError);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(TokenExpiredError);
    expect(cause).toMatchObject({ code: "MKP_OAUTH_TOKEN_EXPIRED", message: "the access token expired at 1970-01-01T00:01:00.000Z: log in again" });
    expect(api.requests).toHaveLength(0);
  });

  it("accepts an async source", async () => {
    expect(await tokenProvider(async () => token())()).toBe("sec_3dFix");
  });
});
