// GET /items and GET /fixes: the API does not publish whether a list is a bare array or an
// envelope; itemsOf/fixesOf accept the plausible shapes and fail loudly on anything else.
import { describe, expect, it } from "vitest";
import { createClient, fixesOf, itemsOf, unwrap, UnexpectedListError } from "../src/index.js";
import { API_KEY } from "./helpers.js";

const item = { id: 149, user_id: 8, file_name: "box_longline", file_ext: "obj", status: 1, created_at: 1422295700, updated_at: 1422295700 };
const listing = (body: unknown) => createClient({ apiKey: API_KEY, fetch: async () => Response.json(body) });

describe("itemsOf and fixesOf", () => {
  it.each([
    ["a bare array", [item]],
    ["an items envelope", { items: [item], page: 1 }],
    ["a data envelope", { data: [item], total: 1 }],
    ["a results envelope", { results: [item] }],
  ])("read %s", async (_shape, body) => {
    expect(itemsOf(await unwrap(listing(body).GET("/items")))).toEqual([item]);
  });

  it("reads a fixes envelope, and an empty list", async () => {
    expect(fixesOf(await unwrap(listing({ fixes: [{ id: 17 }] }).GET("/fixes")))).toEqual([{ id: 17 }]);
    expect(fixesOf(await unwrap(listing([]).GET("/fixes")))).toEqual([]);
  });

  it.each([
    [
      "an envelope without a list",
      { page: 1, total: 0 },
      "the items list is an object with the keys page, total, not an array of items or an envelope holding one under items, fixes, data, results: please report it",
    ],
    [
      "an array of numbers",
      [1, 2],
      "the items list is an array holding something other than objects, not an array of items or an envelope holding one under items, fixes, data, results: please report it",
    ],
    ["nothing", undefined, "the items list is undefined, not an array of items or an envelope holding one under items, fixes, data, results: please report it"],
  ])("refuse %s, naming what was there", (_shape, body, message) => {
    expect(() => itemsOf(body as never)).toThrow(new UnexpectedListError(message));
  });
});
