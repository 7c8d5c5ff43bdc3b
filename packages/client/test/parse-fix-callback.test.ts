import { describe, expect, it } from "vitest";
import { FixCallbackError, parseFixCallback, type FixCallbackBody } from "../src/index.js";

const form = (fields: Array<[string, string | Blob]>) => {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
};

describe("parseFixCallback reads every encoding", () => {
  it.each<[string, FixCallbackBody, Record<string, unknown>]>([
    ["form text", "id=17&item_id=149&status=done&progress=100", { id: 17, item_id: 149, status: "done", progress: 100 }],
    ["form text with extra fields", "id=17&status=done&download_url=http%3A%2F%2Fx%2Fd.obj", { id: 17, status: "done", download_url: "http://x/d.obj" }],
    ["URLSearchParams", new URLSearchParams({ id: "17", progress: "42.5" }), { id: 17, progress: 42.5 }],
    [
      "FormData",
      form([
        ["id", "17"],
        ["status", "processing"],
      ]),
      { id: 17, status: "processing" },
    ],
    ["JSON text", ' {"id":17,"item_id":149,"status":"done","progress":100} ', { id: 17, item_id: 149, status: "done", progress: 100 }],
    ["a parsed JSON object", { id: 17, status: 3, progress: "100" }, { id: 17, status: 3, progress: 100 }],
    ["a numeric status kept as the server sent it", "id=17&status=3", { id: 17, status: "3" }],
  ])("%s", (_name, body, expected) => {
    expect(parseFixCallback(body)).toEqual(expected);
  });
});

describe("parseFixCallback refuses garbage with a typed error", () => {
  it.each<[string, unknown, string]>([
    ["an empty body", "", "the callback body is empty"],
    ["whitespace", "  \n", "the callback body is empty"],
    ["broken JSON", '{"id":17', "the callback body is not valid JSON"],
    ["a JSON array", [1, 2], "the callback body is not an object"],
    ["null", null, "the callback body is not an object"],
    ["a number", 42, "the callback body is not an object"],
    ["text that is no fix", "hello world", "the callback has no id, so it is not a fix"],
    ["an object that is no fix", { ok: true }, "the callback has no id, so it is not a fix"],
    ["a fix without its id", { status: "done", progress: 100 }, "the callback has no id, so it is not a fix"],
    ["a repeated field", "id=17&id=18", 'the callback repeats the field "id"'],
    [
      "a file field",
      form([
        ["id", "17"],
        ["status", new Blob(["x"])],
      ]),
      'the callback field "status" is a file, not text',
    ],
    ["a non-integer id", "id=abc", "the callback field id is not a non-negative integer"],
    ["a negative id", { id: -1 }, "the callback field id is not a non-negative integer"],
    ["a fractional item_id", { id: 1, item_id: 1.5 }, "the callback field item_id is not a non-negative integer"],
    ["a non-numeric progress", "id=17&progress=half", "the callback field progress is not a number"],
    ["an infinite progress", { id: 17, progress: Number.POSITIVE_INFINITY }, "the callback field progress is not a number"],
    ["an object status", { id: 17, status: { code: 1 } }, "the callback field status is neither text nor an integer"],
  ])("%s", (_name, body, message) => {
    let thrown: unknown;
    try {
      parseFixCallback(body as FixCallbackBody);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FixCallbackError);
    expect(thrown).toMatchObject({ code: "MKP_INVALID_FIX_CALLBACK", message });
  });

  it("never echoes the body's values in its message", () => {
    const secretish = "id=sk_live_5f3c9a2e7b";
    expect(() => parseFixCallback(secretish)).toThrow(FixCallbackError);
    try {
      parseFixCallback(secretish);
    } catch (error) {
      expect(String(error)).not.toContain("sk_live");
    }
  });
});
