import { MakeprintableError } from "./errors.js";
import type { Fix } from "./wait-for-fix.js";

/** A `callback_url` request body that is not a fix. The message names the problem, never the values. */
export class FixCallbackError extends MakeprintableError {
  static override readonly code = "MKP_INVALID_FIX_CALLBACK";
}

/** The body of a fix-done callback, as a server framework hands it over. */
export type FixCallbackBody = string | URLSearchParams | FormData | Record<string, unknown>;

const INTEGER = /^[0-9]{1,15}$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

function fields(body: FixCallbackBody): Record<string, unknown> {
  if (typeof body === "string") {
    const text = body.trim();
    if (text === "") throw new FixCallbackError("the callback body is empty");
    if (text.startsWith("{")) {
      try {
        return fields(JSON.parse(text) as Record<string, unknown>);
      } catch (error) {
        if (error instanceof FixCallbackError) throw error;
        throw new FixCallbackError("the callback body is not valid JSON");
      }
    }
    return fields(new URLSearchParams(text));
  }
  if (body instanceof URLSearchParams || (typeof FormData !== "undefined" && body instanceof FormData)) {
    const result: Record<string, unknown> = {};
    for (const [name, value] of body) {
      // A repeated field is ambiguous: refuse it rather than pick one.
      if (name in result) throw new FixCallbackError(`the callback repeats the field ${JSON.stringify(name)}`);
      if (typeof value !== "string") throw new FixCallbackError(`the callback field ${JSON.stringify(name)} is a file, not text`);
      result[name] = value;
    }
    return result;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new FixCallbackError("the callback body is not an object");
  return body as Record<string, unknown>;
}

function integer(value: unknown, name: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string" && INTEGER.test(value)) return Number(value);
  throw new FixCallbackError(`the callback field ${name} is not a non-negative integer`);
}

/**
 * Reads the body Makeprintable `POST`s to your `callback_url` when a repair is done: "the same as
 * the response for fixes/{id}", in an encoding the API does not publish. Takes form-encoded text,
 * JSON text, `URLSearchParams`, `FormData` or an already-parsed object; form values become numbers
 * where the spec says so (`id`, `item_id`, numeric `progress`). Unknown fields are kept.
 *
 * @example
 * app.post("/makeprintable/fix-done", express.text({ type: "*\/*" }), (req, res) => {
 *   const fix = parseFixCallback(req.body);
 *   res.sendStatus(200);
 * });
 * @throws {FixCallbackError} when the body is not a fix: empty, not an object, none of the fix's
 *   `id`, a repeated field, or `id`/`item_id`/`progress`/`status` of the wrong type.
 */
export function parseFixCallback(body: FixCallbackBody): Fix {
  const fix: Record<string, unknown> = { ...fields(body) };
  // The body is a fix as `GET /fixes/{id}` returns it, so it names the fix.
  if (fix.id === undefined) throw new FixCallbackError("the callback has no id, so it is not a fix");
  fix.id = integer(fix.id, "id");
  if (fix.item_id !== undefined) fix.item_id = integer(fix.item_id, "item_id");
  const { status, progress } = fix;
  if (status !== undefined && typeof status !== "string" && !(typeof status === "number" && Number.isInteger(status))) {
    throw new FixCallbackError("the callback field status is neither text nor an integer");
  }
  if (progress !== undefined) {
    if (typeof progress === "string" && NUMBER.test(progress.trim())) fix.progress = Number(progress);
    else if (typeof progress !== "number" || !Number.isFinite(progress)) throw new FixCallbackError("the callback field progress is not a number");
  }
  return fix as Fix;
}
