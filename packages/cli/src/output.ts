import Table from "cli-table3";

// C0 controls, DEL and C1 controls: an escape sequence from a server could move the cursor, rewrite
// earlier lines or set the window title. Format characters (bidi overrides and isolates such as
// U+202E, zero-width spaces and joiners, the byte-order mark) reorder or hide text, so a name
// could pass for another in a table.
const CONTROL = /[\p{Cc}\p{Cf}]/gu;

/** Server-controlled text made safe for a terminal: tabs, newlines and line separators become spaces, other controls and format characters go. */
export function printable(value: unknown): string {
  return String(value)
    .replace(/[\t\n\r\u2028\u2029]+/g, " ")
    .replace(CONTROL, "");
}

/** A message of several lines made safe for a terminal: the newlines stay, every other control goes. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}

// Each UTF-16 unit as `\uXXXX` (a tag character beyond U+FFFF is two).
const escapeUnits = (text: string) => text.replace(/[\s\S]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * `value` as indented JSON for scripts. JSON.stringify escapes C0 controls but writes DEL, C1
 * controls, format characters and line separators raw; escape them too, so piping the JSON to a
 * terminal is as safe as the tables (and the data stays the same once parsed).
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\p{Cf}\u2028\u2029]/gu, escapeUnits)}\n`;
}

/** A table for people: one header row, then the rows, every cell made printable. */
export function table(head: string[], rows: unknown[][]): string {
  const output = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) output.push(row.map((cell) => (cell === undefined || cell === null ? "" : printable(cell))));
  return `${output.toString()}\n`;
}

/** A two-column table of a record's fields, for `get` commands. */
export function fieldTable(fields: [string, unknown][]): string {
  const output = new Table({ style: { head: [], border: [] } });
  for (const [name, value] of fields) output.push({ [name]: value === undefined || value === null ? "" : printable(value) });
  return `${output.toString()}\n`;
}

/** A Unix time in seconds as an ISO date, or the raw value when it is not one. */
export function unixTime(seconds: unknown): string {
  return typeof seconds === "number" && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : printable(seconds ?? "");
}

/** A byte count for people: `812 B`, `1.2 kB`, `3.4 MB`. */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
