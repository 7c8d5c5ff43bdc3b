import fc from "fast-check";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InvalidTokenResponseError, TokenError } from "../src/errors.js";
import { tokenFromResponse } from "../src/internal/token-response.js";

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 2 }),
);
const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: anyValue });
const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });
const body = fc.record({
  access_token: maybe(
    field(
      fc
        .oneof({ weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(..."Az09-._~+/") }).map((s) => `${s}==`) }, { weight: 1, arbitrary: fc.string() })
        .map((s) => `access-token-${s}`),
    ),
    12,
  ),
  token_type: maybe(field(fc.constantFrom("Bearer", "bearer", "BEARER", "mac", "")), 12),
  expires_in: maybe(field(fc.oneof(fc.nat(), fc.nat().map(String), fc.constantFrom("3600.5", "1e3", " 60", "soon", "", 1e13)))),
  refresh_token: maybe(field(fc.string().map((s) => `refresh-token-${s}`))),
  scope: maybe(field(fc.constantFrom("fix", "add_file fix", "", "  fix  "))),
  error: fc.oneof(
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom("invalid_grant", "invalid_client"), anyValue) },
    { weight: 4, arbitrary: fc.constant(undefined) },
  ),
  id_token: anyValue,
});

// An independent statement of RFC 6749 §5.1 / §5.2 as tolerated by the issue.
function oracle(status: number, b: unknown): "token" | "TokenError" | "InvalidTokenResponseError" {
  if (typeof b !== "object" || b === null || Array.isArray(b)) return "InvalidTokenResponseError";
  const r = b as Record<string, unknown>;
  if (typeof r.error === "string") return "TokenError";
  if (status !== 200) return "InvalidTokenResponseError";
  const ok =
    typeof r.access_token === "string" &&
    /^[A-Za-z0-9._~+/-]+=*$/.test(r.access_token) && // RFC 6750 §2.1 b64token
    typeof r.token_type === "string" &&
    r.token_type.toLowerCase() === "bearer" &&
    (r.expires_in === undefined ||
      r.expires_in === null ||
      ((typeof r.expires_in === "number" || (typeof r.expires_in === "string" && /^[0-9]+(\.[0-9]+)?$/.test(r.expires_in))) &&
        Number(r.expires_in) >= 0 &&
        Number(r.expires_in) < 1e12)) && // beyond that, no Date can hold the expiry
    (r.refresh_token === undefined || (typeof r.refresh_token === "string" && r.refresh_token !== "")) &&
    (r.scope === undefined || typeof r.scope === "string");
  return ok ? "token" : "InvalidTokenResponseError";
}

describe("token-response validation", () => {
  it("accepts exactly the valid RFC 6749 §5.1 bodies and never shows a token (fast-check, 1,000 runs)", () => {
    const outcomes = { token: 0, TokenError: 0, InvalidTokenResponseError: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(200, 200, 200, 400, 401, 500, 502),
        fc.oneof({ weight: 9, arbitrary: body }, { weight: 1, arbitrary: anyValue }),
        (status, b) => {
          const clean = b && typeof b === "object" ? JSON.parse(JSON.stringify(b)) : b; // the wire has no undefined, NaN or -0
          const want = oracle(status, clean);
          outcomes[want]++;
          const r = (clean && typeof clean === "object" ? clean : {}) as Record<string, unknown>;
          let token: ReturnType<typeof tokenFromResponse> | undefined;
          let error: unknown;
          try {
            token = tokenFromResponse(status, clean, 1_000);
          } catch (e) {
            error = e;
          }
          if (want === "token") {
            expect(error).toBeUndefined();
            expect(token!.accessToken).toBe(r.access_token);
            expect(token!.tokenType).toBe("Bearer");
            expect(token!.refreshToken).toBe(r.refresh_token);
            expect(token!.expiresAt?.getTime()).toBe(r.expires_in == null ? undefined : new Date(1_000 + Number(r.expires_in) * 1000).getTime());
            expect(token!.scopes).toEqual(typeof r.scope === "string" ? r.scope.split(" ").filter(Boolean) : undefined);
            const shown = JSON.stringify(token) + inspect(token, { showHidden: true });
            for (const secret of [r.access_token, r.refresh_token]) if (typeof secret === "string" && secret.length > 12) expect(shown).not.toContain(secret);
          } else {
            expect(error).toBeInstanceOf(want === "TokenError" ? TokenError : InvalidTokenResponseError);
            expect(error).toMatchObject({ status });
            // A token value never shows up in a message (error text is the server's own, unless it echoes one).
            const shown = String(error) + JSON.stringify(error) + inspect(error, { showHidden: true });
            if (typeof r.access_token === "string" && r.access_token.length > 12 && typeof r.error !== "string") expect(shown).not.toContain(r.access_token);
          }
        },
      ),
      { numRuns: 1000 },
    );
    // The generator must reach every outcome often enough for the property to mean something.
    expect(Math.min(...Object.values(outcomes))).toBeGreaterThan(30);
  });
});

describe("token-response boundaries", () => {
  const token = (expires_in: unknown) => tokenFromResponse(200, { access_token: "t", token_type: "Bearer", expires_in }, 1_000);
  it.each([
    [0, 1_000],
    ["0", 1_000],
    ["3600.5", 1_000 + 3_600_500],
    ["3600.25", 1_000 + 3_600_250],
    [999_999_999_999, 1_000 + 999_999_999_999_000],
  ])("takes expires_in %j (expiresAt %d)", (expiresIn, expiresAt) => {
    expect(token(expiresIn).expiresAt).toEqual(new Date(expiresAt));
  });

  it.each([1e12, "1000000000000", -1, "-1", "1e3", " 60", "60 ", "60.", ".5", Number.NaN, true])("refuses expires_in %j", (expiresIn) => {
    let error: unknown;
    try {
      token(expiresIn);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({ message: "the token response's expires_in is not a number of seconds", status: 200 });
  });

  it("has no refreshToken (not even a hidden one) when the server sent none", () => {
    const t = token(undefined);
    expect("refreshToken" in t).toBe(false);
    expect(inspect(t, { breakLength: Infinity })).toBe("{ tokenType: 'Bearer', receivedAt: 1970-01-01T00:00:01.000Z, accessToken: '[redacted]' }");
  });
});
