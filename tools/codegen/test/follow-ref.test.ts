import { describe, expect, it } from "vitest";
import { followRef } from "../src/index.ts";

const document = {
  components: {
    parameters: { Id: { name: "id", in: "path" }, Alias: { $ref: "#/components/parameters/Id" }, Loop: { $ref: "#/components/parameters/Loop" } },
    "a/b~c": { found: true },
    list: [1, 2],
  },
};

describe("followRef", () => {
  it.each([
    ["an object without $ref is itself", { name: "q", in: "query" }, { name: "q", in: "query" }],
    ["a local ref", { $ref: "#/components/parameters/Id" }, { name: "id", in: "path" }],
    ["a ref to a ref", { $ref: "#/components/parameters/Alias" }, { name: "id", in: "path" }],
    ["~1 and ~0 in a segment", { $ref: "#/components/a~1b~0c" }, { found: true }],
    ["a missing target", { $ref: "#/components/parameters/Nope" }, {}],
    ["a ref through a non-object", { $ref: "#/components/list/0" }, {}],
    ["a target that is an array", { $ref: "#/components/list" }, {}],
    ["a cycle", { $ref: "#/components/parameters/Loop" }, {}],
    ["a ref to another file", { $ref: "other.yaml#/components/parameters/Id" }, {}],
    ["undefined", undefined, {}],
    ["a string", "text", {}],
  ])("%s", (_name, node, want) => {
    expect(followRef(document, node)).toEqual(want);
  });
});
