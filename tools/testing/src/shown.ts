import { format, inspect } from "node:util";

// A value holding something the structured clone algorithm refuses (a Response, a function) cannot be copied that way at all.
function cloned(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch (error) {
    if (error instanceof DOMException && error.name === "DataCloneError") return undefined;
    throw error;
  }
}

/**
 * Every way a value ends up in front of a person or in a file, as text: `String`, `JSON.stringify`,
 * `util.inspect` (default, any depth with `showHidden`, with `getters`, and with the value's own
 * inspection skipped), what `console.log` prints (`util.format`), `Object.keys`/`entries`, a spread
 * and a `structuredClone` (where the value can be cloned), and an error's message and stack. A secret-holding value's tests assert
 * that no secret is in any of them.
 */
export function shownForms(value: unknown): string[] {
  const all = { showHidden: true, depth: Number.POSITIVE_INFINITY };
  const object = Object(value) as object;
  return [
    String(value),
    JSON.stringify(value) ?? "",
    inspect(value),
    inspect(value, all),
    inspect(value, { ...all, getters: true }),
    inspect(value, { ...all, customInspect: false }),
    format("%s %o %j", value, value, value),
    JSON.stringify(Object.entries(object)),
    JSON.stringify(Object.keys(object)),
    inspect({ ...object }, { ...all, getters: true }),
    inspect(cloned(value), { ...all, getters: true }),
    value instanceof Error ? `${value.message}\n${value.stack}` : "",
  ];
}
