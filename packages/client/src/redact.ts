/**
 * Secret scrubbing shared by every package: a secret is caught in the forms a server may echo it
 * in (as sent, percent-encoded, form-encoded, JSON-escaped), in any letter case.
 */

/** The text that replaces a secret. */
export const REDACTED = "[redacted]";

/** The forms a server may echo `secret` in: raw, percent-encoded, form-encoded and JSON-escaped. */
export function secretForms(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)];
  return [...new Set(forms)];
}

// One case-insensitive pattern for every form of every secret, longest first (so a form that
// contains another is replaced whole); `undefined` when there is nothing to look for.
function patternOf(secrets: readonly (string | null | undefined)[], flags: string): RegExp | undefined {
  const forms = secrets.filter((secret): secret is string => !!secret).flatMap(secretForms);
  if (!forms.length) return undefined;
  forms.sort((a, b) => b.length - a.length);
  return new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), flags);
}

/** `text` with every form of every secret replaced by {@link REDACTED}. */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  const pattern = patternOf(secrets, "gi");
  return pattern ? text.replace(pattern, REDACTED) : text;
}

/** A deep copy of a JSON value with secrets scrubbed from every string, keys included. */
export function redactValue(value: unknown, secrets: readonly (string | null | undefined)[]): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((entry) => redactValue(entry, secrets));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([name, entry]) => [redact(name, secrets), redactValue(entry, secrets)]));
  }
  return value;
}

// Past this many objects, or bytes, a value is too big to check, and counts as holding a secret.
const MAX_VISITS = 1000;
const MAX_BYTES = 1024 * 1024;
/** The key util.inspect looks up for a custom inspection (a registered symbol: no `node:util`, so browsers run this too). */
export const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** The bytes of a buffer or of any view into one (a `Buffer`, a typed array, a `DataView`). */
const bytesOf = (value: ArrayBuffer | ArrayBufferView) =>
  ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value);

/**
 * Whether any form of any secret appears anywhere in `value`: strings, errors (message, stack,
 * `cause`, an `AggregateError`'s `errors`), `Request`s and `Response`s (URL and headers),
 * `Headers`, `URL`s, `URLSearchParams`, bytes (buffers and typed arrays, read as UTF-8), maps,
 * sets, arrays and the own properties of any object, at any depth. A getter, a `toJSON` or a
 * custom `util.inspect` is code that `JSON.stringify` or `util.inspect` would run and that may
 * show anything: it is never run here, and a value that has one counts as holding a secret.
 */
export function holdsSecret(value: unknown, secrets: readonly (string | null | undefined)[]): boolean {
  const pattern = patternOf(secrets, "i");
  if (!pattern) return false;
  const seen = new Set<unknown>();
  const visit = (value: unknown): boolean => {
    if (typeof value === "string") return pattern.test(value);
    if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value)) return false;
    if (seen.size >= MAX_VISITS) return true;
    seen.add(value);
    if (value instanceof Headers) return [...value].some(([name, text]) => visit(name) || visit(text));
    if (value instanceof Request || value instanceof Response) return visit(value.url) || visit(value.headers);
    if (value instanceof URL || value instanceof URLSearchParams) return visit(value.toString());
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = bytesOf(value);
      return bytes.length > MAX_BYTES || visit(new TextDecoder().decode(bytes));
    }
    if (value instanceof Map || value instanceof Set) return [...value].some(visit);
    if (value instanceof Date) return false;
    // In V8 an error's message, stack and cause are own properties; elsewhere `stack` may be a getter.
    if (value instanceof Error && (visit(value.message) || visit(value.stack) || visit(value.cause))) return true;
    const code = value as { toJSON?: unknown; [INSPECT]?: unknown };
    if (typeof code.toJSON === "function" || typeof code[INSPECT] === "function") return true;
    return Reflect.ownKeys(value).some((key) => {
      const property = Object.getOwnPropertyDescriptor(value, key);
      return visit(key) || (property !== undefined && ("value" in property ? visit(property.value) : property.get !== undefined));
    });
  };
  return visit(value);
}
