import fc from "fast-check";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AccessDeniedError, AuthorizationError, CallbackError, OAuthError, OAuthOptionsError, StateMismatchError } from "../src/errors.js";
import { parseCallback, SKIP_STATE_CHECK } from "../src/parse-callback.js";

const expectedState = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg";
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
};

describe("parseCallback", () => {
  it.each([
    ["a full callback URL", `http://127.0.0.1:5000/callback?code=c0de&state=${expectedState}`],
    ["a URL object", new URL(`https://app.example/cb?state=${expectedState}&code=c0de`)],
    ["a request target", `/callback?code=c0de&state=${expectedState}`],
    ["a query string", `?code=c0de&state=${expectedState}`],
    ["a bare query string", `code=c0de&state=${expectedState}`],
    ["URLSearchParams", new URLSearchParams({ code: "c0de", state: expectedState })],
  ])("returns the code from %s", (_, input) => {
    expect(parseCallback(input, { expectedState }).code).toBe("c0de");
  });

  it("keeps the code out of JSON and inspect output", () => {
    const result = parseCallback(`?code=c0de-secret&state=${expectedState}`, { expectedState });
    expect(JSON.stringify(result)).toBe("{}");
    expect(inspect(result, { showHidden: true })).toBe("{ code: '[redacted]' }");
  });

  it.each([
    ["missing", "?code=c0de", "the callback's state is missing: it may be forged; start the login again"],
    ["different", "?code=c0de&state=other", "the callback's state is wrong: it may be forged; start the login again"],
    ["empty", "?code=c0de&state=", "the callback's state is wrong: it may be forged; start the login again"],
    [
      "a prefix of the expected one",
      `?code=c0de&state=${expectedState.slice(0, -1)}`,
      "the callback's state is wrong: it may be forged; start the login again",
    ],
    ["the expected one plus a character", `?code=c0de&state=${expectedState}x`, "the callback's state is wrong: it may be forged; start the login again"],
  ])("rejects a state that is %s with StateMismatchError", (_, input, message) => {
    const error = thrown(() => parseCallback(input, { expectedState }));
    expect(error).toBeInstanceOf(StateMismatchError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_STATE_MISMATCH", message });
  });

  it("checks the state before believing an error", () => {
    expect(thrown(() => parseCallback("?error=access_denied&state=forged", { expectedState }))).toBeInstanceOf(StateMismatchError);
  });

  it("turns access_denied into AccessDeniedError with the RFC 6749 §4.1.2.1 fields", () => {
    const error = thrown(() =>
      parseCallback(`?error=access_denied&error_description=The+user+said+no&error_uri=https%3A%2F%2Fhelp&state=${expectedState}`, { expectedState }),
    );
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toBeInstanceOf(AuthorizationError);
    expect(error).toMatchObject({
      code: "MKP_OAUTH_ACCESS_DENIED",
      message: "the authorization server answered access_denied: The user said no",
      error: "access_denied",
      errorDescription: "The user said no",
      errorUri: "https://help",
    });
  });

  it("turns other errors into AuthorizationError", () => {
    const error = thrown(() => parseCallback(`?error=invalid_scope&state=${expectedState}`, { expectedState }));
    expect(error).not.toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_AUTHORIZATION_ERROR", message: "the authorization server answered invalid_scope", error: "invalid_scope" });
    expect(error).not.toHaveProperty("errorDescription");
  });

  it.each([
    ["a repeated state", `?code=c0de&state=${expectedState}&state=${expectedState}`, 'the callback repeats the parameter "state"'],
    ["a repeated code", `?code=a&code=b&state=${expectedState}`, 'the callback repeats the parameter "code"'],
    ["a repeated unknown parameter", `?code=a&x=1&x=2&state=${expectedState}`, 'the callback repeats the parameter "x"'],
    [
      "a repeated long parameter (its name cut at 40 characters)",
      `?${"p".repeat(50)}=1&${"p".repeat(50)}=2`,
      `the callback repeats the parameter "${"p".repeat(40)}"`,
    ],
    ["no code", `?state=${expectedState}`, "the callback has no code"],
    ["an empty code", `?code=&state=${expectedState}`, "the callback has no code"],
  ])("rejects %s with CallbackError", (_, input, message) => {
    const error = thrown(() => parseCallback(input, { expectedState }));
    expect(error).toBeInstanceOf(CallbackError);
    expect(error).toMatchObject({ code: "MKP_OAUTH_INVALID_CALLBACK", message });
  });

  it.each([[undefined], [""], [null], [42]])("refuses expectedState %j instead of silently skipping the check", (value) => {
    const error = thrown(() => parseCallback(`?code=c0de&state=x`, { expectedState: value as never }));
    expect(error).toBeInstanceOf(OAuthOptionsError);
    expect(error).toMatchObject({ message: "expectedState must be a non-empty string" });
  });

  it("skips the state check only with the explicit SKIP_STATE_CHECK marker", () => {
    expect(parseCallback("?code=c0de", { expectedState: SKIP_STATE_CHECK }).code).toBe("c0de");
    expect(thrown(() => parseCallback("?code=c0de&code=x", { expectedState: SKIP_STATE_CHECK }))).toBeInstanceOf(CallbackError);
  });

  // Any query string at all: parseCallback returns the code only for a well-formed success with the
  // right state, and otherwise throws one of our typed errors — never a crash, never the code in a message.
  it("answers any input with the code or a typed error (fast-check, 1,000 runs)", () => {
    const name = fc.constantFrom("state", "error", "error_description", "error_uri", "iss", "x");
    const value = fc.oneof(fc.string(), fc.constant(expectedState), fc.string({ unit: "binary" }));
    const code = fc.oneof(
      fc.constant(""),
      fc.string({ unit: "binary" }).map((s) => `SECRET${s}`),
    );
    const pair = fc.oneof(fc.tuple(fc.constant("code"), code), fc.tuple(name, value));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), fc.constantFrom("params", "query", "url"), (pairs, form) => {
        const params = new URLSearchParams(pairs);
        const input = form === "params" ? params : form === "query" ? `?${params}` : `https://app.example/cb?${params}`;
        const count = (n: string) => pairs.filter(([k]) => k === n).length;
        const get = (n: string) => pairs.find(([k]) => k === n)?.[1];
        const repeated = new Set(pairs.map(([k]) => k)).size !== pairs.length;
        try {
          const { code } = parseCallback(input, { expectedState });
          expect(repeated).toBe(false);
          expect(get("state")).toBe(expectedState);
          expect(count("error")).toBe(0);
          expect(code).toBe(get("code"));
          expect(code).not.toBe("");
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
          if (repeated) expect(error).toBeInstanceOf(CallbackError);
          else if (get("state") !== expectedState) expect(error).toBeInstanceOf(StateMismatchError);
          else if (count("error")) expect(error).toBeInstanceOf(AuthorizationError);
          else expect(error).toMatchObject({ message: "the callback has no code" });
          expect(String(error) + JSON.stringify(error) + inspect(error)).not.toContain("SECRET");
        }
      }),
      { numRuns: 1000 },
    );
  });
});
