import { defaultBodySerializer } from "openapi-fetch";

const FORM = "application/x-www-form-urlencoded";

/**
 * The client's body serialiser: a body holding a `Blob`/`File` becomes `multipart/form-data`
 * (the file keeps its name), anything else goes to openapi-fetch's default (JSON).
 */
export function serializeBody(body: unknown, headers?: Headers): unknown {
  if (body && typeof body === "object" && !(body instanceof FormData) && Object.values(body).some((value) => value instanceof Blob)) {
    return toForm(body, new FormData());
  }
  return (defaultBodySerializer as (body: unknown, headers?: Headers) => unknown)(body, headers);
}

// Appends every field but `undefined` and `null` (which JSON drops too); a Blob stays a file.
function toForm<F extends FormData | URLSearchParams>(fields: object, form: F): F {
  // (URLSearchParams only ever gets strings: its fields come from JSON.)
  for (const [name, value] of Object.entries(fields)) if (value != null) (form as FormData).append(name, value instanceof Blob ? value : String(value));
  return form;
}

/**
 * Re-encodes a JSON-serialised body as the operation's spec asks: `application/x-www-form-urlencoded`
 * (POST /token, POST /fixes) or `multipart/form-data` (POST /items with `fileurl`), so callers just
 * pass an object. `undefined` (synchronously) when the body is already right.
 */
export function encodeBody(request: Request, type: string | undefined): Promise<Request> | undefined {
  const multipart = type === "multipart/form-data";
  if ((multipart || type === FORM) && request.headers.get("content-type")?.startsWith("application/json")) return reencode(request, multipart);
  return undefined;
}

async function reencode(request: Request, multipart: boolean): Promise<Request> {
  const text = await request.text();
  const body = toForm(text ? (JSON.parse(text) as object) : {}, multipart ? new FormData() : new URLSearchParams());
  const headers = new Headers(request.headers);
  // FormData brings its own content-type with the boundary.
  if (multipart) headers.delete("content-type");
  else headers.set("content-type", FORM);
  // A Request made from the request keeps its method, signal and the rest; only the body and headers change.
  const encoded = new Request(request, { body, headers });
  // openapi-fetch put the per-request options (`maxRetries`, `timeoutMs`, the caller's signal) on the request as own properties.
  for (const name of Object.keys(request)) (encoded as unknown as Record<string, unknown>)[name] = (request as unknown as Record<string, unknown>)[name];
  return encoded;
}
