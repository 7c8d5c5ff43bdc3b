import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { timingSafeEqual } from "../src/internal/secrets.js";

describe("timingSafeEqual (the state comparison)", () => {
  it.each([
    ["abc", "abc", true],
    ["", "", true],
    ["abc", "abd", false],
    ["ab", "abc", false],
    ["abcd", "abc", false],
    ["", "abc", false],
    ["abc\u0000", "abc", false],
    ["é", "e\u0301", false], // compared code unit by code unit, no normalisation
    ["\ud800", "\udc00", false], // lone surrogates stay distinct
  ])("%j vs %j → %s", (received, expected, equal) => {
    expect(timingSafeEqual(received, expected)).toBe(equal);
  });

  it("agrees with === on any pair of strings (fast-check)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(a === b);
        expect(timingSafeEqual(a, a)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
