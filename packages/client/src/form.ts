import type { Middleware } from "openapi-fetch";
import { operationFor } from "./operations.js";

const FORM = "application/x-www-form-urlencoded";

/**
 * openapi-fetch serialises bodies as JSON unless told otherwise; operations whose spec asks for
 * `application/x-www-form-urlencoded` are re-encoded here, so callers just pass an object.
 */
export const formMiddleware: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (operationFor(request.method, schemaPath)?.requestBodyType !== FORM) return undefined;
    if (request.headers.get("content-type")?.startsWith(FORM)) return undefined;
    const text = await request.text();
    const fields = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined && value !== null) form.append(name, String(value));
    }
    const headers = new Headers(request.headers);
    headers.set("content-type", FORM);
    return new Request(request.url, {
      method: request.method,
      headers,
      body: form.toString(),
      signal: request.signal,
      cache: request.cache,
      credentials: request.credentials,
      redirect: request.redirect,
      referrerPolicy: request.referrerPolicy,
    });
  },
};
