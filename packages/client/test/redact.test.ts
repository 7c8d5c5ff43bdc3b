// The one place secrets are found and scrubbed (src/redact.ts), case by case: what a hostile or
// careless server may echo, and every place a credential can hide inside a thrown cause.
import { describe, expect, it } from "vitest";
import { holdsSecret, redact, redactValue, secretForms } from "../src/redact.js";

const SECRET = 'k3y/+ "q"\\z';

describe("secretForms", () => {
  it("lists the raw, percent-encoded, form-encoded and JSON-escaped forms, once each", () => {
    expect(secretForms(SECRET)).toEqual([SECRET, "k3y%2F%2B%20%22q%22%5Cz", "k3y%2F%2B+%22q%22%5Cz", 'k3y/+ \\"q\\"\\\\z']);
    expect(secretForms("plain")).toEqual(["plain"]);
  });
});

describe("redact", () => {
  it.each([
    ["raw", `key ${SECRET}!`],
    ["percent-encoded", `key ${encodeURIComponent(SECRET)}!`],
    ["form-encoded", `key ${new URLSearchParams({ s: SECRET }).toString().slice(2)}!`],
    ["JSON-escaped, without the quotes", `key ${JSON.stringify(SECRET).slice(1, -1)}!`],
    ["upper-cased", `key ${SECRET.toUpperCase()}!`],
  ])("replaces a %s secret", (_form, text) => {
    expect(redact(text, [SECRET])).toBe("key [redacted]!");
  });

  it("replaces the longest form whole, when one form starts with another", () => {
    // "ab%" is the start of its own percent-encoding "ab%25".
    expect(redact("x ab%25 y", ["ab%"])).toBe("x [redacted] y");
  });

  it("leaves text alone when there is no secret to look for", () => {
    expect(redact("abc", [])).toBe("abc");
    expect(redact("abc", ["", null, undefined])).toBe("abc");
  });

  it("scrubs every string of a JSON value, keys included, and keeps the rest", () => {
    expect(redactValue({ [SECRET]: [SECRET, 1, null, true], n: { m: `a${SECRET}` } }, [SECRET])).toEqual({
      "[redacted]": ["[redacted]", 1, null, true],
      n: { m: "a[redacted]" },
    });
    expect(redactValue(7, [SECRET])).toBe(7);
  });
});

describe("holdsSecret", () => {
  const headers = (name: string, value: string) => new Headers({ [name]: value });
  it.each([
    ["a string", `x ${SECRET}`],
    ["an encoded string", encodeURIComponent(SECRET)],
    ["an Error's message", new Error(SECRET)],
    ["an Error's stack only", Object.assign(new Error("x"), { stack: `Error: x\n at ${SECRET}` })],
    ["an Error's cause, deep", new Error("a", { cause: new Error("b", { cause: new Error("c", { cause: SECRET }) }) })],
    ["an AggregateError's errors", new AggregateError([new Error("ok"), new Error(SECRET)])],
    ["a header's value", headers("key", "k3y")],
    ["one header of several", new Headers({ a: "1", key: "k3y", z: "2" })],
    ["a lower-cased echo", "K3Y".toLowerCase()],
    ["a function's own property", Object.assign(() => undefined, { leaked: "k3y" })],
    ["a header's name", headers("x-k3y", "v")],
    ["a Request's headers", new Request("https://a.example/", { headers: { key: "k3y" } })],
    ["a Request's URL", new Request("https://a.example/?k=k3y")],
    ["a Response's headers", new Response(null, { headers: { "x-echo": "k3y" } })],
    ["a Map's value", new Map([["a", "k3y"]])],
    ["a Map's key", new Map([["k3y", 1]])],
    ["a Set", new Set(["a", "k3y"])],
    ["an object's key", { k3y: 1 }],
    ["an array", [1, ["k3y"]]],
    ["a non-enumerable property", Object.defineProperty({}, "hidden", { value: "k3y", enumerable: false })],
    ["a symbol-keyed property", { [Symbol("s")]: "k3y" }],
  ])("finds a secret in %s", (_where, value) => {
    expect(holdsSecret(value, [(typeof value === "string" && !value.includes("k3y")) || value instanceof Error ? SECRET : "K3Y"])).toBe(true);
  });

  it.each([
    ["a string", "nothing here"],
    ["a number", 42],
    ["null", null],
    ["an Error", new Error("fetch failed", { cause: new Error("ECONNREFUSED") })],
    ["headers", headers("key", "other")],
    ["a Request", new Request("https://a.example/", { headers: { key: "other" } })],
    ["a setter only (nothing to read)", Object.defineProperty({}, "k", { set: () => undefined })],
    ["a Date", new Date(0)],
    ["bytes of something else", new TextEncoder().encode("other")],
    [
      "a cycle",
      (() => {
        const a: { self?: unknown } = {};
        a.self = a;
        return a;
      })(),
    ],
  ])("finds none in %s", (_where, value) => {
    expect(holdsSecret(value, ["k3y"])).toBe(false);
  });

  // What util.inspect or JSON.stringify would show of a cause: a URL's address, a URLSearchParams'
  // pairs, a Buffer's bytes, and whatever code a getter, a toJSON or a custom inspect runs.
  it.each([
    ["a URL", new URL("https://a.example/?key=k3y")],
    ["a URL's credentials", new URL("https://user:k3y@a.example/")],
    ["a URLSearchParams", new URLSearchParams({ key: "k3y" })],
    ["a Buffer", Buffer.from("the key is k3y")],
    ["a typed array's bytes", new Uint32Array(new TextEncoder().encode("k3y!").buffer)],
    ["a view into part of a buffer", new Uint8Array(new TextEncoder().encode("xxk3yxx").buffer, 2, 3)],
    ["a DataView", new DataView(new TextEncoder().encode("k3y").buffer)],
    ["an ArrayBuffer", new TextEncoder().encode("k3y").buffer],
    ["an accessor (JSON.stringify calls it)", Object.defineProperty({}, "k", { get: () => "k3y", enumerable: true })],
    ["an accessor that says nothing yet", Object.defineProperty({}, "k", { get: () => "other" })],
    ["a toJSON", { toJSON: () => "k3y" }],
    [
      "an inherited toJSON",
      new (class Token {
        toJSON() {
          return "k3y";
        }
      })(),
    ],
    ["a custom inspect", { [Symbol.for("nodejs.util.inspect.custom")]: () => "k3y" }],
    ["a URL inside an error's cause", new Error("fetch failed", { cause: { url: new URL("https://a.example/?k=k3y") } })],
  ])("finds a secret that util.inspect or JSON.stringify would show: %s", (_where, value) => {
    expect(holdsSecret(value, ["K3Y"])).toBe(true);
  });

  // Read for what they show, not refused for having a toJSON or a custom inspect: a cause that
  // only names the API's address is kept, so a person sees where the request went.
  it.each([
    ["a URL", new URL("https://a.example/v1/items?page=2")],
    ["a URLSearchParams", new URLSearchParams({ page: "2" })],
  ])("keeps %s that holds no secret", (_where, value) => {
    expect(holdsSecret(value, ["k3y"])).toBe(false);
  });

  it("counts bytes too many to check (over 1 MiB) as holding one", () => {
    expect(holdsSecret(new Uint8Array(1024 * 1024), ["k3y"])).toBe(false);
    expect(holdsSecret(new Uint8Array(1024 * 1024 + 1), ["k3y"])).toBe(true);
  });

  it("finds nothing when there is no secret to look for", () => {
    expect(holdsSecret("anything", [])).toBe(false);
    expect(holdsSecret("", [""])).toBe(false);
  });

  it("counts a value too big to check (over 1000 objects) as holding one", () => {
    const objects = (n: number) => Array.from({ length: n }, () => ({}));
    expect(holdsSecret(objects(998), ["k3y"])).toBe(false); // the array and 998 objects: 999 visits
    expect(holdsSecret(objects(999), ["k3y"])).toBe(false); // 1000 visits
    expect(holdsSecret(objects(1000), ["k3y"])).toBe(true);
  });
});
