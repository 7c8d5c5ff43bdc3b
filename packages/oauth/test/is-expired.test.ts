import { describe, expect, it } from "vitest";
import { isExpired } from "../src/is-expired.js";

const expiresAt = new Date(1_000_000);

describe("isExpired", () => {
  it.each([
    [1_000_000 - 30_001, {}, false],
    [1_000_000 - 30_000, {}, true], // the default 30 s skew
    [1_000_000 - 1, { skewSeconds: 0 }, false],
    [1_000_000, { skewSeconds: 0 }, true],
    [1_000_000 - 120_000, { skewSeconds: 120 }, true],
  ])("at %i ms with %j → %s", (now, options, expected) => {
    expect(isExpired({ expiresAt }, { ...options, now: () => now })).toBe(expected);
  });

  it("never counts a token without expires_in as expired", () => {
    expect(isExpired({}, { now: () => Number.MAX_SAFE_INTEGER })).toBe(false);
  });
});
