import type { IncomingMessage } from "node:http";

/** What a handler answers; the server validates it against the spec, negotiates and writes it. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body's data model (sent as XML instead when the client asks and the spec allows it). */
  json?: unknown;
  /** An HTML page. */
  html?: string;
  /** Raw bytes with their media type. */
  bytes?: { data: Uint8Array; mediaType: string };
  /**
   * An answer of the sandbox itself (a limit it enforces, a failure it was asked to inject), not
   * one the API's description documents: sent without checking it against the description.
   */
  outsideSpec?: true;
}

/** The body was larger than the limit: answered with 413 before it is read to the end. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** Reads a request body up to `limit` bytes; rejects with {@link BodyTooLargeError} beyond it. */
export function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off("data", onData);
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.once("error", reject);
  });
}

/** A media type without its parameters, in lower case (`"Application/JSON; charset=x"` → `"application/json"`). */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type === "" ? undefined : type;
}

/**
 * Parses `application/x-www-form-urlencoded` text into single values. A repeated parameter is an
 * error (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once"),
 * and an empty one counts as omitted (same section).
 */
export function parseForm(text: string): { ok: true; fields: Record<string, string> } | { ok: false; repeated: string } {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (seen.has(name)) return { ok: false, repeated: name };
    seen.add(name);
    if (value !== "") fields[name] = value;
  }
  return { ok: true, fields };
}

/** The media type of form bodies (RFC 6749 §4.1.3, the fixes operation, the consent form). */
export const FORM = "application/x-www-form-urlencoded";

/** A form body as single values, or why it is not one (`kind` lets each caller word its own answer). */
export type FormResult = { ok: true; fields: Record<string, string> } | { ok: false; kind: "not-a-form" | "not-utf-8" | "repeated"; message: string };

/**
 * Reads an `application/x-www-form-urlencoded` body: the media type, the size limit (rejecting
 * with {@link BodyTooLargeError}), strict UTF-8, and single values ({@link parseForm}). A body of
 * another type is read and dropped, so the connection stays usable.
 */
export async function readForm(request: IncomingMessage, limit: number): Promise<FormResult> {
  if (mediaTypeOf(request.headers["content-type"]) !== FORM) {
    await readBody(request, limit).catch(() => undefined);
    return { ok: false, kind: "not-a-form", message: `The body must be ${FORM}.` };
  }
  const bytes = await readBody(request, limit);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, kind: "not-utf-8", message: "The body is not valid UTF-8." };
  }
  const parsed = parseForm(text);
  return parsed.ok ? parsed : { ok: false, kind: "repeated", message: `The parameter ${parsed.repeated} is repeated.` };
}

/** The q-value the most specific matching range of an `Accept` header gives a media type (RFC 9110 §12.5.1). */
function quality(ranges: ReadonlyArray<{ type: string; q: number }>, mediaType: string): number {
  const major = mediaType.split("/")[0] ?? "";
  let q = 0;
  let specificity = -1;
  for (const range of ranges) {
    const score = range.type === mediaType ? 2 : range.type === `${major}/*` ? 1 : range.type === "*/*" ? 0 : -1;
    if (score > specificity) {
      specificity = score;
      q = range.q;
    }
  }
  return q;
}

/** Whether an `Accept` header prefers `application/xml` over `application/json` (JSON wins a tie). */
export function prefersXml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(",").map((range) => {
    const [type = "", ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    const qParameter = parameters.find((parameter) => parameter.startsWith("q="));
    const q = qParameter ? Number(qParameter.slice(2)) : 1;
    return { type, q: Number.isFinite(q) ? q : 0 };
  });
  return quality(ranges, "application/xml") > quality(ranges, "application/json");
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function xmlElement(name: string, value: unknown, itemName: string): string {
  const tag = XML_NAME.test(name) ? name : "field";
  if (value === null || value === undefined) return `<${tag}/>`;
  if (Array.isArray(value)) return `<${tag}>${value.map((entry) => xmlElement(itemName, entry, itemName)).join("")}</${tag}>`;
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([key, entry]) => xmlElement(key, entry, key))
      .join("");
    return `<${tag}>${inner}</${tag}>`;
  }
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/**
 * The XML representation of a JSON data model, following the OpenAPI XML Object defaults: the
 * root element is named after the component schema, properties become child elements, and array
 * entries are named after the array's item schema.
 * @see https://spec.openapis.org/oas/v3.1.0#xml-object
 */
export function toXml(rootName: string, itemName: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement(rootName, value, itemName)}\n`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Parses a `Cookie` header (RFC 6265 §4.2.1) into name → value. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? "").split(";")) {
    const index = pair.indexOf("=");
    if (index > 0) cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
  }
  return cookies;
}
