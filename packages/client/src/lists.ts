import { MakeprintableError } from "./errors.js";
import { isObject } from "./internal/json.js";
import type { components } from "./generated/schema.js";

type Schemas = components["schemas"];
/** A 3D model in your account. */
export type Item = Schemas["Item"];

/** A list response had a shape none of the plausible ones: the message names what was there. */
export class UnexpectedListError extends MakeprintableError {
  static override readonly code = "MKP_UNEXPECTED_LIST";
}

// The spec does not publish whether a list is a bare array or an envelope, nor the envelope's key.
const ENVELOPE_KEYS = ["items", "fixes", "data", "results"];

function entriesOf<T>(list: T[] | Record<string, unknown> | undefined, what: string): T[] {
  const entries = Array.isArray(list) ? list : ENVELOPE_KEYS.map((key) => list?.[key]).find(Array.isArray);
  if (entries?.every(isObject)) return entries as T[];
  const seen = Array.isArray(list)
    ? "an array holding something other than objects"
    : list && typeof list === "object"
      ? `an object with the keys ${Object.keys(list).slice(0, 10).join(", ") || "(none)"}`
      : typeof list;
  throw new UnexpectedListError(
    `the ${what} list is ${seen}, not an array of ${what} or an envelope holding one under ${ENVELOPE_KEYS.join(", ")}: please report it`,
  );
}

/**
 * The items of a `GET /items` response, as an array: the response may be a bare array or an
 * envelope (`{ items: [...] }`, `data`, `results`), which the API does not publish.
 * @example
 * const items = itemsOf(await unwrap(client.GET("/items")));
 * @throws {UnexpectedListError} for any other shape.
 */
export const itemsOf = (list: Schemas["ItemList"] | undefined): Item[] => entriesOf<Item>(list, "items");

/**
 * The fixes of a `GET /fixes` response, as an array (a bare array or an envelope, as {@link itemsOf}).
 * @throws {UnexpectedListError} for any other shape.
 */
export const fixesOf = (list: Schemas["FixList"] | undefined): Schemas["Fix"][] => entriesOf<Schemas["Fix"]>(list, "fixes");
