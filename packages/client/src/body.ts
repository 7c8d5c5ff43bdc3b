import { defaultBodySerializer } from "openapi-fetch";
import { carryRequestOptions } from "./retry.js";

const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data";

function hasFile(body: object): boolean {
  for (const value of Object.values(body)) if (value instanceof Blob) return true;
  return false;
}

/**
 * The client's body serialiser: a body holding a `Blob`/`File` becomes `multipart/form-data`
 * (the file keeps its name), anything else goes to openapi-fetch's default (JSON).
 */
export function serializeBody(body: unknown, headers?: Headers): unknown {
  if (body && typeof body === "object" && !(body instanceof FormData) && hasFile(body)) {
    const form = new FormData();
    for (const [name, value] of Object.entries(body)) {
      if (value !== undefined && value !== null) form.append(name, value instanceof Blob ? value : String(value));
    }
    return form;
  }
  return (defaultBodySerializer as (body: unknown, headers?: Headers) => unknown)(body, headers);
}

/**
 * Re-encodes a JSON-serialised body as the operation's spec asks: `application/x-www-form-urlencoded`
 * (POST /token, POST /fixes) or `multipart/form-data` (POST /items with `fileurl`), so callers just
 * pass an object. Returns `undefined` when the body is already right.
 */
export async function encodeBody(request: Request, type: string): Promise<Request | undefined> {
  if (type !== FORM && type !== MULTIPART) return undefined;
  const contentType = request.headers.get("content-type");
  if (!contentType?.startsWith("application/json")) return undefined;
  const text = await request.text();
  const fields = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  const form = type === FORM ? new URLSearchParams() : new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) form.append(name, String(value));
  }
  const headers = new Headers(request.headers);
  // FormData brings its own content-type with the boundary.
  if (type === FORM) headers.set("content-type", FORM);
  else headers.delete("content-type");
  const encoded = new Request(request.url, {
    method: request.method,
    headers,
    body: form,
    signal: request.signal,
    cache: request.cache,
    credentials: request.credentials,
    redirect: request.redirect,
    referrerPolicy: request.referrerPolicy,
  });
  // openapi-fetch put the per-request options on the request; carry them over.
  return carryRequestOptions(request, encoded);
}
