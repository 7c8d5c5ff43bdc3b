import { isObject, OPERATIONS, type OperationId } from "@mkp/client/internal";
import type { Handler, RequestContext, Sandbox } from "./context.js";
import { BodyTooLargeError, FORM, mediaTypeOf, type Reply } from "./http.js";
import { apiError } from "./respond.js";

/**
 * The response header that marks an answer the sandbox took from the OpenAPI description instead
 * of its own state: `example` (the documented example) or `schema` (a value built from the schema).
 */
export const SANDBOX_SOURCE_HEADER = "x-mkp-sandbox";
/** The response header naming the query parameters a request gave that the sandbox checked but did not act on. */
export const IGNORED_PARAMETERS_HEADER = "x-mkp-sandbox-ignored";

const badRequest = (description: string): Reply => apiError(400, "invalid_request", description);

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

/** The resources the sandbox keeps, by the path that reads one: an operation at or under that path names one of them. */
const KEPT: ReadonlyArray<{ path: string; parameter: string; kind: "item" | "fix" }> = [
  { path: OPERATIONS.getItem.path, kind: "item" as const },
  { path: OPERATIONS.getFix.path, kind: "fix" as const },
].map((kept) => ({ ...kept, parameter: /\{([^}]+)\}$/.exec(kept.path)?.[1] ?? "id" }));

/** The kept resource an operation's path reads or sits under (`/items/{id}/…`), if any. */
function keptUnder(operationId: OperationId): (typeof KEPT)[number] | undefined {
  const path = OPERATIONS[operationId].path;
  return KEPT.find((entry) => path === entry.path || path.startsWith(`${entry.path}/`));
}

/**
 * Whether the ids in a request's path name something the sandbox knows. Under a path that reads
 * an item or a fix (`kept`), the id must be one of the caller's; elsewhere each path parameter with
 * a documented example must be that example, the one resource the answer describes.
 */
function knowsPath(sandbox: Sandbox, operationId: OperationId, kept: (typeof KEPT)[number] | undefined, context: RequestContext<unknown>): boolean {
  const values = (context.pathParams ?? {}) as Readonly<Record<string, unknown>>;
  if (kept !== undefined) return sandbox.resources.holds(kept.kind, Number(values[kept.parameter]), context.credential?.userId);
  for (const [name, example] of sandbox.validator.parameterExamples(operationId, "path")) {
    if (String(values[name]) !== String(example)) return false;
  }
  return true;
}

/** A response the description documents, as the sandbox sends it: marked with where its values came from. */
function documentedReply(answer: { status: number; headers: Record<string, string>; json: unknown; source: "example" | "schema" }): Reply {
  return {
    status: answer.status,
    headers: { ...answer.headers, [SANDBOX_SOURCE_HEADER]: answer.source },
    ...(answer.json !== undefined && { json: answer.json }),
  };
}

/** The 404 the description documents for an operation (its example), else the sandbox's own. */
function notFoundFromSpec(sandbox: Sandbox, operationId: OperationId): Reply {
  const documented = sandbox.validator.exampleResponse(operationId, 404);
  return documented === undefined ? { ...apiError(404, "not_found", "No such resource."), outsideSpec: true } : documentedReply(documented);
}

/**
 * The handler of an operation the sandbox has no hand-written code for: the credential is checked
 * before it runs (as for every protected operation), then it validates the query and the body
 * against the description and answers the documented example of the first success response, or
 * the documented 404 for an id it does not know ({@link knowsPath}). Nothing is stored, changed
 * or deleted: such an operation has no side effect in the sandbox (`OPERATION_EFFECTS` says so).
 */
export function specHandler(operationId: OperationId): Handler<unknown> {
  const kept = keptUnder(operationId);
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
    if (!knowsPath(sandbox, operationId, kept, context)) return notFoundFromSpec(sandbox, operationId);
    const answer = sandbox.validator.exampleResponse(operationId);
    if (!answer)
      return { status: 501, json: { error: "not_implemented", error_description: `The description documents no success response for ${operationId}.` } };
    return documentedReply(answer);
  };
}
