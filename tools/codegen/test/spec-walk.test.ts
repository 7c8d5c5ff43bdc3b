import { describe, expect, it } from "vitest";
import { followRef, refSegments, resolveRef, UnresolvableRefError } from "../src/index.ts";

const document = {
  components: {
    parameters: { Id: { name: "id", in: "path" }, Alias: { $ref: "#/components/parameters/Id" }, Loop: { $ref: "#/components/parameters/Loop" } },
    "a/b~c": { found: true },
    "with space": { spaced: true },
    list: [{ first: true }, 2],
  },
};

describe("followRef", () => {
  it.each([
    ["an object without $ref is itself", { name: "q", in: "query" }, { name: "q", in: "query" }],
    ["a local ref", { $ref: "#/components/parameters/Id" }, { name: "id", in: "path" }],
    ["a ref to a ref", { $ref: "#/components/parameters/Alias" }, { name: "id", in: "path" }],
    ["~1 and ~0 in a segment", { $ref: "#/components/a~1b~0c" }, { found: true }],
    ["a percent-encoded segment", { $ref: "#/components/with%20space" }, { spaced: true }],
    ["an array index", { $ref: "#/components/list/0" }, { first: true }],
    ["a missing target", { $ref: "#/components/parameters/Nope" }, {}],
    ["a target that is not an object", { $ref: "#/components/list/1" }, {}],
    ["a target that is an array", { $ref: "#/components/list" }, {}],
    ["a cycle", { $ref: "#/components/parameters/Loop" }, {}],
    ["a ref to another file", { $ref: "other.yaml#/components/parameters/Id" }, {}],
    ["a malformed escape", { $ref: "#/components/%E0" }, {}],
    ["undefined", undefined, {}],
    ["a string", "text", {}],
  ])("%s", (_name, node, want) => {
    expect(followRef(document, node)).toEqual(want);
  });
});

describe("resolveRef", () => {
  it("says where the target was found", () => {
    expect(resolveRef(document, { $ref: "#/components/parameters/Alias" })).toEqual({
      node: { name: "id", in: "path" },
      segments: ["components", "parameters", "Id"],
    });
    expect(resolveRef(document, { name: "q" })).toEqual({ node: { name: "q" }, segments: undefined });
  });

  it.each([
    ["#/components/parameters/Nope", "unresolvable $ref #/components/parameters/Nope"],
    ["#/components/parameters/Loop", "#/components/parameters/Loop refers to itself"],
    ["other.yaml#/x", "only local $refs can be followed, not other.yaml#/x"],
  ])("names what is wrong with %s", (ref, message) => {
    expect(() => resolveRef(document, { $ref: ref })).toThrow(new UnresolvableRefError(message));
  });

  it("decodes percent-escapes before ~ escapes (RFC 6901 §6)", () => {
    expect(refSegments("#/a%7E1b/c~01")).toEqual(["a/b", "c~1"]);
    expect(refSegments("#")).toEqual([]);
  });
});
