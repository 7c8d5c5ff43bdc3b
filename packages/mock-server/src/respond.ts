import type { ServerResponse } from "node:http";
import type { OperationId } from "@mkp/client/internal";
import type { Sandbox } from "./context.js";
import { mediaTypeOf, prefersXml, toXml, type Reply } from "./http.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** An error answer in the API's `{ error, error_description }` shape. */
export function apiError(status: number, error: string, description: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, json: { error, error_description: description } };
}

/** A reply's bytes on the wire: the negotiated representation, its media type and the data model the spec describes. */
interface Encoded {
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  mediaType: string | undefined;
  model: unknown;
}

function encode(sandbox: Sandbox, reply: Reply, accept: string | undefined, operationId: OperationId | undefined): Encoded {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.json !== undefined) {
    // XML only where the spec documents it for this answer and the client prefers it.
    if (operationId !== undefined && prefersXml(accept) && sandbox.validator.responseMediaTypes(operationId, reply.status).has("application/xml")) {
      const names = sandbox.validator.xmlNames(operationId, reply.status);
      headers["content-type"] = "application/xml; charset=utf-8";
      return { headers, body: toXml(names?.root ?? "response", names?.item ?? "item", reply.json), mediaType: "application/xml", model: reply.json };
    }
    headers["content-type"] = JSON_TYPE;
    return { headers, body: JSON.stringify(reply.json), mediaType: "application/json", model: reply.json };
  }
  if (reply.html !== undefined) {
    const mediaType = mediaTypeOf(headers["content-type"]) ?? "text/html";
    headers["content-type"] ??= "text/html; charset=utf-8";
    return { headers, body: reply.html, mediaType, model: reply.html };
  }
  if (reply.bytes !== undefined) {
    headers["content-type"] = reply.bytes.mediaType;
    return { headers, body: reply.bytes.data, mediaType: reply.bytes.mediaType, model: undefined };
  }
  return { headers, body: undefined, mediaType: undefined, model: undefined };
}

/**
 * Writes a handler's reply: negotiates JSON or XML, validates what is about to be sent against the
 * operation's responses (in strict mode a violation becomes a 500 naming it), and sends it.
 * Returns the status sent.
 */
export function writeReply(sandbox: Sandbox, response: ServerResponse, reply: Reply, accept: string | undefined, operationId: OperationId | undefined): number {
  let { headers, body, mediaType, model } = encode(sandbox, reply, accept, operationId);
  let status = reply.status;
  if (operationId !== undefined && reply.outsideSpec !== true) {
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    const problems = sandbox.validator.validateResponse(operationId, { status, headers: lower, mediaType, body: model });
    const violation = sandbox.reportViolations(operationId, `the ${status} response`, problems);
    if (violation !== undefined) {
      status = 500;
      headers = { "content-type": JSON_TYPE };
      body = JSON.stringify({ error: "spec_violation", error_description: violation });
    }
  }
  response.writeHead(status, headers);
  response.end(body);
  return status;
}
