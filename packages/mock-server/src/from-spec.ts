import { isObject, type OperationId } from "@mkp/client/internal";
import type { Handler, RequestContext, Sandbox } from "./context.js";
import { BodyTooLargeError, FORM, mediaTypeOf, type Reply } from "./http.js";

/**
 * The response header that marks an answer the sandbox took from the OpenAPI description instead
 * of its own state: `example` (the documented example) or `schema` (a value built from the schema).
 */
export const SANDBOX_SOURCE_HEADER = "x-mkp-sandbox";
/** The response header naming the query parameters a request gave that the sandbox checked but did not act on. */
export const IGNORED_PARAMETERS_HEADER = "x-mkp-sandbox-ignored";

function badRequest(description: string): Reply {
  return { status: 400, json: { error: "invalid_request", error_description: description } };
}

/** The query of a request as single values, or the name of a repeated parameter. */
export function singleQuery(url: URL): { ok: true; query: Record<string, string> } | { ok: false; repeated: string } {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (name in query) return { ok: false, repeated: name };
    query[name] = value;
  }
  return { ok: true, query };
}

/** Reads and parses a request body by its media type: JSON, a form, or multipart (file parts are described, not kept). */
async function readModel(context: RequestContext<unknown>, mediaType: string): Promise<Record<string, unknown> | string> {
  if (mediaType === FORM) {
    const parsed = await context.readForm();
    return parsed.ok ? parsed.fields : parsed.message;
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await context.readBody();
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    return "The body could not be read.";
  }
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    try {
      const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
      return isObject(value) ? value : "The JSON body must be an object.";
    } catch {
      return "The body is not valid JSON.";
    }
  }
  if (mediaType === "multipart/form-data") {
    try {
      const form = await new Request("http://sandbox.invalid/", {
        method: "POST",
        headers: { "content-type": String(context.request.headers["content-type"]) },
        body: bytes,
      }).formData();
      const model: Record<string, unknown> = {};
      for (const [name, value] of form) model[name] = typeof value === "string" ? value : `(${value.size} bytes)`;
      return model;
    } catch {
      return "The multipart body is malformed.";
    }
  }
  return {};
}

/**
 * The handler of an operation the sandbox has no hand-written code for: the credential is checked
 * before it runs (as for every protected operation), then it validates the query and the body
 * against the description and answers the documented example of the first success response.
 * Nothing is stored: the answer is the same for every caller.
 */
export function specHandler(operationId: OperationId): Handler<unknown> {
  return async (sandbox: Sandbox, context: RequestContext<unknown>): Promise<Reply> => {
    const query = singleQuery(context.url);
    if (!query.ok) return badRequest(`The parameter ${query.repeated} is repeated.`);
    const parameters = sandbox.validator.validateParameters(operationId, "query", query.query);
    if (!parameters.ok) return badRequest(`The query does not match the description: ${parameters.problems.join("; ")}.`);
    const mediaTypes = sandbox.validator.requestMediaTypes(operationId);
    if (mediaTypes.length > 0) {
      const given = mediaTypeOf(context.request.headers["content-type"]);
      if (given === undefined || !mediaTypes.includes(given)) {
        await context.readBody().catch(() => undefined);
        return badRequest(`The body must be ${mediaTypes.join(" or ")}.`);
      }
      const model = await readModel(context, given);
      if (typeof model === "string") return badRequest(model);
      const body = sandbox.validator.validateRequestBody(operationId, given, model);
      if (!body.ok) return badRequest(`The body does not match the description: ${body.problems.join("; ")}.`);
    }
    const answer = sandbox.validator.exampleResponse(operationId);
    if (!answer)
      return { status: 501, json: { error: "not_implemented", error_description: `The description documents no success response for ${operationId}.` } };
    return {
      status: answer.status,
      headers: { ...answer.headers, [SANDBOX_SOURCE_HEADER]: answer.source },
      ...(answer.json !== undefined && { json: answer.json }),
    };
  };
}
