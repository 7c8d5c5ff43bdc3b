import { defaultBodySerializer } from "openapi-fetch";
import { REQUEST_BODY_TYPES } from "./generated/spec.js";

/** The spec's form encoding (`POST /token`, `POST /fixes`). */
export const FORM = "application/x-www-form-urlencoded";

// Every field but `undefined` and `null` (which JSON drops too); a Blob stays a file.
function toForm<F extends FormData | URLSearchParams>(fields: object, form: F): F {
  for (const [name, value] of Object.entries(fields)) if (value != null) (form as FormData).append(name, value instanceof Blob ? value : String(value));
  return form;
}

/**
 * Encodes a request body as the operation's spec asks, so callers just pass an object:
 * `application/x-www-form-urlencoded` for `FORM` operations (`POST /token`, `POST /fixes`),
 * `multipart/form-data` for multipart ones (`POST /items`: a `Blob`/`File` keeps its name), else
 * openapi-fetch's default (JSON). A `FormData` is sent as it is.
 * @param route the operation, "METHOD /path/{template}"
 */
export function serializeBody(route: string, body: unknown, headers?: Headers): unknown {
  const type = REQUEST_BODY_TYPES[route];
  if (body instanceof FormData) return body;
  if (type === FORM) return toForm(body as object, new URLSearchParams());
  if (type === "multipart/form-data") return toForm(body as object, new FormData());
  return (defaultBodySerializer as (body: unknown, headers?: Headers) => unknown)(body, headers);
}

/** The `content-type` of a form body (openapi-fetch labels every body that is not `FormData` as JSON). */
export function contentTypeOf(route: string, body: unknown): Record<string, string> | undefined {
  return REQUEST_BODY_TYPES[route] === FORM && body !== undefined && !(body instanceof FormData) ? { "content-type": FORM } : undefined;
}
